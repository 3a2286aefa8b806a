/**
 * The bench's pure arithmetic: percentiles and medians, per-row ratios to the bare pipe with the
 * A/A control beside them, the targets and their verdicts, and the summary of a V8
 * `.cpuprofile` by self time. No I/O, so the unit tests can check it.
 */

/** The value at percentile `p` (0-100) of `values`, nearest-rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The median of the finite values (mean of the middle two for an even count); NaN when none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One measurement of one server on one request, in one round. */
export interface Measurement {
  /** Latency of sequential requests at concurrency 1, full response, ms. */
  p50: number;
  p99: number;
  ttfbP50: number;
  /** Requests per second at the bench's connection count. */
  rps: number;
  /** Server process CPU (user + system) per request during the throughput run, ms. */
  cpuMsPerRequest: number;
  /** Highest sampled RSS of the server process during the throughput run, MiB. */
  peakRssMiB: number;
  /** At that peak: the V8 heap and the external memory (Buffers), MiB. */
  peakHeapMiB: number;
  peakExternalMiB: number;
  /** RSS when the throughput run started (after the latency requests), MiB. */
  startRssMiB: number;
  /** Non-2xx answers and socket errors. */
  errors: number;
}

/** The per-field median of the rounds of one measurement (errors are summed). */
export function medianOfRounds(rounds: readonly Measurement[]): Measurement {
  const of = (field: keyof Measurement) => median(rounds.map((round) => round[field]));
  return {
    p50: of('p50'),
    p99: of('p99'),
    ttfbP50: of('ttfbP50'),
    rps: of('rps'),
    cpuMsPerRequest: of('cpuMsPerRequest'),
    peakRssMiB: of('peakRssMiB'),
    peakHeapMiB: of('peakHeapMiB'),
    peakExternalMiB: of('peakExternalMiB'),
    startRssMiB: of('startRssMiB'),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
  };
}

/** How a row is judged; the thresholds are issue 13's targets. */
export type RowKind = 'non-stream' | 'pass-through stream' | 'converted stream' | 'report route';

/** Issue 13's targets. */
export const TARGETS = {
  /** Added p50 latency ÷ the pipe's, at most (non-stream rows that carry a latency target). */
  addedLatency: 1.5,
  /** Throughput ÷ the pipe's at 50 connections, at least. */
  throughput: {
    'non-stream': 0.6,
    'pass-through stream': 0.6,
    'converted stream': 0.3,
    'report route': 0.5,
  } satisfies Record<RowKind, number>,
  /** Peak RSS ÷ the pipe's, at most. */
  peakRss: 1.5,
} as const;

/** The measurements a row is judged from (medians of the rounds). */
export interface RowInput {
  kind: RowKind;
  /** Whether the row carries the added-latency target. */
  latencyTarget: boolean;
  direct: Measurement;
  pipe: Measurement;
  /** The A/A control: a second, identical pipe process. */
  pipeB: Measurement;
  ccproxy: Measurement;
}

/** A ratio, its target and whether it is met; `noisy` when the margin is within the A/A noise. */
export interface Judged {
  value: number;
  target: number;
  /** `max` when the value must stay at or below the target, `min` when at or above. */
  bound: 'max' | 'min';
  met: boolean;
  noisy: boolean;
}

/** One row's ratios to the pipe, the A/A control's same ratios, and the verdicts. */
export interface RowVerdict {
  addedLatency: number;
  addedLatencyAA: number;
  throughput: number;
  throughputAA: number;
  latency?: Judged;
  throughputVerdict: Judged;
  cpuRatio: number;
}

/** `ccproxy`'s added latency over `direct`, divided by the pipe's added latency. */
export function addedLatencyRatio(
  subject: Measurement,
  pipe: Measurement,
  direct: Measurement,
): number {
  const pipeAdded = pipe.p50 - direct.p50;
  if (!(pipeAdded > 0)) return Number.NaN;
  return (subject.p50 - direct.p50) / pipeAdded;
}

/** Judges `value` against `target`; `noise` is the relative A/A spread (0.05 = ±5%). */
export function judge(value: number, target: number, bound: 'max' | 'min', noise: number): Judged {
  // A hair of tolerance, so a ratio of exactly the target is not lost to floating point.
  const met =
    Number.isFinite(value) && (bound === 'max' ? value <= target + 1e-9 : value >= target - 1e-9);
  const noisy = Number.isFinite(value) && Math.abs(value - target) <= target * noise;
  return { value, target, bound, met, noisy };
}

