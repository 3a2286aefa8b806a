import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { setHeapGrowth } from './heap-growth.js';

const MODULE = fileURLToPath(new URL('./heap-growth.ts', import.meta.url));

/**
 * A child process that sets the growth, holds about 16 MB, and allocates 480 MB of arrays that
 * each live through about 40 MB of allocation (so they reach the old generation); prints the
 * largest V8 heap it saw. The same allocations in every child: only the growth differs.
 */
function peakHeapWith(percent: number): Promise<number> {
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
      if (code === 0) resolve(Number(out));
      else reject(new Error(`child exited with ${code}: ${err}`));
    });
  });
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
