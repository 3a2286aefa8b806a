/**
 * Reads a Copilot plan's quotas from GitHub's `/copilot_internal/user` answer (what the editors
 * show): paid plans' `quota_snapshots` (`premium_interactions`, `chat`, `completions`: entitlement,
 * `percent_remaining`, `unlimited`) with `quota_reset_date`, and the free plan's
 * `limited_user_quotas` (remaining) over `monthly_quotas` with `limited_user_reset_date`
 * (observed 2025-10 in editor tooling; undocumented, so read leniently).
 */
import type { UsageReport, UsageWindow } from '../../accounts/plan-usage.js';
import { getNumber, getRecord, getString, isRecord } from '../../util/json.js';

function resetOf(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The quotas of a `/copilot_internal/user` body; `undefined` when it has none. */
export function readCopilotQuota(body: unknown): UsageReport | undefined {
  if (!isRecord(body)) return undefined;
  const windows: UsageWindow[] = [];
  const snapshots = getRecord(body, 'quota_snapshots');
  const paidReset = resetOf(
    getString(body, 'quota_reset_date_utc') ?? getString(body, 'quota_reset_date'),
  );
  for (const [name, snapshot] of Object.entries(snapshots ?? {})) {
    if (!isRecord(snapshot) || snapshot.unlimited === true) continue;
    const entitlement = getNumber(snapshot, 'entitlement');
    const percentRemaining = getNumber(snapshot, 'percent_remaining');
    if (!entitlement || percentRemaining === undefined) continue;
    windows.push({
      name,
      usedRatio: Math.max(0, 1 - percentRemaining / 100),
      ...(paidReset !== undefined ? { resetsAt: paidReset } : {}),
    });
  }
  const remaining = getRecord(body, 'limited_user_quotas');
  const monthly = getRecord(body, 'monthly_quotas');
  const freeReset = resetOf(getString(body, 'limited_user_reset_date'));
  for (const [name, left] of Object.entries(remaining ?? {})) {
    const total = monthly ? getNumber(monthly, name) : undefined;
    if (typeof left !== 'number' || !total) continue;
    windows.push({
      name,
      usedRatio: Math.max(0, 1 - left / total),
      ...(freeReset !== undefined ? { resetsAt: freeReset } : {}),
    });
  }
  const plan = getString(body, 'copilot_plan');
  if (windows.length === 0) return undefined;
  return { windows, ...(plan ? { plan } : {}) };
}
