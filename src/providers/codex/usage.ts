/**
 * Reads a ChatGPT plan's usage from what the Codex backend sends on every answer: the
 * `x-codex-primary-*` / `x-codex-secondary-*` / `x-codex-credits-*` headers and the
 * `codex.rate_limits` stream event (WIRE-FORMATS §3.2; codex-rs `codex-api/src/rate_limits.rs`).
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { UsageCredits, UsageReport, UsageWindow } from '../../accounts/plan-usage.js';
import type { UpstreamBody } from '../../http/upstream-fetch.js';
import { headerNumber } from '../../util/headers.js';
import {
  getNumber,
  getRecord,
  getString,
  isRecord,
  type JsonObject,
  tryParseJson,
} from '../../util/json.js';

const WINDOWS = ['primary', 'secondary'] as const;

function headerBoolean(headers: Headers, name: string): boolean | undefined {
  const raw = headers.get(name)?.trim().toLowerCase();
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return undefined;
}

/** The numbers of one window as Codex sends them, in headers or in the event alike. */
interface CodexWindowNumbers {
  /** Percent used (0 to 100). */
  used: number;
  minutes: number | undefined;
  /** Absolute reset, Unix seconds. */
  resetAt: number | undefined;
  /** Relative reset, seconds from now: used when no absolute one came. */
  resetAfter: number | undefined;
}

function codexWindow(name: string, nowMs: number, numbers: CodexWindowNumbers): UsageWindow {
  const { used, minutes, resetAt, resetAfter } = numbers;
  return {
    name,
    usedRatio: used / 100,
    ...(minutes !== undefined ? { windowMinutes: minutes } : {}),
    ...(resetAt !== undefined
      ? { resetsAt: resetAt * 1000 }
      : resetAfter !== undefined
        ? { resetsAt: nowMs + resetAfter * 1000 }
        : {}),
  };
}

/** Reads the usage headers; `undefined` when the answer carried none. */
export function readCodexUsageHeaders(headers: Headers, nowMs: number): UsageReport | undefined {
  const windows: UsageWindow[] = [];
  for (const name of WINDOWS) {
    const used = headerNumber(headers, `x-codex-${name}-used-percent`);
    if (used === undefined) continue;
    windows.push(
      codexWindow(name, nowMs, {
        used,
        minutes: headerNumber(headers, `x-codex-${name}-window-minutes`),
        resetAt: headerNumber(headers, `x-codex-${name}-reset-at`),
        // Older backends sent a relative reset instead (observed 2025-09).
        resetAfter: headerNumber(headers, `x-codex-${name}-reset-after-seconds`),
      }),
    );
  }
  const credits: UsageCredits = {};
  const hasCredits = headerBoolean(headers, 'x-codex-credits-has-credits');
  const unlimited = headerBoolean(headers, 'x-codex-credits-unlimited');
  const balance = headers.get('x-codex-credits-balance');
  if (hasCredits !== undefined) credits.hasCredits = hasCredits;
  if (unlimited !== undefined) credits.unlimited = unlimited;
  if (balance !== null && balance !== '') credits.balance = balance;
  const hasCreditFields = Object.keys(credits).length > 0;
  if (windows.length === 0 && !hasCreditFields) return undefined;
  return { windows, ...(hasCreditFields ? { credits } : {}) };
}

function eventWindow(
  name: string,
  data: JsonObject | undefined,
  nowMs: number,
): UsageWindow | undefined {
  if (!data) return undefined;
  const used = getNumber(data, 'used_percent');
  if (used === undefined) return undefined;
  return codexWindow(name, nowMs, {
    used,
    minutes: getNumber(data, 'window_minutes'),
    resetAt: getNumber(data, 'reset_at') ?? getNumber(data, 'resets_at'),
    resetAfter: getNumber(data, 'reset_after_seconds') ?? getNumber(data, 'resets_in_seconds'),
  });
}

