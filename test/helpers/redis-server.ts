/**
 * Starts Debian's `redis-server` on a free loopback port with its data in a temporary directory
 * (no RDB snapshots; an append-only file so a killed server comes back with its data, as a
 * production Redis configured for ccproxy would).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running test Redis. */
export interface TestRedis {
  url: string;
  port: number;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function launch(port: number, dir: string, fsync: 'always' | 'everysec'): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      fsync,
      '--dir',
      dir,
    ]);
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start:\n${output}`));
    }, 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * Starts a Redis server for one test file. `fsync: 'always'` (the default) keeps every write
 * across a kill; the benchmark uses `everysec`, Redis's own default.
 */
export async function startRedis(
  options: { fsync?: 'always' | 'everysec' } = {},
): Promise<TestRedis> {
  const fsync = options.fsync ?? 'always';
  const dir = mkdtempSync(join(tmpdir(), 'ccproxy-redis-'));
  const port = await freePort();
  let child = await launch(port, dir, fsync);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => stop(child, 'SIGKILL'),
    async restart() {
      child = await launch(port, dir, fsync);
    },
    async close() {
      await stop(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
