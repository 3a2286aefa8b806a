import { describe, expect, it } from 'vitest';
import { createCredentialCache } from './single-flight.js';

interface Creds {
  token: string;
  expired: boolean;
}

function setup(initial: Creds) {
  let stored = initial;
  let refreshes = 0;
  const cache = createCredentialCache<Creds>({
    load: async () => stored,
    needsRefresh: (c) => c.expired,
    refresh: async () => {
      refreshes++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      stored = { token: `t${refreshes + 1}`, expired: false };
      return stored;
    },
    sameToken: (a, b) => a.token === b.token,
    missing: () => new Error('missing'),
  });
  return { cache, refreshes: () => refreshes, store: (c: Creds) => (stored = c) };
}

describe('credential cache', () => {
  it('refreshes an expired token once for 50 concurrent callers', async () => {
    const { cache, refreshes } = setup({ token: 't1', expired: true });
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.get()));
    expect(refreshes()).toBe(1);
    expect(new Set(results.map((c) => c.token))).toEqual(new Set(['t2']));
  });

  it('reuses a token another caller already replaced after a 401', async () => {
    const { cache, refreshes } = setup({ token: 't1', expired: false });
    const first = await cache.get();
    const replaced = await cache.refreshAfterRejection(first);
    expect(replaced.token).toBe('t2');
    const again = await cache.refreshAfterRejection(first);
    expect(again.token).toBe('t2');
    expect(refreshes()).toBe(1);
  });

  it('adopts fresher credentials another tool wrote instead of refreshing', async () => {
    const { cache, refreshes, store } = setup({ token: 't1', expired: true });
    store({ token: 'written-by-cli', expired: false });
    expect((await cache.get()).token).toBe('written-by-cli');
    expect(refreshes()).toBe(0);
  });

  it('lets a failed refresh fail every waiting caller, then tries again next time', async () => {
    let attempts = 0;
    const cache = createCredentialCache<Creds>({
      load: async () => ({ token: 't1', expired: true }),
      needsRefresh: (c) => c.expired,
      refresh: async () => {
        attempts++;
        throw new Error('revoked');
      },
      sameToken: (a, b) => a.token === b.token,
      missing: () => new Error('missing'),
    });
    const results = await Promise.allSettled([cache.get(), cache.get(), cache.get()]);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(attempts).toBe(1);
    await expect(cache.get()).rejects.toThrow('revoked');
    expect(attempts).toBe(2);
  });
});
