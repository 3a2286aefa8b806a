/** The logger: pino, JSON lines (or readable lines on a terminal), with redaction built in. */
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import pino, { type Logger as PinoLogger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogLevel } from '../config/schema.js';
import { scrubSecrets } from '../util/secrets.js';
import { BatchedDestination } from './batched-destination.js';
import { redactValue } from './redact.js';

/** The logger type used across the project (pino's, with child loggers per request). */
export type Logger = PinoLogger;

/** Options of `createLogger`. */
export interface LoggerOptions {
  level: LogLevel;
  /** `json` lines, `pretty` readable lines, or `auto` (pretty when the destination is a TTY). */
  format: 'auto' | 'json' | 'pretty';
  /** Where lines go (default: stderr). */
  destination?: Writable & { isTTY?: boolean };
  /** Also append JSON lines to this file. */
  file?: string;
}

let lastMs = Number.NaN;
let lastStamp = '';

/**
 * pino's `isoTime` field (`,"time":"2026-12-04T22:53:49.771Z"`), formatted once per millisecond:
 * under load many lines share one, and `toISOString` was 1% of a request's CPU.
 */
export function isoTimestamp(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastStamp = `,"time":"${new Date(ms).toISOString()}"`;
  }
  return lastStamp;
}

/** Writes a whole JSON line (ending in a newline) to a logger's own destinations. */
export type JsonLineWriter = (line: string) => void;

const lineWriters = new WeakMap<Logger, JsonLineWriter>();

/**
 * The line writer of a root logger made by `createLogger` that writes JSON lines, for a caller
 * that formats a hot line itself, exactly as pino would (the access log: pino's generic
 * formatting of one line was about 2 µs of a request's CPU); `undefined` for a logger that
 * writes readable lines, a child logger, or any other logger, which the caller logs through.
 * The caller checks the level (`isLevelEnabled`) first.
 */
export function jsonLineWriter(logger: Logger): JsonLineWriter | undefined {
  return lineWriters.get(logger);
}

/**
 * pino-pretty, loaded only for readable lines (a terminal, or `logging.format = "pretty"`): a
 * server writing JSON lines never uses it, and it holds 1 MB of live heap.
 */
function loadPinoPretty(): typeof PinoPretty {
  return createRequire(import.meta.url)('pino-pretty');
}

/**
 * Creates the root logger. Every object logged passes through `redactValue` (secret fields and
 * secret-looking strings are replaced) and every message through `scrubSecrets`, at every level.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stderr;
  const pretty =
    options.format === 'pretty' || (options.format === 'auto' && destination.isTTY === true);
  const main = pretty
    ? loadPinoPretty()({
        destination,
        sync: true,
        colorize: destination.isTTY === true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname',
      })
    : destination === process.stderr
      ? // JSON lines to the process's own stderr: the lines of one turn of the event loop leave
        // in one synchronous write (batched-destination.ts), as Node itself writes to a stderr
        // that is a file or a pipe on Linux: no Writable stream per line, no thread-pool round
        // trip per write. What is pending is written at exit and by `logger.flush()`.
        new BatchedDestination(pino.destination({ dest: 2, sync: true }))
      : destination;
  const fileDestination = options.file
    ? new BatchedDestination(
        pino.destination({ dest: options.file, append: true, mkdir: true, sync: true }),
      )
    : undefined;
  const stream = fileDestination
    ? pino.multistream([
        { stream: main, level: options.level },
        { stream: fileDestination, level: options.level },
      ])
    : main;
  const logger = pino(
    {
      level: options.level,
      base: undefined,
      timestamp: isoTimestamp,
      messageKey: 'msg',
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactValue(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
  if (!pretty) {
    lineWriters.set(
      logger,
      fileDestination
        ? (line) => {
            main.write(line);
            fileDestination.write(line);
          }
        : (line) => main.write(line),
    );
  }
  return logger;
}

/** The level methods of a deferred child (`deferredChild`): each makes the child when its level is on. */
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
const CHILD = Symbol('ccproxy.child');
const BINDINGS = Symbol('ccproxy.bindings');

interface Deferred {
  [CHILD]?: Logger;
  [BINDINGS]: () => pino.Bindings;
}

/** Per parent: the prototype of its deferred children (below the parent, so they read its level). */
const deferredPrototypes = new WeakMap<Logger, object>();

function deferredPrototype(parent: Logger): object {
  const known = deferredPrototypes.get(parent);
  if (known !== undefined) return known;
  const made = (self: Deferred): Logger => {
    self[CHILD] ??= parent.child(self[BINDINGS]());
    return self[CHILD];
  };
  const prototype: Record<string, unknown> = Object.create(parent);
  for (const level of LEVELS) {
    prototype[level] = function (this: Logger & Deferred, ...args: unknown[]) {
      // A level that is off makes no child (`isLevelEnabled` reads the parent's level).
      if (!this.isLevelEnabled(level)) return;
      (made(this)[level] as (...logged: unknown[]) => void)(...args);
    };
  }
  prototype.child = function (this: Deferred, ...args: Parameters<Logger['child']>) {
    return made(this).child(...args);
  };
  prototype.bindings = function (this: Deferred) {
    return made(this).bindings();
  };
  prototype.setBindings = function (this: Deferred, bindings: pino.Bindings) {
    made(this).setBindings(bindings);
  };
  deferredPrototypes.set(parent, prototype);
  return prototype;
}

/**
 * `parent.child(bindings())`, made when something first logs through it at a level that is on
 * (or asks for its bindings or a child of it). A request's logger: most requests log nothing, and
 * pino's child (its bindings serialised, an object over the parent's many properties) cost
 * 5-7 µs of a short request's time before its upstream call at concurrency 1 (the bench's phase
 * probe, three builds interleaved, three runs). Everything else (its level, `isLevelEnabled`, `flush`) is
 * the parent's, as it is a pino child's; its level is not to be set on it (a child would keep it
 * to itself, this one would log without its bindings).
 */
export function deferredChild(parent: Logger, bindings: () => pino.Bindings): Logger {
  const deferred = Object.create(deferredPrototype(parent)) as Logger & Deferred;
  deferred[BINDINGS] = bindings;
  return deferred;
}

/** A logger that writes nothing (tests, library use). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
