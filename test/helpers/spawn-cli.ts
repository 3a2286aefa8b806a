/** Runs the real `ccproxy` bin (the built `dist/`) as a child process. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Path of the bin script. */
export const BIN = join(root, 'bin', 'ccproxy.js');

/** A finished CLI run. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A process run to its end, or killed at its time limit (`timedOut`). */
export interface ProcessRun extends CliRun {
  timedOut: boolean;
}

/**
 * Runs `command args...` with only the given environment (plus PATH), stdin closed, collecting
 * its output; kills it with SIGKILL after `timeoutMs`, so that a hung process fails its test with
 * what it printed instead of stalling the suite or outliving it.
 */
export function runProcess(
  command: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string; timeoutMs: number },
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/**
 * How long a command may run before `runCli` kills it: less than the test timeout, so that a
 * command that never ends (a `serve` that was expected to refuse its settings and started
 * instead) fails its test with its output, and is not left running after the test process.
 */
const RUN_TIMEOUT_MS = 15_000;

/** Runs `ccproxy args...` to completion (killed, and the run rejected, after 15 s). */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = root,
): Promise<CliRun> {
  const run = await runProcess(process.execPath, [BIN, ...args], {
    env,
    cwd,
    timeoutMs: RUN_TIMEOUT_MS,
  });
  if (run.timedOut) {
    throw new Error(
      `ccproxy ${args.join(' ')} did not end within ${RUN_TIMEOUT_MS / 1000} s\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
    );
  }
  return { code: run.code, stdout: run.stdout, stderr: run.stderr };
}

/** A `ccproxy serve` child that has printed its ready line. */
export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `ccproxy serve args...` and waits for `listening on ...`. */
export function startServe(
  args: string[],
  env: Record<string, string> = {},
  cwd = root,
): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start:\n${stdout}\n${stderr}`));
    }, 15_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          stdout: () => stdout,
          stderr: () => stderr,
          stop: (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}
