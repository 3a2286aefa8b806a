/** Single-flight credential refresh: one refresh at a time per account, shared by every caller. */
import type { RefreshLock } from './credential-store.js';

/** Options of `createCredentialCache`. */
export interface CredentialCacheOptions<C> {
  /** Loads the current credentials from their store (may return fresher ones written by another tool). */
  load(): Promise<C | undefined>;
  /** Whether credentials must be refreshed before use. */
  needsRefresh(credentials: C): boolean;
  /** Exchanges credentials for new ones and persists them. Called by one caller at a time. */
  refresh(credentials: C): Promise<C>;
  /** Whether two credential values hold the same access token. */
  sameToken(a: C, b: C): boolean;
  /** The error to throw when there are no credentials at all. */
  missing(): Error;
  /**
   * Held around each refresh (a lock shared by replicas): inside it the store is read again, so
   * a refresh another replica finished is used instead of spending the refresh token twice.
   */
  lock?: RefreshLock;
}

/** Shared, refreshing credentials. */
export interface CredentialCache<C> {
  /** Valid credentials, refreshed first when they are expired or near expiry. */
  get(): Promise<C>;
  /**
   * Called after the upstream rejected `rejected` (HTTP 401). If the token was replaced since,
   * returns the replacement without refreshing again; otherwise refreshes once for everyone.
   */
  refreshAfterRejection(rejected: C): Promise<C>;
  /** Forget the cached value (the store changed). */
  invalidate(): void;
}

/** Creates a credential cache whose refreshes are single-flight. */
export function createCredentialCache<C>(options: CredentialCacheOptions<C>): CredentialCache<C> {
  let current: C | undefined;
  let inFlight: Promise<C> | undefined;
  let loading: Promise<C> | undefined;

  /** The first load is shared too: concurrent first requests wait for one load. */
  function loadCurrent(): Promise<C> {
    loading ??= (async () => {
      try {
        const loaded = await options.load();
        if (loaded === undefined) throw options.missing();
        current = loaded;
        return loaded;
      } finally {
        loading = undefined;
      }
    })();
    return loading;
  }

  function refreshOnce(from: C): Promise<C> {
    if (inFlight) return inFlight;
    const underLock = (action: () => Promise<C>) =>
      options.lock ? options.lock.run(action) : action();
    inFlight = (async () => {
      try {
        return await underLock(() => refreshNow(from));
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  }

  async function refreshNow(from: C): Promise<C> {
    // Another tool (the Codex CLI, Claude Code) or replica may have refreshed already: refresh
    // tokens are single-use, so prefer what the store holds now over our cached copy.
    const stored = await options.load();
    const base = stored ?? from;
    if (stored !== undefined && !options.sameToken(stored, from) && !options.needsRefresh(stored)) {
      current = stored;
      return stored;
    }
    const refreshed = await options.refresh(base);
    current = refreshed;
    return refreshed;
  }

  return {
    async get() {
      if (inFlight) return inFlight;
      const credentials = current ?? (await loadCurrent());
      return options.needsRefresh(credentials) ? refreshOnce(credentials) : credentials;
    },
    async refreshAfterRejection(rejected) {
      if (inFlight) return inFlight;
      if (current !== undefined && !options.sameToken(current, rejected)) return current;
      return refreshOnce(rejected);
    },
    invalidate() {
      current = undefined;
    },
  };
}