/** Reads a `codex.rate_limits` event's payload; `undefined` when it holds no usable numbers. */
export function readCodexRateLimitsEvent(data: unknown, nowMs: number): UsageReport | undefined {
  if (!isRecord(data)) return undefined;
  const limits = getRecord(data, 'rate_limits') ?? data;
  const windows: UsageWindow[] = [];
  for (const name of WINDOWS) {
    const window = eventWindow(name, getRecord(limits, name), nowMs);
    if (window) windows.push(window);
  }
  const creditData = getRecord(data, 'credits');
  const credits: UsageCredits = {};
  if (creditData) {
    if (typeof creditData.has_credits === 'boolean') credits.hasCredits = creditData.has_credits;
    if (typeof creditData.unlimited === 'boolean') credits.unlimited = creditData.unlimited;
    const balance = creditData.balance;
    if (typeof balance === 'string' || typeof balance === 'number')
      credits.balance = String(balance);
  }
  const plan = getString(data, 'plan_type');
  const hasCredits = Object.keys(credits).length > 0;
  if (windows.length === 0 && !hasCredits) return undefined;
  return {
    windows,
    ...(hasCredits ? { credits } : {}),
    ...(plan !== undefined ? { plan } : {}),
  };
}

/** How far into a stream `codex.rate_limits` is looked for (it comes first, observed 2025-09). */
const SCAN_LIMIT_BYTES = 64 * 1024;

const NEEDLE = Buffer.from('codex.rate_limits');
/** Blank lines that end an SSE event whatever the line ends (`\n\n`, `\r\r`, `\r\n\r\n`). */
const LF = Buffer.from('\n');
const BLANK_LINES = [Buffer.from('\n\n'), Buffer.from('\r\r'), Buffer.from('\r\n\r\n')];
const LF_BLANK_LINES = [Buffer.from('\n\n')];

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The blank lines worth searching `chunk` for: those with a CR only when it has one. */
function blankLinesIn(chunk: Buffer): readonly Buffer[] {
  return chunk.indexOf(0x0d) < 0 ? LF_BLANK_LINES : BLANK_LINES;
}

/**
 * The offset just past the last blank line in `chunk` (an event boundary), or -1. A CR that ends
 * the chunk is no boundary yet: an LF may follow in the next chunk (the parser waits for it too).
 */
function lastBoundary(chunk: Buffer): number {
  let end = -1;
  for (const blank of blankLinesIn(chunk)) {
    const at = chunk.lastIndexOf(blank);
    if (at < 0) continue;
    let after = at + blank.length;
    if (chunk[after - 1] === 0x0d) {
      if (after === chunk.length) continue;
      if (chunk[after] === 0x0a) after++;
    }
    end = Math.max(end, after);
  }
  return end;
}

/** The offset just past the first blank line in `chunk` from `from` on, or -1 (as `lastBoundary`). */
function firstBoundary(chunk: Buffer, from: number): number {
  let end = -1;
  for (const blank of blankLinesIn(chunk)) {
    const at = chunk.indexOf(blank, from);
    if (at < 0) continue;
    let after = at + blank.length;
    if (chunk[after - 1] === 0x0d) {
      if (after === chunk.length) continue;
      if (chunk[after] === 0x0a) after++;
    }
    if (end < 0 || after < end) end = after;
  }
  return end;
}

/**
 * Where the last `codex.rate_limits` in `chunk` ends, or -1 when there is none. `tail` holds the
 * stream's bytes just before `chunk` (up to the name's length less one), for a name cut in two.
 */
function lastNeedleEnd(tail: Buffer, chunk: Buffer): number {
  const at = chunk.lastIndexOf(NEEDLE);
  if (at >= 0) return at + NEEDLE.length;
  if (tail.length === 0) return -1;
  const seam = Buffer.concat([tail, chunk.subarray(0, NEEDLE.length - 1)]);
  const across = seam.indexOf(NEEDLE);
  return across >= 0 ? across + NEEDLE.length - tail.length : -1;
}

/** The last bytes of `tail` then `chunk`, as many as a name cut in two may have before the cut. */
function nextTail(tail: Buffer, chunk: Buffer): Buffer {
  const keep = NEEDLE.length - 1;
  if (chunk.length >= keep) return Buffer.from(chunk.subarray(chunk.length - keep));
  const joined = Buffer.concat([tail, chunk]);
  return joined.subarray(Math.max(0, joined.length - keep));
}

