/**
 * Reads a Claude plan's usage from the `anthropic-ratelimit-unified-*` headers Anthropic sends
 * on every answer to a subscription (OAuth) request: `-status`, and per window (`5h`, `7d`, and
 * any newer one) `-utilization` (0 to 1), `-reset` (Unix seconds) and `-status`.
 */
import type { UsageReport, UsageWindow } from '../../accounts/plan-usage.js';
import { headerNumber } from '../../util/headers.js';

const PREFIX = 'anthropic-ratelimit-unified-';
const UTILIZATION = /^anthropic-ratelimit-unified-(.+)-utilization$/;

/** Minutes of a window named like `5h` or `7d` (`7d_opus` too); `undefined` otherwise. */
export function windowMinutesOf(name: string): number | undefined {
  const match = /^(\d+)([mhd])/.exec(name);
  if (!match) return undefined;
  const count = Number(match[1]);
  return match[2] === 'm' ? count : match[2] === 'h' ? count * 60 : count * 24 * 60;
}

/** Reads the unified rate-limit headers; `undefined` when the answer carried none. */
export function readAnthropicUsageHeaders(headers: Headers): UsageReport | undefined {
  const windows: UsageWindow[] = [];
  headers.forEach((_value, key) => {
    const match = UTILIZATION.exec(key);
    if (!match) return;
    const name = match[1] as string;
    const used = headerNumber(headers, key);
    if (used === undefined) return;
    const reset = headerNumber(headers, `${PREFIX}${name}-reset`);
    const status = headers.get(`${PREFIX}${name}-status`);
    const minutes = windowMinutesOf(name);
    windows.push({
      name,
      usedRatio: used,
      ...(minutes !== undefined ? { windowMinutes: minutes } : {}),
      ...(reset !== undefined && reset > 0 ? { resetsAt: reset * 1000 } : {}),
      ...(status ? { status } : {}),
    });
  });
  const status = headers.get(`${PREFIX}status`);
  if (windows.length === 0 && !status) return undefined;
  return { windows, ...(status ? { status } : {}) };
}

/** The unified reset time (Unix ms) of the windows that rejected, for a cooldown. */
export function anthropicRejectedResetMs(headers: Headers): number | undefined {
  const report = readAnthropicUsageHeaders(headers);
  const overall = headerNumber(headers, `${PREFIX}reset`);
  const resets = (report?.windows ?? [])
    .filter((window) => window.status === 'rejected' || window.usedRatio >= 1)
    .map((window) => window.resetsAt)
    .filter((value): value is number => value !== undefined);
  if (resets.length > 0) return Math.max(...resets);
  return overall !== undefined && overall > 0 ? overall * 1000 : undefined;
}
