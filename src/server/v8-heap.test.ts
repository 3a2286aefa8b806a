import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { setHeapGrowth } from './v8-heap.js';

const MODULE = fileURLToPath(new URL('./v8-heap.ts', import.meta.url));

/** Runs `script` (an ES module) in a child Node; resolves to its stdout. */
function runChild(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
}

/**
 * A child process that sets the growth, holds about 16 MB, and allocates 480 MB of arrays that
 * each live through about 40 MB of allocation (so they reach the old generation); prints the
 * largest V8 heap it saw. The same allocations in every child: only the growth differs.
 */
async function peakHeapWith(percent: number): Promise<number> {
  const script = `
    import { setHeapGrowth } from ${JSON.stringify(MODULE)};
    setHeapGrowth(${percent});
    const live = (globalThis.held = []);
    for (let i = 0; i < 100; i++) live.push(new Array(20000).fill(i));
    let keep = [];
    let peak = 0;
    for (let round = 0; round < 12000; round++) {
      keep.push(new Array(5000).fill(round));
      if (keep.length > 1000) keep = keep.slice(500);
      if (round % 20 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
    }
    process.stdout.write(String(peak));
  `;
  return Number(await runChild(script));
}

/**
 * A child process that sets pretenuring and then makes two million objects from one literal,
 * keeping the last 200,000 to 400,000 alive: every young collection finds nearly all of the
 * literal's recent objects alive, which is what V8 takes for a long-lived literal. Returns how
 * many pretenuring decisions V8's own trace (`--trace-pretenuring-statistics`, turned on once the
 * setting is made) reported.
 */
async function pretenuringDecisionsWith(enabled: boolean): Promise<number> {
  const script = `
    import { setFlagsFromString } from 'node:v8';
    import { setPretenuring } from ${JSON.stringify(MODULE)};
    setPretenuring(${enabled});
    setFlagsFromString('--trace-pretenuring-statistics');
    const record = (n) => ({ n, seen: 0 });
    let window = [];
    for (let i = 0; i < 2000000; i++) {
      window.push(record(i));
      if (window.length > 400000) window = window.slice(200000);
    }
  `;
  const trace = await runChild(script);
  return (trace.match(/=> (maybe tenure|tenure)\b/g) ?? []).length;
}

describe('setHeapGrowth', () => {
  it('keeps the heap smaller under allocation than V8 left to itself', async () => {
    // Sequential: the two children must not compete for the same cores.
    const v8Choice = await peakHeapWith(0);
    const limited = await peakHeapWith(75);
    // Measured 255-258 MB against 172-188 MB.
    expect(limited).toBeGreaterThan(0);
    expect(limited).toBeLessThan(v8Choice * 0.85);
  }, 30_000);

  it('refuses a value that is not a whole number of percent', () => {
    expect(() => setHeapGrowth(-1)).toThrow(RangeError);
    expect(() => setHeapGrowth(1.5)).toThrow(/whole number/);
  });
});

describe('setPretenuring', () => {
  it('stops V8 from deciding that a literal makes long-lived objects', async () => {
    // The control: with pretenuring on (V8's default), the same allocations get a decision.
    expect(await pretenuringDecisionsWith(true)).toBeGreaterThan(0);
    expect(await pretenuringDecisionsWith(false)).toBe(0);
  }, 30_000);
});
