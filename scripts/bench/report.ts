/**
 * Renders BENCHMARKS.md from one bench run: targets and verdicts per row, ratios to the bare pipe
 * beside the A/A control, CPU and memory, the variants, and a reading paragraph computed from the
 * numbers (nothing in it is written by hand, so it cannot go stale).
 */

import {
  aaNoise,
  addedLatencyRatio,
  type Judged,
  judge,
  judgeRow,
  type Measurement,
  type RowVerdict,
  TARGETS,
  verdictText,
} from './analysis.js';
import type { PhaseRow, PhaseSummary } from './phases.js';
import { REDIS_VARIANT, type Row, type Variant } from './rows.js';
import { STREAM_CHUNKS } from './transcripts.js';

/** One measured job: its rounds and their per-field median. */
export interface JobResult {
  /** `direct|KEY`, `bare pipe|KEY`, `bare pipe B (A/A control)|KEY`, `stack floor|KEY`, `ccproxy|ROW`, `VARIANT|ROW`. */
  id: string;
  label: string;
  /** The upstream request it stands for (`PATH stream|non-stream`). */
  group: string;
  rounds: Measurement[];
  median: Measurement;
}

/** Everything the report is rendered from. */
export interface BenchReport {
  date: string;
  machine: {
    cpus: number;
    model: string;
    memGiB: number;
    node: string;
    loadStart: number;
    loadEnd: number;
  };
  settings: {
    rounds: number;
    latencyRequests: number;
    throughputSeconds: number;
    /** The turns a job's throughput seconds are given in, interleaved with its group's jobs. */
    throughputSlices: number;
    connections: number;
  };
  rows: Row[];
  /** Row id → the baseline key of the upstream request it makes. */
  rowKeys: Map<string, string>;
  /** Row id → why it was not measured. */
  skipped: Map<string, string>;
  variants: Variant[];
  results: JobResult[];
  /** Server name → the kernel's peak RSS over the process's life, MiB. */
  maxRssMiB: Map<string, number>;
  /** `VARIANT|ROW` of a Redis variant → Redis commands per request on that row (counted by Redis). */
  redisCommandsPerRequest?: Map<string, number>;
  /** The phases pass: where the added latency goes, on the rows with a latency target. */
  phases?: PhaseRow[];
  reassembly: {
    events: number;
    bytes: number;
    parseMs: number;
    accumulateMs: number;
    fromBytesMs: number;
    jsonFloorMs: number;
  };
}

