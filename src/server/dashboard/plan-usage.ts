/** Plan usage per account (5-hour and weekly windows): the interface the dashboard reads, and a store. */

/** One rate-limit window of a plan, as the upstream last reported it. */
export interface PlanUsageWindow {
  /** Share of the window already used, 0..1 (may exceed 1 when the upstream says so). */
  usedRatio: number;
  /** Window length in minutes (300 for the 5-hour window, 10080 for the weekly one). */
  windowMinutes: number;
  /** When the window resets (ISO date), when the upstream said. */
  resetsAt?: string;
}

/** What one account's latest answer carried about its plan. */
export interface AccountPlanUsage {
  /** Provider id (`codex`, `claude`, ...). */
  provider: string;
  /** Account label (an email, an account id, or a configured name); never a secret. */
  account: string;
  windows: PlanUsageWindow[];
  /** When these figures were received (ISO date). */
  updatedAt: string;
}

/** Where the dashboard reads plan usage from. */
export interface PlanUsageSource {
  /** Every account's latest plan usage; empty until an answer has carried some. */
  snapshot(): AccountPlanUsage[];
}

/** The default source: nothing reported yet. */
export const emptyPlanUsage: PlanUsageSource = { snapshot: () => [] };

/** An in-memory source the providers (or tests) report into. */
export interface PlanUsageStore extends PlanUsageSource {
  /** Replaces what is known about one account's windows. */
  report(provider: string, account: string, windows: PlanUsageWindow[], at?: Date): void;
}

/** Creates an empty in-memory plan-usage store. */
export function createPlanUsageStore(): PlanUsageStore {
  const accounts = new Map<string, AccountPlanUsage>();
  return {
    report(provider, account, windows, at = new Date()) {
      accounts.set(`${provider}\u0000${account}`, {
        provider,
        account,
        windows: windows.map((window) => ({ ...window })),
        updatedAt: at.toISOString(),
      });
    },
    snapshot() {
      return [...accounts.values()].map((entry) => ({
        ...entry,
        windows: entry.windows.map((window) => ({ ...window })),
      }));
    },
  };
}
