/** The bench's pure parts: ratios to the pipe, verdicts against issue 13's targets, the report, and the CPU-profile summary. */
import { describe, expect, it } from 'vitest';
import {
  aaNoise,
  addedLatencyRatio,
  type CpuProfile,
  judge,
  judgeRow,
  type Measurement,
  median,
  medianOfRounds,
  passJobs,
  percentile,
  summariseCpuProfile,
  verdictText,
} from '../../scripts/bench/analysis.js';
import { type BenchReport, type JobResult, renderReport } from '../../scripts/bench/report.js';
import {
  availableVariants,
  MEMORY_POOL_VARIANT,
  REDIS_VARIANT,
  ROWS,
  VARIANTS,
} from '../../scripts/bench/rows.js';

const m = (fields: Partial<Measurement>): Measurement => ({
  p50: 1,
  p99: 2,
  ttfbP50: 1,
  rps: 1000,
  cpuMsPerRequest: 0.1,
  peakRssMiB: 100,
  peakHeapMiB: 40,
  peakExternalMiB: 10,
  startRssMiB: 60,
  errors: 0,
  ...fields,
});

describe('percentile and median', () => {
  it('takes the nearest rank and the middle value', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 99)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('takes the median of each field over rounds and sums the errors', () => {
    const merged = medianOfRounds([
      m({ rps: 900, p50: 3, errors: 1 }),
      m({ rps: 1200, p50: 1, errors: 0 }),
      m({ rps: 1000, p50: 2, errors: 2 }),
    ]);
    expect(merged.rps).toBe(1000);
    expect(merged.p50).toBe(2);
    expect(merged.errors).toBe(3);
  });
});

describe('ratios to the pipe', () => {
  it("divides the added latency over the direct request by the pipe's", () => {
    const direct = m({ p50: 0.2 });
    expect(addedLatencyRatio(m({ p50: 1.4 }), m({ p50: 0.6 }), direct)).toBeCloseTo(3);
    expect(addedLatencyRatio(m({ p50: 1.4 }), m({ p50: 0.2 }), direct)).toBeNaN();
  });

  it('judges a non-stream row on latency and throughput, with the A/A control beside it', () => {
    const verdict = judgeRow(
      {
        kind: 'non-stream',
        latencyTarget: true,
        direct: m({ p50: 0.2, rps: 20000 }),
        pipe: m({ p50: 0.6, rps: 8000, cpuMsPerRequest: 0.1 }),
        pipeB: m({ p50: 0.64, rps: 7600 }),
        ccproxy: m({ p50: 0.8, rps: 4000, cpuMsPerRequest: 0.45 }),
      },
      { latency: 0.1, throughput: 0.05 },
    );
    expect(verdict.addedLatency).toBeCloseTo(1.5);
    expect(verdict.latency).toMatchObject({ met: true, noisy: true, target: 1.5, bound: 'max' });
    expect(verdict.addedLatencyAA).toBeCloseTo(1.1);
    expect(verdict.throughput).toBeCloseTo(0.5);
    expect(verdict.throughputAA).toBeCloseTo(0.95);
    expect(verdict.throughputVerdict).toMatchObject({ met: false, noisy: false, target: 0.6 });
    expect(verdict.cpuRatio).toBeCloseTo(4.5);
  });

  it('holds converted streams to 0.3x and the report route to 0.5x, without a latency target', () => {
    const base = {
      latencyTarget: false,
      direct: m({ p50: 0.2 }),
      pipe: m({ p50: 0.6, rps: 1000 }),
      pipeB: m({ p50: 0.6, rps: 1000 }),
      ccproxy: m({ p50: 2, rps: 400 }),
    };
    const noise = { latency: 0, throughput: 0 };
    const converted = judgeRow({ ...base, kind: 'converted stream' }, noise);
    expect(converted.latency).toBeUndefined();
    expect(converted.throughputVerdict.met).toBe(true);
    expect(judgeRow({ ...base, kind: 'report route' }, noise).throughputVerdict.met).toBe(false);
    expect(judgeRow({ ...base, kind: 'pass-through stream' }, noise).throughputVerdict.met).toBe(
      false,
    );
  });

  it('reads the noise off the A/A ratios and says when a verdict is within it', () => {
    expect(aaNoise([1.04, 0.9, Number.NaN])).toBeCloseTo(0.1);
    expect(aaNoise([])).toBe(0);
    expect(verdictText(judge(0.58, 0.6, 'min', 0.05))).toBe('NOT met (within A/A noise)');
    expect(verdictText(judge(0.7, 0.6, 'min', 0.05))).toBe('met');
    expect(verdictText(judge(Number.NaN, 0.6, 'min', 0.05))).toBe('NOT met');
  });
});

