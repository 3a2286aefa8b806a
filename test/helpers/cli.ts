/**
 * Runs the ccproxy CLI in-process with a captured, injectable `CliIo` and temporary HOME, XDG
 * and working directories, so command tests touch nothing of the real user.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** A CLI sandbox. */
export interface TestCli {
  io: CliIo;
  /** Temporary HOME (also the base of every other directory below). */
  home: string;
  /** `$XDG_DATA_HOME/ccproxy`. */
  dataDir: string;
  stdout(): string;
  stderr(): string;
  /** URLs the command asked to open in a browser. */
  opened: string[];
  /** Every wait the command asked for, in ms (none really happens). */
  sleeps: number[];
  /** Questions the command asked through `prompt`. */
  questions: string[];
  /** Resolves with the first match of `pattern` in stdout once it appears. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Runs `ccproxy <argv>` and resolves to the exit code. */
  run(argv: string[]): Promise<number | undefined>;
}

/** Options of `createTestCli`. */
export interface TestCliOptions {
  /** Extra environment (endpoint overrides, `CODEX_HOME`, ...). */
  env?: Record<string, string>;
  /** Answers `prompt`; it may read what the command printed so far. */
  answer?(question: string, cli: TestCli): Promise<string> | string;
  /** What `openUrl` resolves to (default `true`). */
  browserOpens?: boolean;
  /** Wall clock (default `Date.now`). */
  now?(): number;
}

/** Creates a sandboxed CLI. */
export function createTestCli(options: TestCliOptions = {}): TestCli {
  const home = mkdtempSync(join(tmpdir(), 'ccproxy-cli-'));
  const cwd = join(home, 'work');
  mkdirSync(cwd);
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  const capture = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        append(chunk.toString());
        for (const listener of listeners) listener();
        callback();
      },
    });
  const opened: string[] = [];
  const sleeps: number[] = [];
  const questions: string[] = [];
  const cli: TestCli = {
    home,
    dataDir: join(home, 'data', 'ccproxy'),
    io: {
      stdout: capture((text) => {
        out += text;
      }),
      stderr: capture((text) => {
        err += text;
      }),
      env: {
        HOME: home,
        XDG_DATA_HOME: join(home, 'data'),
        XDG_CONFIG_HOME: join(home, 'config'),
        ...options.env,
      },
      cwd,
      openUrl: async (url) => {
        opened.push(url);
        return options.browserOpens ?? true;
      },
      prompt: async (question) => {
        questions.push(question);
        return options.answer ? options.answer(question, cli) : '';
      },
      fetch: (input, init) => fetch(input, init),
      now: options.now ?? (() => Date.now()),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    },
    stdout: () => out,
    stderr: () => err,
    opened,
    sleeps,
    questions,
    waitForOutput(pattern, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern);
          if (!match) return false;
          listeners.delete(onWrite);
          clearTimeout(timer);
          resolve(match);
          return true;
        };
        const onWrite = () => {
          check();
        };
        const timer = setTimeout(() => {
          listeners.delete(onWrite);
          reject(new Error(`No output matching ${pattern} in:\n${out}\n${err}`));
        }, timeoutMs);
        if (!check()) listeners.add(onWrite);
      });
    },
    run: (argv) => main(argv, cli.io),
  };
  return cli;
}
