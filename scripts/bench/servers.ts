/**
 * Starts the bench's servers, each in its own process: the fake upstream (under tsx), the
 * baselines compiled to plain JavaScript (so they carry no loader the ccproxy process does not
 * carry either), and ccproxy from `dist/`; every measured server preloads the probe and answers
 * usage requests over IPC.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { ROOT, startChild } from '../lib/child.js';
import type { PhaseAnswer, PhaseRecord, PhaseRequest } from './phases.js';
import type { ProbeRequest, ProbeUsage } from './probe.js';

/** Where the compiled baselines go: under node_modules, so their imports of packages resolve. */
const OUT = join(ROOT, 'node_modules', '.cache', 'ccproxy-bench');

/** A running server the bench measures. */
export interface Server {
  name: string;
  port: number;
  child: ChildProcess;
}

/** Compiles `scripts/bench/<name>.ts` (no relative imports) to `.mjs`; returns its path. */
function compile(name: string): string {
  mkdirSync(OUT, { recursive: true });
  const source = readFileSync(join(ROOT, 'scripts', 'bench', `${name}.ts`), 'utf8');
  const { code } = transformSync(source, { loader: 'ts', format: 'esm', target: 'node20' });
  const path = join(OUT, `${name}.mjs`);
  writeFileSync(path, code);
  return path;
}

let probePath: string | undefined;

/** The node arguments that preload the probe. */
export function probeArgs(): string[] {
  probePath ??= compile('probe');
  return ['--import', probePath];
}

let phaseProbePath: string | undefined;

/** The node arguments that preload the phase probe (the phases pass's servers only). */
export function phaseProbeArgs(): string[] {
  phaseProbePath ??= compile('phase-probe');
  return ['--import', phaseProbePath];
}

/** Starts the fake upstream. */
export async function startUpstream(): Promise<Server> {
  const { child, port } = await startChild(['--import', 'tsx', 'scripts/bench/upstream.ts']);
  return { name: 'upstream', port, child };
}

/** Starts a compiled baseline (`pipe` or `stack-floor`) in front of the upstream. */
export async function startBaseline(
  name: string,
  script: 'pipe' | 'stack-floor',
  upstreamPort: number,
  nodeArgs: string[] = [],
): Promise<Server> {
  const { child, port } = await startChild(
    [...nodeArgs, ...probeArgs(), compile(script), String(upstreamPort)],
    {},
    { ipc: true },
  );
  return { name, port, child };
}

/** Starts `ccproxy serve` from dist/ with extra node and ccproxy arguments. */
export async function startCcproxy(
  name: string,
  env: Record<string, string>,
  options: { nodeArgs?: string[]; serveArgs?: string[] } = {},
): Promise<Server> {
  const { child, port } = await startChild(
    [
      ...(options.nodeArgs ?? []),
      ...probeArgs(),
      'bin/ccproxy.js',
      'serve',
      '--port',
      '0',
      ...(options.serveArgs ?? []),
    ],
    env,
    { ipc: true },
  );
  return { name, port, child };
}

/** Sends `request` to a server's probes over IPC and resolves with the answer of its `type`. */
function askProbe<Answer extends { type: string }>(
  server: Server,
  request: ProbeRequest | PhaseRequest,
  what: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      server.child.off('message', onMessage);
      reject(new Error(`${server.name} did not answer the ${what}`));
    }, 10_000);
    const onMessage = (message: Answer) => {
      if (message?.type !== request.type) return;
      clearTimeout(timer);
      server.child.off('message', onMessage);
      resolve(message);
    };
    server.child.on('message', onMessage);
    server.child.send(request);
  });
}

/** Asks a server's probe for its usage; `window` opens or closes a peak-RSS window. */
export function readUsage(server: Server, window?: ProbeRequest['window']): Promise<ProbeUsage> {
  return askProbe<ProbeUsage>(server, { type: 'usage', window }, 'probe');
}

/** Asks a server's phase probe for the requests it timed since the last ask. */
export async function readPhases(server: Server): Promise<PhaseRecord[]> {
  const request: PhaseRequest = { type: 'phases' };
  return (await askProbe<PhaseAnswer>(server, request, 'phase probe')).records;
}

/** Sends SIGTERM and resolves when the process has exited (or after `timeoutMs`). */
export function stop(server: Server, timeoutMs = 35_000): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      server.child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    server.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    server.child.kill('SIGTERM');
  });
}
