/**
 * Plan usage per provider and account, as the upstreams report it on every answer (Codex
 * `x-codex-*` headers and `codex.rate_limits` events, Anthropic `anthropic-ratelimit-unified-*`
 * headers): an in-process store that `/health`, `/metrics` and `ccproxy status` read.
 */

/** One limit window of a plan (Codex `primary`/`secondary`, Anthropic `5h`/`7d`). */
export interface UsageWindow {
  /** The upstream's name for the window: `primary`, `secondary`, `5h`, `7d`, ... */
  name: string;
  /** Share of the window's allowance used, 0 to 1 (may exceed 1 when the upstream says so). */
  usedRatio: number;
  /** Length of the window in minutes, when known. */
  windowMinutes?: number;
  /** When the window resets, in Unix milliseconds, when known. */
  resetsAt?: number;
  /** The upstream's own status for the window (`allowed`, `allowed_warning`, `rejected`). */
  status?: string;
}

/** Credits of a Codex plan (`x-codex-credits-*`). */
export interface UsageCredits {
  hasCredits?: boolean;
  unlimited?: boolean;
  balance?: string;
}

/** What one upstream answer said about the plan. */
export interface UsageReport {
  windows: UsageWindow[];
  /** Overall status (`anthropic-ratelimit-unified-status`). */
  status?: string;
  /** Plan name when the upstream gave one (`plan_type`). */
  plan?: string;
  credits?: UsageCredits;
}

/** The latest known usage of one account. */
export interface AccountUsage extends UsageReport {
  provider: string;
  account: string;
  /** When the latest report arrived, in Unix milliseconds. */
  updatedAt: number;
}

/** The read side: a snapshot of every account's usage (the dashboard and `/health` read it). */
export interface PlanUsageSource {
  /** Every account with a report, sorted by provider then account. */
  snapshot(): AccountUsage[];
}

/** The write side, handed to providers. */
export interface PlanUsageRecorder {
  record(provider: string, account: string, report: UsageReport): void;
}

/** Both sides. */
export interface PlanUsageStore extends PlanUsageSource, PlanUsageRecorder {
  /** The latest usage of one account, if any. */
  get(provider: string, account: string): AccountUsage | undefined;
  /** Called after every recorded report (a shared backend mirrors it). */
  onRecord?: (usage: AccountUsage) => void;
  /** Takes an account's usage another replica recorded, when it is newer than ours. */
  absorb(usage: AccountUsage): void;
  /** Calls `listener` after every change (recorded or absorbed); returns the unsubscribe. */
  watch(listener: () => void): () => void;
}

/**
 * The ratio of the fullest window that has not reset yet; 0 without data. Used to pick the
 * account with the most headroom.
 */
export function usedRatioOf(usage: AccountUsage | undefined, nowMs: number): number {
  if (!usage) return 0;
  let ratio = 0;
  for (const window of usage.windows) {
    if (window.resetsAt !== undefined && window.resetsAt <= nowMs) continue;
    ratio = Math.max(ratio, window.usedRatio);
  }
  return ratio;
}

/** Merges a report into what was known: windows replace windows of the same name. */
export function mergeUsage(previous: AccountUsage | undefined, next: AccountUsage): AccountUsage {
  if (!previous) return next;
  const windows = new Map(previous.windows.map((window) => [window.name, window]));
  for (const window of next.windows) windows.set(window.name, window);
  return {
    ...previous,
    ...next,
    windows: [...windows.values()].sort((a, b) => a.name.localeCompare(b.name)),
    ...(next.credits || previous.credits
      ? { credits: { ...previous.credits, ...next.credits } }
      : {}),
  };
}

/** Creates the in-memory store; `now` gives Unix milliseconds. */
export function createPlanUsageStore(now: () => number = Date.now): PlanUsageStore {
  const accounts = new Map<string, AccountUsage>();
  const key = (provider: string, account: string) => `${provider}\u0000${account}`;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };
  const store: PlanUsageStore = {
    record(provider, account, report) {
      if (report.windows.length === 0 && !report.credits && !report.status) return;
      const merged = mergeUsage(accounts.get(key(provider, account)), {
        provider,
        account,
        updatedAt: now(),
        ...report,
        windows: [...report.windows].sort((a, b) => a.name.localeCompare(b.name)),
      });
      accounts.set(key(provider, account), merged);
      store.onRecord?.(merged);
      changed();
    },
    get: (provider, account) => accounts.get(key(provider, account)),
    absorb(usage) {
      const known = accounts.get(key(usage.provider, usage.account));
      if (known && known.updatedAt >= usage.updatedAt) return;
      accounts.set(key(usage.provider, usage.account), usage);
      changed();
    },
    watch(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    snapshot: () =>
      [...accounts.values()].sort(
        (a, b) => a.provider.localeCompare(b.provider) || a.account.localeCompare(b.account),
      ),
  };
  return store;
}

/** An account resting until its limit resets (pool state), for `/health`. */
export interface RestingMark {
  provider: string;
  account: string;
  /** Unix milliseconds. */
  until: number;
  reason: string;
}

/**
 * A snapshot as JSON for `/health` (ISO dates instead of milliseconds), with each resting
 * account marked (and listed even before it reported any usage).
 */
export function usageToJson(
  usage: readonly AccountUsage[],
  resting: readonly RestingMark[] = [],
): Array<Record<string, unknown>> {
  const restOf = new Map(resting.map((mark) => [`${mark.provider}\u0000${mark.account}`, mark]));
  const entries: AccountUsage[] = [...usage];
  for (const mark of resting) {
    if (!usage.some((entry) => entry.provider === mark.provider && entry.account === mark.account))
      entries.push({ provider: mark.provider, account: mark.account, updatedAt: 0, windows: [] });
  }
  entries.sort(
    (a, b) => a.provider.localeCompare(b.provider) || a.account.localeCompare(b.account),
  );
  return entries.map((entry) => ({
    provider: entry.provider,
    account: entry.account,
    ...(entry.plan !== undefined ? { plan: entry.plan } : {}),
    ...(entry.status !== undefined ? { status: entry.status } : {}),
    ...(entry.updatedAt > 0 ? { updatedAt: new Date(entry.updatedAt).toISOString() } : {}),
    windows: entry.windows.map((window) => ({
      name: window.name,
      usedRatio: window.usedRatio,
      ...(window.windowMinutes !== undefined ? { windowMinutes: window.windowMinutes } : {}),
      ...(window.resetsAt !== undefined
        ? { resetsAt: new Date(window.resetsAt).toISOString() }
        : {}),
      ...(window.status !== undefined ? { status: window.status } : {}),
    })),
    ...(entry.credits ? { credits: entry.credits } : {}),
    ...(() => {
      const mark = restOf.get(`${entry.provider}\u0000${entry.account}`);
      return mark
        ? { resting: { until: new Date(mark.until).toISOString(), reason: mark.reason } }
        : {};
    })(),
  }));
}
