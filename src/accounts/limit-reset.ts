/** When a rate-limited account may be used again: the upstream's `retry-after` or reset fields. */
import { getNumber, getRecord, isRecord, tryParseJson } from '../util/json.js';

/** Parses `retry-after` (seconds or an HTTP date) into Unix milliseconds. */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? nowMs + seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) ? date : undefined;
}

/**
 * The reset a 429 body names: the Codex backend's `{"error":{"resets_in_seconds":…}}` or
 * `resets_at` (observed 2025-09, no `retry-after` header with it).
 */
export function bodyResetMs(body: string, nowMs: number): number | undefined {
  const parsed = tryParseJson(body);
  if (!isRecord(parsed)) return undefined;
  const inner = getRecord(parsed, 'error') ?? parsed;
  const inSeconds = getNumber(inner, 'resets_in_seconds');
  if (inSeconds !== undefined && inSeconds >= 0) return nowMs + inSeconds * 1000;
  const at = getNumber(inner, 'resets_at');
  return at !== undefined && at > 0 ? at * 1000 : undefined;
}

/** Formats a wait for `retry-after`: whole seconds, at least 1. */
export function retryAfterSeconds(untilMs: number, nowMs: number): string {
  return String(Math.max(1, Math.ceil((untilMs - nowMs) / 1000)));
}