/** A measured row with its baselines and verdict. */
export interface JudgedRow {
  row: Row;
  direct: Measurement;
  pipe: Measurement;
  pipeB: Measurement;
  floor?: Measurement;
  ccproxy: Measurement;
  verdict: RowVerdict;
}

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const pct = (value: number) =>
  Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${(value * 100).toFixed(0)}%` : 'n/a';

/** The id of the job a variant's row is compared with: its counterpart variant's, or the default ccproxy's. */
const counterpartId = (variant: Variant, rowId: string) =>
  `${variant.against ?? 'ccproxy'}|${rowId}`;

/** The name of a variant's counterpart in the report. */
const counterpartName = (variant: Variant) => variant.against ?? 'default';

/** The "Redis state backend vs memory" section: added p50 latency and throughput ratio per row. */
function redisSection(report: BenchReport, byId: Map<string, JobResult>): string {
  const variant = report.variants.find((candidate) => candidate.id === REDIS_VARIANT);
  const heading = '### Redis state backend vs memory';
  if (!variant) {
    return `${heading}\n\nNot measured: no Redis variant is defined in \`scripts/bench/rows.ts\` (\`VARIANTS\`).`;
  }
  if (variant.unavailable) return `${heading}\n\nNot measured: ${variant.unavailable}.`;
  const memory = counterpartName(variant);
  const lines = variant.rows.map((rowId) => {
    const base = byId.get(counterpartId(variant, rowId))?.median;
    const redis = byId.get(`${variant.id}|${rowId}`)?.median;
    if (!base || !redis) return `| \`${rowId}\` | not measured | | | | | | |`;
    const commands = report.redisCommandsPerRequest?.get(`${variant.id}|${rowId}`) ?? Number.NaN;
    return `| \`${rowId}\` | ${fmt(base.p50)} / ${fmt(redis.p50)} | ${redis.p50 >= base.p50 ? '+' : ''}${fmt(redis.p50 - base.p50)} | ${fmt(base.p99)} / ${fmt(redis.p99)} | ${fmt(base.rps, 0)} / ${fmt(redis.rps, 0)} | ${fmt(redis.rps / base.rps)} | ${fmt(base.cpuMsPerRequest, 3)} / ${fmt(redis.cpuMsPerRequest, 3)} | ${fmt(commands, 1)} |`;
  });
  return `${heading}

${variant.title}. The memory side is the \`${memory}\` process, the same two-account pool on the memory backend; the Redis side
imported its credentials with \`ccproxy state import\` into a loopback \`redis-server\` (\`appendfsync everysec\`) started by the bench.
Per request the pool reads the resting accounts and the conversation's account from the state before the upstream call and
refreshes the sticky mark after it, so the difference is what the shared state costs per request. Redis commands per request are counted
by Redis (\`INFO stats\`) over 20 sequential requests before the measurements.

| row | p50 ms memory / Redis | added p50 ms (Redis − memory) | p99 ms memory / Redis | req/s memory / Redis | throughput Redis ÷ memory | CPU ms/req memory / Redis | Redis commands per request |
| --- | --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}`;
}

/** Judges every measured row; the A/A noise comes from the same run. */
export function judgeRows(report: BenchReport): {
  rows: JudgedRow[];
  noise: { latency: number; throughput: number };
  rss?: Judged & { ccproxy: number; pipe: number; ccproxyAt: JobResult; pipeAt: JobResult };
} {
  const job = (id: string) => report.results.find((result) => result.id === id)?.median;
  const measured = report.rows.flatMap((row) => {
    const key = report.rowKeys.get(row.id);
    const ccproxy = job(`ccproxy|${row.id}`);
    const direct = job(`direct|${key}`);
    const pipe = job(`bare pipe|${key}`);
    const pipeB = job(`bare pipe B (A/A control)|${key}`);
    if (!key || !ccproxy || !direct || !pipe || !pipeB) return [];
    return [{ row, direct, pipe, pipeB, ccproxy, floor: job(`stack floor|${key}`) }];
  });
  const keys = [...new Set(report.rowKeys.values())];
  const aaThroughput = keys.map(
    (key) =>
      (job(`bare pipe B (A/A control)|${key}`)?.rps ?? Number.NaN) /
      (job(`bare pipe|${key}`)?.rps ?? Number.NaN),
  );
  const noise = { latency: 0, throughput: aaNoise(aaThroughput) };
  noise.latency = aaNoise(measured.map((m) => judgeRow({ ...m.row, ...m }, noise).addedLatencyAA));
  const rows = measured.map((m) => ({
    ...m,
    verdict: judgeRow({ kind: m.row.kind, latencyTarget: m.row.latencyTarget, ...m }, noise),
  }));
  /** The measurement with the highest peak RSS among a server's rows. */
  const peakOf = (prefix: string) =>
    report.results
      .filter((result) => result.id.startsWith(prefix) && Number.isFinite(result.median.peakRssMiB))
      .reduce<JobResult | undefined>(
        (top, result) =>
          top === undefined || result.median.peakRssMiB > top.median.peakRssMiB ? result : top,
        undefined,
      );
  const peak = (prefix: string) => peakOf(prefix)?.median.peakRssMiB ?? Number.NaN;
  const ccproxyPeak = peakOf('ccproxy|');
  const pipePeak = peakOf('bare pipe|');
  const rssNoise = aaNoise([peak('bare pipe B (A/A control)|') / peak('bare pipe|')]);
  const rss =
    ccproxyPeak && pipePeak
      ? {
          ...judge(
            ccproxyPeak.median.peakRssMiB / pipePeak.median.peakRssMiB,
            TARGETS.peakRss,
            'max',
            rssNoise,
          ),
          ccproxy: ccproxyPeak.median.peakRssMiB,
          pipe: pipePeak.median.peakRssMiB,
          ccproxyAt: ccproxyPeak,
          pipeAt: pipePeak,
        }
      : undefined;
  return { rows, noise, rss };
}