/** The relative noise the A/A control shows: the largest distance of its ratios from 1. */
export function aaNoise(ratios: readonly number[]): number {
  const finite = ratios.filter(Number.isFinite);
  return finite.length === 0 ? 0 : Math.max(...finite.map((ratio) => Math.abs(ratio - 1)));
}

/** Computes a row's ratios and verdicts. */
export function judgeRow(
  row: RowInput,
  noise: { latency: number; throughput: number },
): RowVerdict {
  const addedLatency = addedLatencyRatio(row.ccproxy, row.pipe, row.direct);
  const throughput = row.ccproxy.rps / row.pipe.rps;
  return {
    addedLatency,
    addedLatencyAA: addedLatencyRatio(row.pipeB, row.pipe, row.direct),
    throughput,
    throughputAA: row.pipeB.rps / row.pipe.rps,
    latency: row.latencyTarget
      ? judge(addedLatency, TARGETS.addedLatency, 'max', noise.latency)
      : undefined,
    throughputVerdict: judge(throughput, TARGETS.throughput[row.kind], 'min', noise.throughput),
    cpuRatio: row.ccproxy.cpuMsPerRequest / row.pipe.cpuMsPerRequest,
  };
}

/** The words for a verdict. */
export function verdictText(judged: Judged): string {
  return `${judged.met ? 'met' : 'NOT met'}${judged.noisy ? ' (within A/A noise)' : ''}`;
}

/** The parts of a V8 `.cpuprofile` (`node --cpu-prof`) the summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber?: number };
    hitCount?: number;
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds since the previous sample (the first: since `startTime`). */
  timeDeltas?: number[];
}

/** One function's share of a profile. */
export interface SelfTime {
  functionName: string;
  url: string;
  selfMs: number;
  /** Share of the profile's busy time (everything but `(idle)`), in percent. */
  percent: number;
}

/** Which part of a profile to summarise. */
export interface SummaryOptions {
  /** Script URLs are shown relative to this directory (the repository). */
  root?: string;
  /** Only samples taken in [from, to], in the profile's microsecond clock. */
  from?: number;
  to?: number;
}

/**
 * Sums self time by function name and script: each sample is charged the time since the
 * previous one (`timeDeltas`), and only samples inside the window count; without samples, hit
 * counts share the profile's duration (no window). Returns the busy total and every function,
 * largest first. `(idle)` is left out of both.
 */
export function summariseCpuProfile(
  profile: CpuProfile,
  options: SummaryOptions = {},
): { busyMs: number; functions: SelfTime[] } {
  const from = options.from ?? Number.NEGATIVE_INFINITY;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  const micros = new Map<number, number>();
  if (profile.samples && profile.timeDeltas && profile.samples.length > 0) {
    let time = profile.startTime;
    profile.samples.forEach((id, i) => {
      const delta = Math.max(0, profile.timeDeltas![i] ?? 0);
      time += delta;
      if (time >= from && time <= to) micros.set(id, (micros.get(id) ?? 0) + delta);
    });
  } else {
    const hits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
    const perHit = hits > 0 ? (profile.endTime - profile.startTime) / hits : 0;
    for (const node of profile.nodes) micros.set(node.id, (node.hitCount ?? 0) * perHit);
  }
  const byFunction = new Map<string, { functionName: string; url: string; micros: number }>();
  let busy = 0;
  for (const node of profile.nodes) {
    const spent = micros.get(node.id) ?? 0;
    const functionName = node.callFrame.functionName || '(anonymous)';
    if (functionName === '(idle)' || spent === 0) continue;
    const url = shortUrl(node.callFrame.url, options.root ?? '');
    const key = `${functionName}\u0000${url}`;
    const entry = byFunction.get(key) ?? { functionName, url, micros: 0 };
    entry.micros += spent;
    byFunction.set(key, entry);
    busy += spent;
  }
  const functions = [...byFunction.values()]
    .map(({ functionName, url, micros: spent }) => ({
      functionName,
      url,
      selfMs: spent / 1000,
      percent: busy > 0 ? (spent / busy) * 100 : 0,
    }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { busyMs: busy / 1000, functions };
}

/** A script URL relative to `root` (the repository), or as given. */
function shortUrl(url: string, root: string): string {
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return root && path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

/**
 * The jobs of pass `pass`: one per server (each server's jobs as indexes into the group), the
 * server's jobs taken in turn from pass to pass.
 */
export function passJobs(servers: ReadonlyArray<readonly number[]>, pass: number): number[] {
  return servers.map((jobs) => jobs[pass % jobs.length]!);
}
