/** Starts a helper process of the scripts and waits for the port it prints. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Runs `node args...` in the repository and resolves once it printed its port
 * (`listening PORT` or `listening on http://127.0.0.1:PORT`). With `ipc`, the child gets an IPC
 * channel (the bench's probe answers on it).
 */
export function startChild(
  args: string[],
  env: Record<string, string> = {},
  options: { ipc?: boolean } = {},
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: options.ipc ? ['ignore', 'pipe', 'ignore', 'ipc'] : ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /127\.0\.0\.1:(\d+)|listening (\d+)/.exec(out);
      if (match) resolve({ child, port: Number(match[1] ?? match[2]) });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
}
