/** What commands touch of the outside world, injectable so commands can be tested in-process. */
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { openUrl } from '../auth/open-url.js';

/**
 * The command-line environment. The optional members have real defaults (`processIo()` sets them
 * all); tests inject fakes so nothing opens a browser, reads stdin or sleeps.
 */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Opens a URL in the browser; resolves `false` when it could not (the caller printed it). */
  openUrl?(url: string): Promise<boolean>;
  /** Shows `question` and reads one line from the user; `''` when input ended. */
  prompt?(question: string): Promise<string>;
  /** HTTP client for sign-in and status requests. */
  fetch?: typeof fetch;
  /** Wall-clock milliseconds. */
  now?(): number;
  /** Waits, e.g. between device-flow polls. */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Reads one line from stdin after writing `question` to stderr (stdout stays for results). */
export function promptLine(question: string): Promise<string> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin, output: process.stderr });
    let answered = false;
    lines.question(question, (answer) => {
      answered = true;
      lines.close();
      resolve(answer);
    });
    lines.once('close', () => {
      if (answered) return;
      // Input ended (Ctrl-D, closed pipe): finish the prompt's line before anything else prints.
      process.stderr.write('\n');
      resolve('');
    });
  });
}

/** The real process's IO. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    openUrl: (url) => openUrl(url),
    prompt: promptLine,
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    sleep: (ms, signal) => delay(ms, undefined, { signal }),
  };
}

/** Thrown for a usage error (bad flag value, bad config): the CLI exits with status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Thrown when a command fails at run time (sign-in denied or expired, network failure, refused
 * action): the CLI prints its one-line message and exits with status 1.
 */
export class CommandFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailure';
  }
}