/**
 * Wraps a Codex stream body so the `codex.rate_limits` events among its first 64 KiB are reported.
 * The bytes pass through untouched; scanning stops after that prefix, so long streams cost nothing.
 * Within the prefix, only a byte search runs until the bytes `codex.rate_limits` appear: the
 * chunks since the last event boundary (a blank line) are kept, and only when the name shows up
 * are they decoded and SSE-parsed, up to the blank line that ends the event holding it. The
 * events parsed are those a parser fed the whole prefix would give (an event starts after a
 * blank line), so the reports are the same.
 */
export function tapCodexRateLimits(
  body: UpstreamBody,
  onReport: (report: UsageReport) => void,
  now: () => number,
): UpstreamBody {
  let scanned = 0;
  /** Chunks since the last event boundary, not yet parsed. */
  let pending: Buffer[] = [];
  /** Whether `pending` starts at the first byte of the stream (a BOM there is the stream's). */
  let atStart = true;
  let tail: Buffer = Buffer.alloc(0);
  /** The parser of the segment being read, while an event holding the name is unfinished. */
  let segment: { feed(bytes: Uint8Array): void } | undefined;

  function onEvent(message: EventSourceMessage): void {
    if (message.event !== 'codex.rate_limits' && !message.data.includes('codex.rate_limits'))
      return;
    const data = tryParseJson(message.data);
    if (!isRecord(data) || (data.type !== undefined && data.type !== 'codex.rate_limits')) return;
    const report = readCodexRateLimitsEvent(data, now());
    if (report) onReport(report);
  }

  function openSegment(): { feed(bytes: Uint8Array): void } {
    // A segment after the first starts mid-stream: a BOM there is text, as it is for one decoder.
    const decoder = new TextDecoder('utf-8', { ignoreBOM: !atStart });
    const parser = createParser({ onEvent });
    return { feed: (bytes) => parser.feed(decoder.decode(bytes, { stream: true })) };
  }

  function scan(chunk: Buffer): void {
    const needleEnd = lastNeedleEnd(tail, chunk);
    tail = nextTail(tail, chunk);
    const last = lastBoundary(chunk);
    if (!segment && needleEnd < 0) {
      const boundary = last;
      if (boundary < 0) pending.push(chunk);
      else {
        pending = boundary < chunk.length ? [chunk.subarray(boundary)] : [];
        atStart = false;
      }
      return;
    }
    if (!segment) {
      segment = openSegment();
      for (const bytes of pending) segment.feed(bytes);
      pending = [];
    }
    // The first blank line after the last name ends every event holding it.
    const boundary = last < 0 ? -1 : firstBoundary(chunk, Math.max(0, needleEnd));
    if (boundary >= 0) {
      segment.feed(chunk.subarray(0, boundary));
      // A parser holds a last CR until it sees whether LF follows; the next byte is no LF.
      if (chunk[boundary - 1] === 0x0d) segment.feed(LF);
      // Back to searching bytes, keeping what follows the chunk's last blank line.
      segment = undefined;
      atStart = false;
      pending = last < chunk.length ? [chunk.subarray(Math.max(last, boundary))] : [];
    } else segment.feed(chunk);
  }

  return {
    async read() {
      const next = await body.read();
      if (!next.done && scanned < SCAN_LIMIT_BYTES) {
        scanned += next.value.byteLength;
        try {
          scan(bufferOf(next.value));
        } catch {
          // Usage is best effort: a malformed prefix never costs the stream.
          scanned = SCAN_LIMIT_BYTES;
        }
        if (scanned >= SCAN_LIMIT_BYTES) {
          pending = [];
          segment = undefined;
        }
      }
      return next;
    },
    cancel: (reason) => body.cancel(reason),
  };
}

/**
 * When a limited Codex account may be used again: the reset of the windows its headers show at
 * 100 % (the latest of them); `undefined` when no window is full (a short burst limit: then
 * `retry-after` or the body decides, not a weekly reset days away).
 */
export function codexLimitResetAt(headers: Headers, nowMs: number): number | undefined {
  const windows = readCodexUsageHeaders(headers, nowMs)?.windows ?? [];
  const resets = windows
    .filter((window) => window.usedRatio >= 1)
    .map((window) => window.resetsAt)
    .filter((value): value is number => value !== undefined && value > nowMs);
  return resets.length > 0 ? Math.max(...resets) : undefined;
}