/** A peak RSS measurement's parts: the V8 heap, external memory, the rest, and RSS before the run. */
function rssParts(result: JobResult): string {
  const m = result.median;
  const rest = m.peakRssMiB - m.peakHeapMiB - m.peakExternalMiB;
  return (
    `${fmt(m.peakRssMiB, 0)} MiB on \`${result.id.split('|')[1]}\`: V8 heap ${fmt(m.peakHeapMiB, 0)}, ` +
    `external (Buffers) ${fmt(m.peakExternalMiB, 0)}, the rest (code, stacks, malloc) ${fmt(rest, 0)}; ` +
    `${fmt(m.startRssMiB, 0)} MiB when the run started`
  );
}

/** `a–b` of the values, or the one value when they are all the same. */
function range(values: readonly number[]): string {
  const low = fmt(Math.min(...values));
  const high = fmt(Math.max(...values));
  return low === high ? low : `${low}–${high}`;
}

function targetText(judged: Judged): string {
  return `${judged.bound === 'max' ? '≤' : '≥'} ${fmt(judged.target)}×`;
}

/** The reading paragraph: every sentence is computed from this run's numbers. */
export function readingText(report: BenchReport, judged: ReturnType<typeof judgeRows>): string {
  const { rows, noise, rss } = judged;
  const verdicts = [
    ...rows.flatMap((r) =>
      [r.verdict.latency, r.verdict.throughputVerdict].filter((v) => v !== undefined),
    ),
    ...(rss ? [rss] : []),
  ];
  const failed = rows.filter(
    (r) => !r.verdict.throughputVerdict.met || r.verdict.latency?.met === false,
  );
  const out: string[] = [];
  out.push(
    `${verdicts.filter((v) => v.met).length} of ${verdicts.length} targets are met in this run` +
      (failed.length > 0
        ? `; rows with a target not met: ${failed.map((r) => r.row.id).join(', ')}.`
        : '.') +
      (report.skipped.size > 0 ? ` Not measured: ${[...report.skipped.keys()].join(', ')}.` : ''),
  );
  out.push(
    `The A/A control (a second, identical pipe process) landed within ±${fmt(noise.throughput * 100, 0)}% of the first pipe's throughput and ±${fmt(noise.latency * 100, 0)}% of its added latency; ` +
      'a ratio closer to its target than that is marked "within A/A noise", and differences between runs smaller than that are not evidence.' +
      (noise.throughput > 0.15 || noise.latency > 0.3
        ? ` This run was noisy (load average ${fmt(report.machine.loadStart, 1)} at the start, ${fmt(report.machine.loadEnd, 1)} at the end on ${report.machine.cpus} cores).`
        : ''),
  );
  if (rows.length > 0) {
    const worst = [...rows].sort(
      (a, b) =>
        a.verdict.throughput / a.verdict.throughputVerdict.target -
        b.verdict.throughput / b.verdict.throughputVerdict.target,
    )[0]!;
    const heaviest = [...rows].sort(
      (a, b) => b.ccproxy.cpuMsPerRequest - a.ccproxy.cpuMsPerRequest,
    )[0]!;
    out.push(
      `Furthest below its throughput target is ${worst.row.id} at ${fmt(worst.verdict.throughput)}× the pipe's (target ≥ ${fmt(worst.verdict.throughputVerdict.target)}×), where ccproxy spends ${fmt(worst.ccproxy.cpuMsPerRequest, 3)} CPU ms per request against the pipe's ${fmt(worst.pipe.cpuMsPerRequest, 3)} (${fmt(worst.verdict.cpuRatio, 1)}×). ` +
        `The most CPU per request goes to ${heaviest.row.id} (${fmt(heaviest.ccproxy.cpuMsPerRequest, 3)} ms, ${fmt(heaviest.verdict.cpuRatio, 1)}× the pipe's).`,
    );
    const floors = rows.filter((r) => r.floor).map((r) => r.floor!.rps / r.pipe.rps);
    const ccproxyRange = rows.map((r) => r.verdict.throughput);
    // Added latency where a row has a latency target: the floor's against ccproxy's.
    const timed = rows.filter((r) => r.floor && r.verdict.latency);
    const floorLatency = timed.map((r) => addedLatencyRatio(r.floor!, r.pipe, r.direct));
    const ccproxyLatency = timed.map((r) => r.verdict.addedLatency);
    if (floors.length > 0) {
      out.push(
        `The stack floor (\`node:http\` + undici's \`dispatch\`, as ccproxy calls it; no parsing) reaches ${range(floors)}× the pipe's throughput on the same upstream requests and ccproxy ${range(ccproxyRange)}×` +
          (timed.length > 0
            ? `; on the requests with a latency target it adds ${range(floorLatency)}× the pipe's added p50 and ccproxy ${range(ccproxyLatency)}×`
            : '') +
          "; the distance between the floor and ccproxy is ccproxy's own per-request work, the distance between the pipe and the floor is the stack's.",
      );
    }
  }
  if (rss) {
    out.push(
      `Peak RSS sampled during the throughput runs: ccproxy ${fmt(rss.ccproxy, 0)} MiB, the pipe ${fmt(rss.pipe, 0)} MiB (${fmt(rss.value)}×, target ≤ ${fmt(rss.target)}×). ` +
        `What it was made of at each peak (medians over the rounds): ccproxy ${rssParts(rss.ccproxyAt)}; the pipe ${rssParts(rss.pipeAt)}.`,
    );
  }
  for (const variant of report.variants) {
    const changes = variant.rows.flatMap((rowId) => {
      const on = report.results.find((r) => r.id === counterpartId(variant, rowId))?.median;
      const off = report.results.find((r) => r.id === `${variant.id}|${rowId}`)?.median;
      return on && off
        ? [
            `${rowId} ${pct(off.rps / on.rps - 1)} throughput, ${pct(off.cpuMsPerRequest / on.cpuMsPerRequest - 1)} CPU per request`,
          ]
        : [];
    });
    if (changes.length > 0) {
      out.push(
        `${variant.against ? `Against ${variant.against}` : 'Against the default ccproxy process'}, ${variant.id}: ${changes.join('; ')} (A/A noise ±${fmt(noise.throughput * 100, 0)}%).`,
      );
    }
  }
  return out.join('\n\n');
}

