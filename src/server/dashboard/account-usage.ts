/** Presents the recorded plan usage in the shape the dashboard reads (ISO dates, known windows). */

import type { PlanUsageSource } from '../../accounts/plan-usage.js';
import type { AccountPlanUsage, PlanUsageSource as DashboardUsageSource } from './plan-usage.js';

/** The dashboard's view of a usage source; windows of unknown length are left out. */
export function dashboardUsageSource(source: PlanUsageSource): DashboardUsageSource {
  return {
    snapshot: (): AccountPlanUsage[] =>
      source.snapshot().map((usage) => ({
        provider: usage.provider,
        account: usage.account,
        updatedAt: new Date(usage.updatedAt).toISOString(),
        windows: usage.windows.flatMap((window) =>
          window.windowMinutes === undefined
            ? []
            : [
                {
                  usedRatio: window.usedRatio,
                  windowMinutes: window.windowMinutes,
                  ...(window.resetsAt !== undefined
                    ? { resetsAt: new Date(window.resetsAt).toISOString() }
                    : {}),
                },
              ],
        ),
      })),
  };
}
