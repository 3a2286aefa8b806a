/**
 * `npm run bench`: measures every row of issue 13's table against a loopback fake upstream, with
 * the bare `node:http` pipe as the floor and a second identical pipe as the A/A control, in one
 * run, medians of 3 rounds; writes BENCHMARKS.md. `--quick` is a one-round smoke run that prints
 * instead of writing; `--profile ROW` CPU-profiles ccproxy on one row and prints the top
 * self-time functions; `--phases` runs only the phases pass (where the added latency goes) and
 * prints its table.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { createResponsesStreamAccumulator } from '../src/formats/openai-responses/accumulate-stream.js';
import { parseSse } from '../src/sse/parse.js';
import { accessToken, createCodexHome } from '../test/helpers/codex-home.js';
import { createLargeCodexStream } from '../test/helpers/openai-responses-large-stream.js';
import { startRedis, type TestRedis } from '../test/helpers/redis-server.js';
import {
  type CpuProfile,
  type Measurement,
  medianOfRounds,
  passJobs,
  percentile,
  summariseCpuProfile,
} from './bench/analysis.js';
import { type PhaseRow, summarizePhases } from './bench/phases.js';
import { type BenchReport, type JobResult, phasesSection, renderReport } from './bench/report.js';
import {
  availableVariants,
  COMPAT_PROVIDER,
  ROWS,
  type Row,
  VARIANTS,
  type Variant,
} from './bench/rows.js';
import {
  phaseProbeArgs,
  readPhases,
  readUsage,
  type Server,
  startBaseline,
  startCcproxy,
  startUpstream,
  stop,
} from './bench/servers.js';
import { ROOT } from './lib/child.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'profile-dir': { type: 'string' },
    phases: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    out: { type: 'string' },
  },
});
const quick = flags.quick ?? false;
const ROUNDS = Number(flags.rounds ?? (quick ? 1 : 3));
const LATENCY_REQUESTS = quick ? 60 : 400;
const THROUGHPUT_SECONDS = quick ? 2 : 6;
/** The turns a job's THROUGHPUT_SECONDS are given in (`measureThroughput`). */
const SLICES = quick ? 1 : 3;
const PROFILE_SECONDS = quick ? 3 : 10;
/** Requests to each server of the phases pass before it is timed, per row. */
const PHASES_WARMUP = quick ? 50 : 300;
const CONNECTIONS = 50;
const MiB = 2 ** 20;

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One request: status, body (its first 4 KB unless `keepBody`), time to first byte and to the end, in ms. */
function timedRequest(
  port: number,
  path: string,
  body: string,
  keepBody = false,
): Promise<{ ttfb: number; total: number; status: number; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let ttfb = -1;
        let text = '';
        response.on('data', (chunk: Buffer) => {
          if (ttfb < 0) ttfb = performance.now() - started;
          if (keepBody || text.length < 4096) text += chunk.toString();
        });
        response.on('end', () =>
          resolvePromise({
            ttfb,
            total: performance.now() - started,
            status: response.statusCode ?? 0,
            text,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** What one measurement sends where. */
interface Job {
  id: string;
  server: Server;
  /** Whether the server preloads the probe (CPU and RSS are read from it). */
  probed: boolean;
  path: string;
  body: string;
}

/** Latency at concurrency 1 (sequential requests, full response) of one job. */
interface Latency {
  p50: number;
  p99: number;
  ttfbP50: number;
  errors: number;
}

/**
 * The latency of the jobs that make the same upstream request (the direct request, the baselines
 * and every ccproxy route that makes it), interleaved request by request, each pass starting at
 * the next server: whatever else the machine does meanwhile (a process still collecting garbage
 * after the last throughput run, a warming JIT) falls on all of them alike. Measured job after
 * job, a job's latency depended on its place in the order: ccproxy's chat route, always first
 * after the heaviest baseline job, measured 0.84, 0.70 and 0.62 ms in three rounds.
 *
 * Each pass sends every server one request, to one of its jobs in turn (`passJobs`): between
 * two of its requests, a server waits as long as every other does. A server's latency at
 * concurrency 1 depends on how warm its caches are, and so on how many requests others served
 * since its last one: when a pass sent one request to each job, ccproxy, which serves two jobs
 * of the Chat request's group, was hit twice a pass, the pipe once, and the same chat route in
 * the dashboard-off process (hit once) measured 0.12-0.32 ms slower than in the default one.
 */
async function measureLatency(group: readonly Job[], warmup = 20): Promise<Map<string, Latency>> {
  for (const job of group) {
    for (let i = 0; i < warmup; i++) await timedRequest(job.server.port, job.path, job.body);
  }
  const totals = group.map((): number[] => []);
  const ttfbs = group.map((): number[] => []);
  const errors = group.map(() => 0);
  const byServer = new Map<Server, number[]>();
  group.forEach((job, k) => {
    byServer.set(job.server, [...(byServer.get(job.server) ?? []), k]);
  });
  const servers = [...byServer.values()];
  const passes = LATENCY_REQUESTS * Math.max(...servers.map((jobs) => jobs.length));
  for (let i = 0; i < passes; i++) {
    const picked = passJobs(servers, i);
    for (let j = 0; j < picked.length; j++) {
      const k = picked[(i + j) % picked.length]!;
      const job = group[k]!;
      const timing = await timedRequest(job.server.port, job.path, job.body);
      if (timing.status !== 200) errors[k]! += 1;
      totals[k]!.push(timing.total);
      ttfbs[k]!.push(timing.ttfb);
    }
  }
  return new Map(
    group.map((job, k) => [
      job.id,
      {
        p50: percentile(totals[k]!, 50),
        p99: percentile(totals[k]!, 99),
        ttfbP50: percentile(ttfbs[k]!, 50),
        errors: errors[k]!,
      },
    ]),
  );
}

/** What a job's load slices added up to (`measureThroughput`). */
interface Tally {
  requests: number;
  seconds: number;
  cpuMicros: number;
  errors: number;
  peakRss: number;
  peakHeap: number;
  peakExternal: number;
  startRss: number;
}

/** Load at CONNECTIONS for `seconds` on one job, added to its tally with the server's CPU and RSS. */
async function loadSlice(job: Job, seconds: number, tally: Tally): Promise<void> {
  const { port } = job.server;
  const before = job.probed ? await readUsage(job.server, 'open') : undefined;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${job.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: job.body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const after = job.probed ? await readUsage(job.server, 'close') : undefined;
  tally.requests += result.requests.total;
  tally.seconds += result.duration;
  tally.errors += result.errors + result.non2xx;
  if (before && after) {
    tally.cpuMicros += after.cpuMicros - before.cpuMicros;
    if (Number.isNaN(tally.startRss)) tally.startRss = before.rssBytes;
    if (after.peakRssBytes > tally.peakRss) {
      tally.peakRss = after.peakRssBytes;
      tally.peakHeap = after.peakHeapBytes;
      tally.peakExternal = after.peakExternalBytes;
    }
  }
}

/**
 * Throughput at CONNECTIONS of the jobs that make the same upstream request (as for their
 * latency), with each server's CPU and RSS: THROUGHPUT_SECONDS of load per job, given in SLICES
 * turns, every job of the group once per turn, each turn starting at the next job. The machine's
 * own speed drifts: in one run the pipe's requests a second on one request moved from 7,015 to
 * 11,205 between rounds, and its CPU per request from 0.138 to 0.089 ms. Loaded one after the
 * other for 6 s each, two jobs of a group could fall in a slow and a fast minute; in turns,
 * the drift falls on all of them alike.
 */
async function measureThroughput(
  group: readonly Job[],
  latencies: ReadonlyMap<string, Latency>,
): Promise<Map<string, Measurement>> {
  const tallies = group.map(
    (): Tally => ({
      requests: 0,
      seconds: 0,
      cpuMicros: 0,
      errors: 0,
      peakRss: 0,
      peakHeap: 0,
      peakExternal: 0,
      startRss: Number.NaN,
    }),
  );
  for (let turn = 0; turn < SLICES; turn++) {
    for (let j = 0; j < group.length; j++) {
      const k = (turn + j) % group.length;
      await loadSlice(group[k]!, THROUGHPUT_SECONDS / SLICES, tallies[k]!);
    }
  }
  return new Map(
    group.map((job, k) => {
      const tally = tallies[k]!;
      const latency = latencies.get(job.id)!;
      return [
        job.id,
        {
          p50: latency.p50,
          p99: latency.p99,
          ttfbP50: latency.ttfbP50,
          rps: tally.seconds > 0 ? tally.requests / tally.seconds : 0,
          cpuMsPerRequest:
            job.probed && tally.requests > 0 ? tally.cpuMicros / 1000 / tally.requests : Number.NaN,
          peakRssMiB: job.probed ? tally.peakRss / MiB : Number.NaN,
          peakHeapMiB: job.probed ? tally.peakHeap / MiB : Number.NaN,
          peakExternalMiB: job.probed ? tally.peakExternal / MiB : Number.NaN,
          startRssMiB: tally.startRss / MiB,
          errors: latency.errors + tally.errors,
        },
      ];
    }),
  );
}

/** Reassembly of the report's stream: median of many runs, against JSON.parse of every event. */
function benchReassembly(): BenchReport['reassembly'] {
  const stream = createLargeCodexStream();
  const messages = parseSse(stream.sse);
  const runs = quick ? 50 : 200;
  const time = (work: () => void) => {
    for (let i = 0; i < 20; i++) work();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      work();
      samples.push(performance.now() - started);
    }
    return percentile(samples, 50);
  };
  const accumulate = () => {
    const accumulator = createResponsesStreamAccumulator();
    for (const message of messages) accumulator.push(message);
    accumulator.result();
  };
  return {
    events: stream.events,
    bytes: Buffer.byteLength(stream.sse),
    jsonFloorMs: time(() => {
      for (const message of messages) JSON.parse(message.data);
    }),
    parseMs: time(() => parseSse(stream.sse)),
    accumulateMs: time(accumulate),
    fromBytesMs: time(() => {
      const accumulator = createResponsesStreamAccumulator();
      for (const message of parseSse(stream.sse)) accumulator.push(message);
      accumulator.result();
    }),
  };
}

/** The environment that points ccproxy's providers at the fake upstream (one Codex account). */
function ccproxyEnv(upstreamPort: number): Record<string, string> {
  const home = createCodexHome({ accessToken: accessToken('bench', 24 * 3600) });
  const dataHome = mkdtempSync(join(tmpdir(), 'ccproxy-bench-'));
  const provider = COMPAT_PROVIDER.toUpperCase();
  return {
    BENCH_CODEX_AUTH_FILE: home.authFile,
    HOME: dataHome,
    XDG_CONFIG_HOME: join(dataHome, 'config'),
    XDG_DATA_HOME: join(dataHome, 'data'),
    CODEX_HOME: home.dir,
    CCPROXY_CODEX_BASE_URL: `http://127.0.0.1:${upstreamPort}/backend-api/codex`,
    CCPROXY_CLAUDE_BASE_URL: `http://127.0.0.1:${upstreamPort}`,
    ANTHROPIC_API_KEY: 'sk-ant-bench-key',
    [`PROVIDERS__${provider}__BASE_URL`]: `http://127.0.0.1:${upstreamPort}/v1`,
    [`PROVIDERS__${provider}__API_KEY_ENV`]: 'BENCH_COMPAT_KEY',
    BENCH_COMPAT_KEY: 'sk-bench-compat-key',
    LOGGING__LEVEL: 'info',
  };
}

/**
 * The environment of a two-account Codex pool: its own data home holding a second account
 * (`work`, the same token as `default`), so the pool's state is read on every request.
 */
function poolEnv(env: Record<string, string>): Record<string, string> {
  const dataHome = mkdtempSync(join(tmpdir(), 'ccproxy-bench-pool-'));
  const accounts = join(dataHome, 'data', 'ccproxy', 'accounts', 'codex');
  mkdirSync(accounts, { recursive: true });
  copyFileSync(env.BENCH_CODEX_AUTH_FILE!, join(accounts, 'work.json'));
  return {
    ...env,
    HOME: dataHome,
    XDG_CONFIG_HOME: join(dataHome, 'config'),
    XDG_DATA_HOME: join(dataHome, 'data'),
    PLUGINS__CODEX__ACCOUNTS: '["default","work"]',
  };
}

/** Whether Debian's `redis-server` is on the PATH. */
function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** Starts a variant's ccproxy (with its Redis state imported first, if it has one). */
async function startVariant(
  variant: Variant,
  env: Record<string, string>,
  getRedis: () => Promise<TestRedis>,
): Promise<Server> {
  let variantEnv = { ...(variant.pool ? poolEnv(env) : env), ...variant.env };
  if (variant.redis) {
    const redis = await getRedis();
    variantEnv = {
      ...variantEnv,
      STATE__URL: redis.url,
      STATE__KEY_PREFIX: `ccproxy-bench-${variant.id}:`,
    };
    const imported = spawnSync(process.execPath, ['bin/ccproxy.js', 'state', 'import'], {
      cwd: ROOT,
      env: { ...process.env, ...variantEnv },
      encoding: 'utf8',
    });
    if (imported.status !== 0) {
      throw new Error(`ccproxy state import failed: ${imported.stderr || imported.stdout}`);
    }
  }
  return startCcproxy(`ccproxy, ${variant.id}`, variantEnv, { serveArgs: variant.serveArgs });
}

/**
 * Redis commands per request of a Redis variant on a row, counted by Redis (`INFO stats`) over
 * sequential requests: shows that the variant's state really is read from Redis on the request
 * path, and how often.
 */
async function redisCommandsPerRequest(server: Server, row: Row, url: string): Promise<number> {
  const requests = 20;
  // One connection for both readings, so only the first INFO falls between them (hence the -1).
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  const processed = async () =>
    Number(/total_commands_processed:(\d+)/.exec(await client.info('stats'))?.[1] ?? Number.NaN);
  try {
    const before = await processed();
    for (let i = 0; i < requests; i++) await timedRequest(server.port, row.path, row.body);
    // The sticky mark is written after the answer without holding it; let those writes land.
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    return ((await processed()) - before - 1) / requests;
  } finally {
    client.disconnect();
  }
}

/** Why a server does not answer a row completely, if it does not (its row is then not measured). */
async function rowFailure(server: Server, row: Row): Promise<string | undefined> {
  const answer = await timedRequest(server.port, row.path, row.body, true).catch(
    (error: Error) => ({ status: 0, text: error.message }),
  );
  if (answer.status !== 200) return `answered ${answer.status}: ${answer.text.slice(0, 200)}`;
  if (!answer.text.includes(row.complete)) return `its answer lacks ${row.complete}`;
  return undefined;
}

/** What ccproxy sent upstream for a row, or why the row cannot be measured. */
async function probeRow(
  row: Row,
  proxy: Server,
  upstream: Server,
): Promise<{ upstreamBody: string } | { skipped: string }> {
  const answer = await timedRequest(proxy.port, row.path, row.body, true).catch((error: Error) => ({
    status: 0,
    text: error.message,
  }));
  if (answer.status !== 200) {
    return { skipped: `ccproxy answered ${answer.status}: ${answer.text.slice(0, 200)}` };
  }
  if (!answer.text.includes(row.complete)) {
    return { skipped: `ccproxy's answer lacks ${row.complete}: ${answer.text.slice(-200)}` };
  }
  const upstreamBody = await new Promise<string>((resolvePromise, reject) => {
    httpRequest(
      {
        host: '127.0.0.1',
        port: upstream.port,
        path: `/__bench/last?path=${encodeURIComponent(row.upstreamPath)}`,
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () =>
          response.statusCode === 200
            ? resolvePromise(text)
            : reject(new Error(`ccproxy did not call ${row.upstreamPath}`)),
        );
      },
    )
      .on('error', reject)
      .end();
  }).catch((error: Error) => error);
  if (upstreamBody instanceof Error) return { skipped: upstreamBody.message };
  return { upstreamBody };
}

/** The key of a baseline: the upstream endpoint and whether the request streams. */
function baselineKey(upstreamPath: string, upstreamBody: string): string {
  return `${upstreamPath} ${/"stream"\s*:\s*true/.test(upstreamBody) ? 'stream' : 'non-stream'}`;
}

/**
 * The phases pass (scripts/bench/phases.ts): a ccproxy, a stack floor and a bare pipe of their
 * own, started together and warmed alike (a process that served the whole run answers faster at
 * concurrency 1 than a fresh one), each with the phase probe preloaded (the pipe calls its
 * upstream with `node:http`: the probe times nothing there, but its server-side subscriptions
 * cost it what they cost the others), on each row with a latency target, at concurrency 1,
 * interleaved request by request with the direct request by the latency pass's own
 * `measureLatency`. The floor and the pipe replay the upstream request ccproxy made.
 */
async function measurePhases(upstream: Server, env: Record<string, string>): Promise<PhaseRow[]> {
  const servers: Server[] = [];
  try {
    const proxy = await startCcproxy('ccproxy (phases)', env, { nodeArgs: phaseProbeArgs() });
    servers.push(proxy);
    const floor = await startBaseline(
      'stack floor (phases)',
      'stack-floor',
      upstream.port,
      phaseProbeArgs(),
    );
    servers.push(floor);
    const pipe = await startBaseline('bare pipe (phases)', 'pipe', upstream.port, phaseProbeArgs());
    servers.push(pipe);
    const phases: PhaseRow[] = [];
    for (const row of ROWS.filter((candidate) => candidate.latencyTarget)) {
      const probe = await probeRow(row, proxy, upstream);
      if ('skipped' in probe) {
        process.stderr.write(`phases: skipping ${row.id}: ${probe.skipped}\n`);
        continue;
      }
      // One job a server, each by its name (`measureLatency` interleaves them).
      const jobs: Job[] = [
        { id: proxy.name, server: proxy, probed: true, path: row.path, body: row.body },
        ...[floor, pipe, upstream].map((server) => ({
          id: server.name,
          server,
          probed: server !== upstream,
          path: row.upstreamPath,
          body: probe.upstreamBody,
        })),
      ];
      // Warmed longer than the latency pass's jobs (20 requests): these processes are fresh, and
      // the JIT is still at work on them. The warm-up's requests are not counted.
      for (const { server, path, body } of jobs) {
        for (let i = 0; i < PHASES_WARMUP; i++) await timedRequest(server.port, path, body);
      }
      await readPhases(proxy);
      await readPhases(floor);
      const latency = await measureLatency(jobs, 0);
      const added = (server: Server) =>
        latency.get(server.name)!.p50 - latency.get(upstream.name)!.p50;
      phases.push({
        rowId: row.id,
        addedP50: { ccproxy: added(proxy), floor: added(floor), pipe: added(pipe) },
        ccproxy: summarizePhases(await readPhases(proxy)),
        floor: summarizePhases(await readPhases(floor)),
      });
      process.stderr.write(
        `phases ${row.id}: added p50 ccproxy ${added(proxy).toFixed(3)} ms, floor ${added(floor).toFixed(3)} ms\n`,
      );
    }
    return phases;
  } finally {
    await Promise.all(servers.map((server) => stop(server, 5000)));
  }
}

/** `--phases`: the phases pass alone (with an upstream of its own), its table printed. */
async function runPhases(): Promise<void> {
  const servers: Server[] = [];
  try {
    const upstream = await startUpstream();
    servers.push(upstream);
    const phases = await measurePhases(upstream, ccproxyEnv(upstream.port));
    process.stdout.write(`${phasesSection(phases, LATENCY_REQUESTS)}\n`);
  } finally {
    await Promise.all(servers.map((server) => stop(server, 5000)));
    agent.destroy();
  }
}

async function runBench(): Promise<void> {
  const loadStart = loadavg()[0]!;
  if (loadStart > cpus().length) {
    process.stderr.write(
      `warning: load average ${loadStart.toFixed(1)} on ${cpus().length} cores; ratios will be noisy\n`,
    );
  }
  const reassembly = benchReassembly();
  process.stderr.write(`reassembly: ${reassembly.fromBytesMs.toFixed(2)} ms\n`);

  const servers: Server[] = [];
  const variants = availableVariants(VARIANTS, hasRedisServer());
  let redis: TestRedis | undefined;
  const getRedis = async () => {
    redis ??= await startRedis({ fsync: 'everysec' });
    return redis;
  };
  try {
    const upstream = await startUpstream();
    servers.push(upstream);
    const pipe = await startBaseline('bare pipe', 'pipe', upstream.port);
    servers.push(pipe);
    const pipeB = await startBaseline('bare pipe B (A/A control)', 'pipe', upstream.port);
    servers.push(pipeB);
    const floor = await startBaseline('stack floor', 'stack-floor', upstream.port);
    servers.push(floor);
    const env = ccproxyEnv(upstream.port);
    const proxy = await startCcproxy('ccproxy', env);
    servers.push(proxy);
    const variantServers = new Map<string, Server>();
    for (const [i, variant] of variants.entries()) {
      if (variant.unavailable) continue;
      try {
        const server = await startVariant(variant, env, getRedis);
        servers.push(server);
        variantServers.set(variant.id, server);
      } catch (error) {
        // One variant that cannot start costs its own section, not the run.
        const reason = (error as Error).message.split('\n')[0]!;
        process.stderr.write(`variant ${variant.id} not measured: ${reason}\n`);
        variants[i] = { ...variant, unavailable: reason };
      }
    }

    // Which upstream request each row makes; the baselines replay it.
    const baselineBodies = new Map<string, string>();
    const rowKeys = new Map<string, string>();
    const skipped = new Map<string, string>();
    for (const row of ROWS) {
      const probe = await probeRow(row, proxy, upstream);
      if ('skipped' in probe) {
        skipped.set(row.id, probe.skipped);
        process.stderr.write(`skipping ${row.id}: ${probe.skipped}\n`);
        continue;
      }
      const key = baselineKey(row.upstreamPath, probe.upstreamBody);
      rowKeys.set(row.id, key);
      if (!baselineBodies.has(key)) baselineBodies.set(key, probe.upstreamBody);
    }

    const jobs: Job[] = [];
    const redisPerRequest = new Map<string, number>();
    const labels = new Map<string, { label: string; group: string }>();
    for (const [key, body] of baselineBodies) {
      const upstreamPath = key.split(' ')[0]!;
      for (const [server, probed] of [
        [upstream, false],
        [pipe, true],
        [pipeB, true],
        [floor, true],
      ] as const) {
        const id = `${server === upstream ? 'direct' : server.name}|${key}`;
        jobs.push({ id, server, probed, path: upstreamPath, body });
        labels.set(id, {
          label: server === upstream ? 'direct to the upstream' : server.name,
          group: key,
        });
      }
    }
    for (const row of ROWS) {
      const key = rowKeys.get(row.id);
      if (!key) continue;
      jobs.push({
        id: `ccproxy|${row.id}`,
        server: proxy,
        probed: true,
        path: row.path,
        body: row.body,
      });
      labels.set(`ccproxy|${row.id}`, { label: `ccproxy ${row.path} (${row.id})`, group: key });
      for (const variant of variants) {
        if (variant.unavailable || !variant.rows.includes(row.id)) continue;
        const server = variantServers.get(variant.id)!;
        const failure = await rowFailure(server, row);
        if (failure) {
          process.stderr.write(`skipping ${variant.id} on ${row.id}: ${server.name} ${failure}\n`);
          continue;
        }
        const id = `${variant.id}|${row.id}`;
        if (variant.redis && redis) {
          redisPerRequest.set(id, await redisCommandsPerRequest(server, row, redis.url));
        }
        jobs.push({
          id,
          server,
          probed: true,
          path: row.path,
          body: row.body,
        });
        labels.set(id, { label: `ccproxy, ${variant.id}, ${row.path} (${row.id})`, group: key });
      }
    }

    // The jobs by the upstream request they make, for their interleaved latency.
    const groups = new Map<string, Job[]>();
    for (const job of jobs) {
      const group = labels.get(job.id)!.group;
      groups.set(group, [...(groups.get(group) ?? []), job]);
    }
    const rounds = new Map<string, Measurement[]>();
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so no server always runs first or last.
      const keys = [...groups.keys()];
      const latencies = new Map<string, Latency>();
      for (let n = 0; n < keys.length; n++) {
        const group = groups.get(keys[(n + round) % keys.length]!)!;
        process.stderr.write(`round ${round + 1}/${ROUNDS} latency [${n + 1}/${keys.length}]`);
        for (const [id, latency] of await measureLatency(group)) {
          latencies.set(id, latency);
          // A baseline by its server's name (its group is the request), a ccproxy job whole.
          const [server, what] = id.split('|') as [string, string];
          process.stderr.write(` ${what.startsWith('/') ? server : id} ${latency.p50.toFixed(3)}`);
        }
        process.stderr.write(' ms\n');
      }
      for (let n = 0; n < keys.length; n++) {
        const group = groups.get(keys[(n + round) % keys.length]!)!;
        process.stderr.write(`round ${round + 1}/${ROUNDS} throughput [${n + 1}/${keys.length}]\n`);
        for (const [id, result] of await measureThroughput(group, latencies)) {
          // Each round's own figures, for reading how they moved (the report has the medians).
          process.stderr.write(
            `  ${id}: p50 ${result.p50.toFixed(3)} ms, ${Math.round(result.rps)} req/s, ${result.cpuMsPerRequest.toFixed(3)} CPU ms/req\n`,
          );
          rounds.set(id, [...(rounds.get(id) ?? []), result]);
        }
      }
    }

    const maxRss = new Map<string, number>();
    for (const server of servers) {
      if (server === upstream) continue;
      maxRss.set(server.name, (await readUsage(server)).maxRssBytes / MiB);
    }
    // Last, in processes of their own: the phase probe costs the servers it times.
    process.stderr.write('phases pass\n');
    const phases = await measurePhases(upstream, env);

    const results: JobResult[] = jobs.map((job) => ({
      id: job.id,
      ...labels.get(job.id)!,
      rounds: rounds.get(job.id)!,
      median: medianOfRounds(rounds.get(job.id)!),
    }));
    const report: BenchReport = {
      date: new Date().toISOString().slice(0, 10),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? 'unknown CPU',
        memGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadStart,
        loadEnd: loadavg()[0]!,
      },
      settings: {
        rounds: ROUNDS,
        latencyRequests: LATENCY_REQUESTS,
        throughputSeconds: THROUGHPUT_SECONDS,
        throughputSlices: SLICES,
        connections: CONNECTIONS,
      },
      rows: ROWS,
      rowKeys,
      skipped,
      variants,
      results,
      maxRssMiB: maxRss,
      redisCommandsPerRequest: redisPerRequest,
      reassembly,
      phases,
    };
    const text = renderReport(report);
    const out = flags.out ?? (quick ? undefined : join(ROOT, 'BENCHMARKS.md'));
    if (out) writeFileSync(resolve(out), text);
    process.stdout.write(text);
    if (!out)
      process.stderr.write('(--quick: BENCHMARKS.md left unchanged; --out FILE writes it)\n');
  } finally {
    await Promise.all(servers.map((server) => stop(server, 5000)));
    await redis?.close();
    agent.destroy();
  }
}

/** `--profile ROW`: ccproxy under `node --cpu-prof` for one row, then its top self-time functions. */
async function runProfile(rowId: string): Promise<void> {
  const row = ROWS.find((candidate) => candidate.id === rowId);
  if (!row) {
    process.stderr.write(
      `unknown row "${rowId}"; rows: ${ROWS.map((candidate) => candidate.id).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const dir = resolve(flags['profile-dir'] ?? mkdtempSync(join(tmpdir(), 'ccproxy-profile-')));
  mkdirSync(dir, { recursive: true });
  const servers: Server[] = [];
  try {
    const upstream = await startUpstream();
    servers.push(upstream);
    const proxy = await startCcproxy('ccproxy', ccproxyEnv(upstream.port), {
      nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir],
    });
    servers.push(proxy);
    const probe = await probeRow(row, proxy, upstream);
    if ('skipped' in probe) throw new Error(`cannot profile ${row.id}: ${probe.skipped}`);
    for (let i = 0; i < 200; i++) await timedRequest(proxy.port, row.path, row.body);
    const before = await readUsage(proxy);
    process.stderr.write(
      `profiling ${row.id} for ${PROFILE_SECONDS} s at ${CONNECTIONS} connections\n`,
    );
    const result = await autocannon({
      url: `http://127.0.0.1:${proxy.port}${row.path}`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: row.body,
      connections: CONNECTIONS,
      duration: PROFILE_SECONDS,
    });
    const after = await readUsage(proxy);
    await stop(proxy);
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => join(dir, name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    if (files.length === 0) throw new Error(`no .cpuprofile written to ${dir}`);
    const profile = JSON.parse(readFileSync(files[0]!, 'utf8')) as CpuProfile;
    // The load window only, not start-up and warm-up; the whole life if the clocks disagree.
    let summary = summariseCpuProfile(profile, {
      root: ROOT,
      from: before.monotonicMicros,
      to: after.monotonicMicros,
    });
    const windowed = summary.busyMs > 0;
    if (!windowed) summary = summariseCpuProfile(profile, { root: ROOT });
    const lines = [
      `${row.title} (${row.path}): ${result.requests.total} requests, ${result.requests.average.toFixed(0)} req/s, ` +
        `${((after.cpuMicros - before.cpuMicros) / 1000 / result.requests.total).toFixed(3)} CPU ms/req`,
      `profile: ${files[0]}`,
      `${summary.busyMs.toFixed(0)} ms busy (main thread) ${windowed ? 'during the load window' : 'over the whole life of the process (the load window could not be located)'}`,
      '',
      '  self ms      %  function  (script)',
      ...summary.functions
        .slice(0, 30)
        .map(
          (fn) =>
            `${fn.selfMs.toFixed(1).padStart(8)} ${fn.percent.toFixed(1).padStart(6)}  ${fn.functionName}  (${fn.url || 'native'})`,
        ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all(servers.map((server) => stop(server, 35_000)));
    agent.destroy();
  }
}

if (flags.profile) await runProfile(flags.profile);
else if (flags.phases) await runPhases();
else await runBench();