/** Milliseconds as microseconds, for the phases table. */
function micros(ms: number): string {
  return Number.isFinite(ms) ? (ms * 1000).toFixed(0) : 'n/a';
}

/** `ccproxy / floor` of one phase, in µs. */
function phasePair(
  ccproxy: PhaseSummary,
  floor: PhaseSummary,
  phase: keyof Omit<PhaseSummary, 'requests'>,
): string {
  return `${micros(ccproxy[phase])} / ${micros(floor[phase])}`;
}

/** The phases pass as a report section (also printed alone by `npm run bench -- --phases`). */
export function phasesSection(phases: readonly PhaseRow[], requests: number): string {
  const lines = phases.map(
    (row) =>
      `| \`${row.rowId}\` | ${micros(row.addedP50.ccproxy)} / ${micros(row.addedP50.floor)} / ${micros(row.addedP50.pipe)} | ${phasePair(row.ccproxy, row.floor, 'beforeUpstream')} | ${phasePair(row.ccproxy, row.floor, 'upstream')} | ${phasePair(row.ccproxy, row.floor, 'afterUpstream')} | ${phasePair(row.ccproxy, row.floor, 'inServer')} | ${row.ccproxy.requests} / ${row.floor.requests} |`,
  );
  return `## Where the added latency goes (concurrency 1)

A pass of its own after the measurements above (\`npm run bench -- --phases\` runs it alone): a ccproxy, a stack floor and a bare pipe in
processes of their own, started together and warmed alike, each with the phase probe preloaded (\`scripts/bench/phase-probe.ts\`), which
times every request from Node's and undici's diagnostics channels, with no code in the server (the pipe calls its upstream with
\`node:http\`: nothing is timed there). On each row with a latency target, ${requests} requests to each server at concurrency 1,
interleaved request by request with the direct request as in the latency pass. Medians in µs, ccproxy / stack floor:
**before the upstream** is from the server's request event (the request's head parsed) to the upstream request's head written (reading
and checking the body, building and sending the upstream request); **the upstream** from there to the end of its answer; **after the
upstream** from there to the client's answer written whole (reading, converting and writing the answer); **in the server** the whole.
The probe's own cost is in every server's figures; the added p50 here is from this pass, not the table above.

| row | added p50 µs ccproxy / floor / pipe | before the upstream | the upstream | after the upstream | in the server | requests timed |
| --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}`;
}

