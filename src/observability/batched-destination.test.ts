import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchedDestination, type LineTarget } from './batched-destination.js';

/** A target that keeps what it is given, and how. */
function recordingTarget() {
  const writes: string[] = [];
  const calls: string[] = [];
  const target: LineTarget = {
    write: (text) => {
      writes.push(text);
      return true;
    },
    flush: (callback) => {
      calls.push('flush');
      callback?.();
    },
    flushSync: () => {
      calls.push('flushSync');
    },
  };
  return { target, writes, calls };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchedDestination', () => {
  it('hands the lines of one turn over as one string, in order, at the end of the turn', async () => {
    const { target, writes } = recordingTarget();
    const destination = new BatchedDestination(target);
    destination.write('a\n');
    destination.write('b\n');
    await Promise.resolve();
    destination.write('c\n');
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['a\nb\nc\n']);
    destination.write('d\n');
    await turn();
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
    destination.close();
  });

  it('hands pending lines over before flushing, and nothing twice', async () => {
    const { target, writes, calls } = recordingTarget();
    const destination = new BatchedDestination(target);
    destination.write('a\n');
    destination.flushSync();
    expect(writes).toEqual(['a\n']);
    destination.write('b\n');
    const flushed = new Promise<void>((resolve) => destination.flush(() => resolve()));
    expect(writes).toEqual(['a\n', 'b\n']);
    await flushed;
    await turn();
    expect(writes).toEqual(['a\n', 'b\n']);
    expect(calls).toEqual(['flushSync', 'flush']);
    destination.close();
  });

  it("writes every line of a process that exits in the same turn (the logger's file)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccproxy-log-'));
    const file = join(dir, 'log.jsonl');
    const script = `
      import { createLogger } from ${JSON.stringify(join(import.meta.dirname, 'logger.ts'))};
      import { Writable } from 'node:stream';
      const logger = createLogger({ level: 'info', format: 'json', destination: new Writable({ write: (_c, _e, cb) => cb() }), file: ${JSON.stringify(file)} });
      for (let i = 0; i < 500; i++) logger.info({ i }, 'line');
      process.exit(0);
    `;
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status, result.stderr).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    );
  });
});
