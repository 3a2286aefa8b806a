/** Opens a URL in the user's browser with the platform's opener, and never throws. */
import { type ChildProcess, spawn } from 'node:child_process';

/** Options of `openUrl` (injectable for tests). */
export interface OpenUrlOptions {
  platform?: NodeJS.Platform;
  env?: Record<string, string | undefined>;
  spawn?: typeof spawn;
  /** How long to wait for the opener to fail before assuming it worked. */
  settleMs?: number;
}

/** The opener command for a platform, or `undefined` when there is no way to open a browser. */
export function openerCommand(
  url: string,
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
): { command: string; args: string[]; verbatim?: boolean } | undefined {
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') {
    // `start` is a cmd built-in; the empty title and the quotes keep `&` in the URL from being
    // read as a command separator.
    return { command: 'cmd', args: ['/c', 'start', '""', `"${url}"`], verbatim: true };
  }
  // Without a display (SSH session, container) xdg-open falls back to text browsers or fails
  // after a long delay; printing the URL is more useful.
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY && !env.BROWSER) return undefined;
  return { command: 'xdg-open', args: [url] };
}

/**
 * Tries to open `url` in a browser. Resolves `true` when an opener started and did not fail
 * quickly, `false` otherwise (the caller then relies on the URL it printed).
 */
export async function openUrl(url: string, options: OpenUrlOptions = {}): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Only web URLs: an opener handed a `file:` or custom-scheme URL could run something.
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  const opener = openerCommand(
    parsed.toString(),
    options.platform ?? process.platform,
    options.env ?? process.env,
  );
  if (!opener) return false;
  const start = options.spawn ?? spawn;
  let child: ChildProcess;
  try {
    child = start(opener.command, opener.args, {
      stdio: 'ignore',
      detached: true,
      windowsVerbatimArguments: opener.verbatim ?? false,
    });
  } catch {
    return false;
  }
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      // Still running: some openers stay in the foreground while the browser runs.
      child.unref();
      resolve(true);
    }, options.settleMs ?? 1500);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}