describe('passJobs', () => {
  it('sends every server one request a pass, its jobs taken in turn', () => {
    // A group as the bench builds it: direct, two pipes, the stack floor (one job each), and
    // ccproxy serving two of the group's jobs.
    const servers = [[0], [1], [2], [3], [4, 5]];
    const passes = [0, 1, 2, 3].map((pass) => passJobs(servers, pass));
    expect(passes).toEqual([
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 5],
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 5],
    ]);
    for (const picked of passes) expect(new Set(picked).size).toBe(servers.length);
  });
});

describe('summariseCpuProfile', () => {
  const frame = (functionName: string, url: string) => ({ functionName, url });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('(idle)', '') },
      { id: 3, callFrame: frame('forward', 'file:///repo/dist/a.js') },
      { id: 4, callFrame: frame('', 'file:///repo/dist/b.js') },
      // The same function reached through another call path: one entry.
      { id: 5, callFrame: frame('forward', 'file:///repo/dist/a.js') },
      { id: 6, callFrame: frame('(garbage collector)', '') },
    ],
    startTime: 1000,
    endTime: 2000,
    samples: [2, 3, 4, 5, 6, 3],
    timeDeltas: [100, 200, 100, 300, 100, 200],
  };

  it('sums self time by function and script, leaves idle out, and sorts by it', () => {
    const summary = summariseCpuProfile(profile, { root: '/repo' });
    expect(summary.busyMs).toBeCloseTo(0.9);
    expect(summary.functions).toEqual([
      { functionName: 'forward', url: 'dist/a.js', selfMs: 0.7, percent: (700 / 900) * 100 },
      { functionName: '(anonymous)', url: 'dist/b.js', selfMs: 0.1, percent: (100 / 900) * 100 },
      { functionName: '(garbage collector)', url: '', selfMs: 0.1, percent: (100 / 900) * 100 },
    ]);
  });

  it('counts only the samples inside a window', () => {
    // Sample times: 1100, 1300, 1400, 1700, 1800, 2000.
    const summary = summariseCpuProfile(profile, { from: 1350, to: 1800 });
    expect(summary.functions.map((fn) => [fn.functionName, fn.selfMs])).toEqual([
      ['forward', 0.3],
      ['(anonymous)', 0.1],
      ['(garbage collector)', 0.1],
    ]);
  });

  it('shares the duration by hit count when the profile has no samples', () => {
    const summary = summariseCpuProfile({
      nodes: [
        { id: 1, callFrame: frame('a', 'node:x'), hitCount: 3 },
        { id: 2, callFrame: frame('b', 'node:y'), hitCount: 1 },
      ],
      startTime: 0,
      endTime: 4000,
    });
    expect(summary.functions.map((fn) => [fn.functionName, fn.selfMs])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
  });
});

