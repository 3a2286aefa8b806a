/**
 * Reads a ChatGPT plan's usage from what the Codex backend sends on every answer: the
 * `x-codex-primary-*` / `x-codex-secondary-*` / `x-codex-credits-*` headers and the
 * `codex.rate_limits` stream event (WIRE-FORMATS §3.2; codex-rs `codex-api/src/rate_limits.rs`).
 */
import type { UsageCredits, UsageReport, UsageWindow } from '../../accounts/plan-usage.js';
import { headerNumber } from '../../util/headers.js';
import { getNumber, getRecord, getString, isRecord, type JsonObject } from '../../util/json.js';

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
