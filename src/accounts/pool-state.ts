/**
 * What account pools remember between requests: which account each conversation sticks to, and
 * which accounts rest until their limit resets. The memory backend serves one process; a shared
 * backend (Redis) implements the same interface for several replicas.
 */

/** An account resting until its limit resets. */
export interface RestingAccount {
  provider: string;
  account: string;
  /** Unix milliseconds. */
  until: number;
  /** Why: `rate_limited`, `rejected_credentials`, `plan_exhausted`. */
  reason: string;
}

/** Sticky sessions and cooldowns of every pool. */
export interface PoolState {
  /** The account a conversation is on, if it has one. */
  stickyAccount(provider: string, sessionKey: string): Promise<string | undefined>;
  /** Puts a conversation on an account. */
  stick(provider: string, sessionKey: string, account: string): Promise<void>;
  /** Accounts of a provider resting at `nowMs`, by name. */
  resting(provider: string, nowMs: number): Promise<Map<string, RestingAccount>>;
  /** Rests an account until `until` (a later rest wins over an earlier one). */
  rest(entry: RestingAccount): Promise<void>;
  /** Every resting account of every provider at `nowMs`. */
  allResting(nowMs: number): Promise<RestingAccount[]>;
}

/** Sessions remembered per process before the oldest are forgotten. */
const MAX_STICKY_SESSIONS = 50_000;

/** Creates the in-memory pool state. */
export function createMemoryPoolState(): PoolState {
  const sticky = new Map<string, string>();
  const rests = new Map<string, RestingAccount>();
  const key = (provider: string, name: string) => `${provider}\u0000${name}`;
  return {
    async stickyAccount(provider, sessionKey) {
      const found = sticky.get(key(provider, sessionKey));
      if (found !== undefined) {
        // Refresh its place so active conversations are the last forgotten.
        sticky.delete(key(provider, sessionKey));
        sticky.set(key(provider, sessionKey), found);
      }
      return found;
    },
    async stick(provider, sessionKey, account) {
      sticky.delete(key(provider, sessionKey));
      sticky.set(key(provider, sessionKey), account);
      if (sticky.size > MAX_STICKY_SESSIONS) {
        const oldest = sticky.keys().next().value;
        if (oldest !== undefined) sticky.delete(oldest);
      }
    },
    async resting(provider, nowMs) {
      const found = new Map<string, RestingAccount>();
      for (const entry of rests.values()) {
        if (entry.provider === provider && entry.until > nowMs) found.set(entry.account, entry);
      }
      return found;
    },
    async rest(entry) {
      const previous = rests.get(key(entry.provider, entry.account));
      if (previous && previous.until >= entry.until) return;
      rests.set(key(entry.provider, entry.account), entry);
    },
    async allResting(nowMs) {
      return [...rests.values()].filter((entry) => entry.until > nowMs);
    },
  };
}