describe('renderReport', () => {
  const key = '/v1/chat/completions non-stream';
  const job = (id: string, fields: Partial<Measurement>): JobResult => ({
    id,
    label: id,
    group: key,
    rounds: [m(fields)],
    median: m(fields),
  });
  const chat = ROWS.find((row) => row.id === 'chat')!;
  const report: BenchReport = {
    date: '2026-12-04',
    machine: { cpus: 2, model: 'test CPU', memGiB: 8, node: 'v20', loadStart: 0.2, loadEnd: 0.3 },
    settings: {
      rounds: 1,
      latencyRequests: 10,
      throughputSeconds: 1,
      throughputSlices: 1,
      connections: 50,
    },
    rows: [chat],
    rowKeys: new Map([['chat', key]]),
    skipped: new Map([['claude', 'ccproxy answered 401: no key']]),
    variants: [],
    results: [
      job(`direct|${key}`, { p50: 0.2, rps: 20000 }),
      job(`bare pipe|${key}`, { p50: 0.6, rps: 8000, peakRssMiB: 100 }),
      job(`bare pipe B (A/A control)|${key}`, { p50: 0.6, rps: 8000, peakRssMiB: 100 }),
      job(`stack floor|${key}`, { p50: 0.64, rps: 9600 }),
      job('ccproxy|chat', {
        p50: 0.7,
        rps: 6400,
        peakRssMiB: 180,
        peakHeapMiB: 90,
        peakExternalMiB: 25,
        startRssMiB: 120,
      }),
    ],
    maxRssMiB: new Map([['ccproxy', 190]]),
    reassembly: {
      events: 1,
      bytes: 1,
      parseMs: 1,
      accumulateMs: 1,
      fromBytesMs: 1,
      jsonFloorMs: 1,
    },
  };

  it('gives each target its verdict and computes the reading from the numbers', () => {
    const text = renderReport(report);
    expect(text).toContain(
      "| chat non-stream, OpenAI-compatible pass-through | added p50 latency ÷ pipe's ≤ 1.50× | 1.25× (A/A 1.00×) | met |",
    );
    expect(text).toContain("req/s at c=50 ÷ pipe's ≥ 0.60× | 0.80× (A/A 1.00×) | met |");
    expect(text).toContain("peak RSS ÷ pipe's ≤ 1.50× | 1.80× (180 / 100 MiB) | NOT met |");
    // The peak's parts: heap and external as sampled with it, the rest what RSS holds besides.
    expect(text).toContain(
      'ccproxy 180 MiB on `chat`: V8 heap 90, external (Buffers) 25, the rest (code, stacks, malloc) 65; 120 MiB when the run started; ' +
        'the pipe 100 MiB on `/v1/chat/completions non-stream`: V8 heap 40, external (Buffers) 10, the rest (code, stacks, malloc) 50; 60 MiB when the run started.',
    );
    // The stack floor beside ccproxy: (0.64 - 0.2) / (0.6 - 0.2) = 1.1, 9600 / 8000 = 1.2.
    expect(text).toContain('| 1.10 | 1.20 | 6400 / 8000 |');
    expect(text).toContain(
      "The stack floor (`node:http` + undici's `dispatch`, as ccproxy calls it; no parsing) reaches 1.20× the pipe's throughput on the same upstream requests and ccproxy 0.80×; " +
        "on the requests with a latency target it adds 1.10× the pipe's added p50 and ccproxy 1.25×; the distance between the floor and ccproxy is ccproxy's own per-request work",
    );
    expect(text).toContain('| claude | — | not measured: ccproxy answered 401: no key | NOT met |');
    expect(text).toContain('2 of 3 targets are met in this run. Not measured: claude.');
    expect(text).toContain(
      '### Redis state backend vs memory\n\nNot measured: no Redis variant is defined',
    );
  });

  it('compares each variant with the default process, and names a variant that cannot run', () => {
    const text = renderReport({
      ...report,
      variants: [
        { id: 'dashboard-off', title: 'dashboard off', serveArgs: [], env: {}, rows: ['chat'] },
        {
          id: 'redis-state',
          title: 'Redis state backend',
          serveArgs: [],
          env: {},
          rows: ['chat'],
          unavailable: 'BENCH_REDIS_URL is not set',
        },
      ],
      results: [...report.results, job('dashboard-off|chat', { p50: 0.7, rps: 7040 })],
    });
    expect(text).toContain('| `chat` | 6400 | 7040 | 1.10 |');
    expect(text).toContain('dashboard-off: chat +10% throughput, +0% CPU per request');
    expect(text).toContain(
      '### Redis state backend vs memory\n\nNot measured: BENCH_REDIS_URL is not set.',
    );
  });

  it('shows the Redis variant against its memory counterpart: added p50 and throughput ratio', () => {
    const pool = { serveArgs: [], env: {}, rows: ['chat', 'claude'], pool: true };
    const text = renderReport({
      ...report,
      variants: [
        { ...pool, id: 'memory-pool', title: 'pool on memory' },
        {
          ...pool,
          id: 'redis-state',
          title: 'Redis state backend',
          against: 'memory-pool',
          redis: true,
        },
      ],
      results: [
        ...report.results,
        job('memory-pool|chat', { p50: 0.8, p99: 1.5, rps: 6000, cpuMsPerRequest: 0.2 }),
        job('redis-state|chat', { p50: 1.1, p99: 2, rps: 4500, cpuMsPerRequest: 0.25 }),
      ],
      redisCommandsPerRequest: new Map([['redis-state|chat', 3]]),
    });
    // Compared with the pool on memory, not with the default single-account process.
    expect(text).toContain(
      '| `chat` | 0.80 / 1.10 | +0.30 | 1.50 / 2.00 | 6000 / 4500 | 0.75 | 0.200 / 0.250 | 3.0 |',
    );
    expect(text).toContain('| `claude` | not measured |');
    expect(text).toContain('| `chat` | 6400 | 6000 | 0.94 |');
    expect(text).toContain('Against memory-pool, redis-state: chat -25% throughput');
    expect(text).not.toContain('### Redis state backend\n');
  });
});

describe('availableVariants', () => {
  it('marks the Redis variant not measured without redis-server, and compares it with the memory pool', () => {
    const without = availableVariants(VARIANTS, false);
    const redis = without.find((variant) => variant.id === REDIS_VARIANT)!;
    expect(redis.unavailable).toBe('redis-server is not installed');
    expect(redis.against).toBe(MEMORY_POOL_VARIANT);
    const memory = without.find((variant) => variant.id === MEMORY_POOL_VARIANT)!;
    expect(memory.unavailable).toBeUndefined();
    // Both sides are the same two-account pool on the same rows, which exist.
    expect(memory.pool && redis.pool).toBe(true);
    expect(redis.rows).toEqual(memory.rows);
    for (const rowId of redis.rows) expect(ROWS.map((row) => row.id)).toContain(rowId);
    expect(
      availableVariants(VARIANTS, true).find((variant) => variant.id === REDIS_VARIANT)!
        .unavailable,
    ).toBeUndefined();
  });
});