/** Renders BENCHMARKS.md. */
export function renderReport(report: BenchReport): string {
  const judged = judgeRows(report);
  const { machine, settings } = report;
  const byId = new Map(report.results.map((result) => [result.id, result]));
  const targetRows: string[] = [];
  for (const r of judged.rows) {
    if (r.verdict.latency) {
      targetRows.push(
        `| ${r.row.title} | added p50 latency ÷ pipe's ${targetText(r.verdict.latency)} | ${fmt(r.verdict.addedLatency)}× (A/A ${fmt(r.verdict.addedLatencyAA)}×) | ${verdictText(r.verdict.latency)} |`,
      );
    }
    const t = r.verdict.throughputVerdict;
    targetRows.push(
      `| ${r.row.title} | req/s at c=${settings.connections} ÷ pipe's ${targetText(t)} | ${fmt(r.verdict.throughput)}× (A/A ${fmt(r.verdict.throughputAA)}×) | ${verdictText(t)} |`,
    );
  }
  if (judged.rss) {
    targetRows.push(
      `| the whole run | peak RSS ÷ pipe's ${targetText(judged.rss)} | ${fmt(judged.rss.value)}× (${fmt(judged.rss.ccproxy, 0)} / ${fmt(judged.rss.pipe, 0)} MiB) | ${verdictText(judged.rss)} |`,
    );
  }
  for (const [rowId, reason] of report.skipped) {
    targetRows.push(
      `| ${rowId} | — | not measured: ${reason.replaceAll('|', '\\|').replaceAll('\n', ' ')} | NOT met |`,
    );
  }
  const rowTable = judged.rows.map(
    (r) =>
      `| ${r.row.title} | \`${r.row.id}\` | ${r.row.kind} | ${fmt(r.verdict.addedLatency)} | ${fmt(r.verdict.addedLatencyAA)} | ${fmt(r.verdict.throughput)} | ${fmt(r.verdict.throughputAA)} | ${r.floor ? fmt(addedLatencyRatio(r.floor, r.pipe, r.direct)) : 'n/a'} | ${r.floor ? fmt(r.floor.rps / r.pipe.rps) : 'n/a'} | ${fmt(r.ccproxy.rps, 0)} / ${fmt(r.pipe.rps, 0)} | ${fmt(r.ccproxy.cpuMsPerRequest, 3)} / ${fmt(r.pipe.cpuMsPerRequest, 3)} | ${fmt(r.ccproxy.peakRssMiB, 0)} / ${fmt(r.pipe.peakRssMiB, 0)} | ${r.ccproxy.errors} |`,
  );
  const variantSections = report.variants
    .filter((variant) => variant.id !== REDIS_VARIANT)
    .map((variant) => {
      if (variant.unavailable)
        return `### ${variant.title}\n\nNot measured: ${variant.unavailable}.`;
      const base = counterpartName(variant);
      const lines = variant.rows.flatMap((rowId) => {
        const on = byId.get(counterpartId(variant, rowId))?.median;
        const off = byId.get(`${variant.id}|${rowId}`)?.median;
        if (!on || !off) return [`| \`${rowId}\` | not measured | | | | | |`];
        return [
          `| \`${rowId}\` | ${fmt(on.rps, 0)} | ${fmt(off.rps, 0)} | ${fmt(off.rps / on.rps)} | ${fmt(on.cpuMsPerRequest, 3)} / ${fmt(off.cpuMsPerRequest, 3)} | ${fmt(on.p50)} / ${fmt(off.p50)} | ${fmt(on.peakRssMiB, 0)} / ${fmt(off.peakRssMiB, 0)} |`,
        ];
      });
      return `### ${variant.title}

| row | req/s ${base} | req/s ${variant.id} | ÷ ${base} | CPU ms/req ${base} / ${variant.id} | p50 ms ${base} / ${variant.id} | peak RSS MiB ${base} / ${variant.id} |
| --- | --- | --- | --- | --- | --- | --- |
${lines.join('\n')}`;
    });
  const raw = report.results.map((result) => {
    const m = result.median;
    const rps = result.rounds.map((round) => round.rps);
    return `| ${result.group} | ${result.label} | ${fmt(m.p50)} | ${fmt(m.p99)} | ${fmt(m.ttfbP50)} | ${fmt(m.rps, 0)} | ${fmt(Math.min(...rps), 0)}–${fmt(Math.max(...rps), 0)} | ${fmt(m.cpuMsPerRequest, 3)} | ${fmt(m.peakRssMiB, 0)} | ${m.errors} |`;
  });
  const maxRss = [...report.maxRssMiB]
    .map(([name, mib]) => `${name} ${fmt(mib, 0)} MiB`)
    .join(', ');
  const { reassembly } = report;
  return `# Benchmarks

Generated by \`npm run bench\` (\`scripts/bench.ts\`) on ${report.date}: ${machine.cpus} × ${machine.model}, ${machine.memGiB} GiB, Node ${machine.node}; load average ${fmt(machine.loadStart, 1)} at the start, ${fmt(machine.loadEnd, 1)} at the end. Do not edit by hand.

Everything runs on loopback in one run, each server in its own process: a fake upstream (\`scripts/bench/upstream.ts\`: a Chat Completions and an Anthropic
Messages answer, or a ${STREAM_CHUNKS}-chunk stream when asked; the ${Math.round(report.reassembly.bytes / 1000)} KB, ${report.reassembly.events}-event Codex Responses stream of the original report), the bare \`node:http\` pipe
(\`scripts/bench/pipe.ts\`, the floor), a second identical pipe (the A/A control: its ratios to the first show the run's noise), the stack floor
(\`scripts/bench/stack-floor.ts\`: \`node:http\` + undici's \`dispatch\`, as ccproxy calls it; no parsing) and \`ccproxy serve\` (default settings, access log on, the heap growth of \`[server] heap_growth_percent\` and V8 pretenuring off (\`allocation_site_pretenuring\`), an OpenAI-compatible provider \`bench\`
pointed at the upstream). The baselines replay the very request ccproxy sent upstream for each row. Latency: ${settings.latencyRequests} sequential requests at
concurrency 1 (full response) to each job, interleaved request by request between the servers measured on the same upstream request, each server one request per pass (one serving several jobs of the request serves them in turn: its caches are then as cold as the others'). Throughput: autocannon, ${settings.connections} connections for ${settings.throughputSeconds} s per server${settings.throughputSlices > 1 ? `, in ${settings.throughputSlices} turns of ${Number((settings.throughputSeconds / settings.throughputSlices).toFixed(2))} s interleaved between the servers measured on the same upstream request (the machine's speed drifts between minutes)` : ''}. CPU: the server process's own
\`process.cpuUsage()\` (user + system, all threads) over the throughput run ÷ requests, read over IPC by a probe the bench preloads (\`scripts/bench/probe.ts\`).
Memory: the process's RSS sampled every 50 ms during the throughput run (\`SAMPLE_MS\` in the probe), with the V8 heap and external memory read at the sample that set the peak. Every figure is the median of ${settings.rounds} round${settings.rounds === 1 ? '' : 's'}; the job order rotates
between rounds. Absolute numbers depend on the machine; the ratios to the pipe are the result.

## Targets (issue 13) and verdicts

| row | target | measured | verdict |
| --- | --- | --- | --- |
${targetRows.join('\n')}

## Rows

Ratios are to the bare pipe on the same upstream request; A/A is the second pipe's same ratio. "Added p50" is p50 minus the direct request's p50.

| row | id | kind | added p50 ÷ pipe's | A/A | req/s ÷ pipe's | A/A | stack floor added p50 ÷ pipe's | stack floor req/s ÷ pipe's | req/s ccproxy / pipe | CPU ms/req ccproxy / pipe | peak RSS MiB ccproxy / pipe | ccproxy errors |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rowTable.join('\n')}

Peak RSS over each process's whole life (kernel maxRSS): ${maxRss || 'n/a'}.

## Reading these results

${readingText(report, judged)}

## Variants (same run, each against its counterpart process)

${variantSections.join('\n\n')}

${redisSection(report, byId)}

${report.phases ? `${phasesSection(report.phases, settings.latencyRequests)}\n\n` : ''}## Every measurement

| upstream request | server | p50 ms | p99 ms | TTFB p50 ms | req/s @${settings.connections} | req/s min–max over rounds | CPU ms/req | peak RSS MiB | errors |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${raw.join('\n')}

## Reassembly (the original report's stream: ${reassembly.events} events, ${Math.round(reassembly.bytes / 1000)} KB, \`response.completed\` without \`output\`)

| step | median ms | ÷ JSON.parse floor |
| --- | --- | --- |
| JSON.parse of every event's data (floor) | ${fmt(reassembly.jsonFloorMs)} | 1.00 |
| SSE parse of the bytes | ${fmt(reassembly.parseMs)} | ${fmt(reassembly.parseMs / reassembly.jsonFloorMs)} |
| accumulate parsed messages | ${fmt(reassembly.accumulateMs)} | ${fmt(reassembly.accumulateMs / reassembly.jsonFloorMs)} |
| bytes → final response (parse + accumulate) | ${fmt(reassembly.fromBytesMs)} | ${fmt(reassembly.fromBytesMs / reassembly.jsonFloorMs)} |

## Benchmark commands

\`\`\`sh
npm run bench                          # every row, 3 rounds, writes BENCHMARKS.md (about 12 minutes on 2 idle cores)
npm run bench -- --quick               # one short round, prints the report, leaves BENCHMARKS.md alone (about a minute)
npm run bench -- --rounds 5 --out /tmp/bench.md
npm run bench -- --profile ROW         # ccproxy under node --cpu-prof on one row; prints the top self-time functions
npm run bench -- --profile ROW --profile-dir /tmp/prof   # keep the .cpuprofile (open it in Chrome DevTools)
npm run bench -- --phases              # where the added latency goes at concurrency 1 (the phases pass alone, about a minute)
\`\`\`

Rows for \`--profile\`: ${report.rows.map((row) => `\`${row.id}\``).join(', ')}. Measure before and after each optimisation with the profile
and with a full run on an idle machine; a change smaller than the A/A noise above is not a result.
`;
}
