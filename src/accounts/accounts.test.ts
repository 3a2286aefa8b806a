import { describe, expect, it } from 'vitest';
import { isAccountName, resolveAccounts } from './accounts.js';
import { createMemoryPoolState } from './pool-state.js';

describe('accounts', () => {
  it('serves the configured list, else default and every stored account', () => {
    expect(
      resolveAccounts({ configured: ['b', 'a', 'b'], stored: ['c'], defaultHasCredentials: true }),
    ).toEqual(['b', 'a']);
    expect(
      resolveAccounts({ configured: undefined, stored: ['w'], defaultHasCredentials: true }),
    ).toEqual(['default', 'w']);
    // Without a default login, the stored accounts alone (no account that can only fail).
    expect(
      resolveAccounts({ configured: undefined, stored: ['w'], defaultHasCredentials: false }),
    ).toEqual(['w']);
    expect(resolveAccounts({ configured: [], stored: [], defaultHasCredentials: false })).toEqual([
      'default',
    ]);
  });

  it('accepts only names that are safe file names', () => {
    expect(['work', 'team-1', 'a.b_c'].every(isAccountName)).toBe(true);
    expect(['', '../x', '.hidden', 'a/b', 'x'.repeat(65)].some(isAccountName)).toBe(false);
  });

  it('keeps the later of two rests and forgets rests that ended', async () => {
    const state = createMemoryPoolState();
    await state.rest({ provider: 'p', account: 'a', until: 2000, reason: 'rate_limited' });
    await state.rest({ provider: 'p', account: 'a', until: 1000, reason: 'rate_limited' });
    expect([...(await state.resting('p', 1500)).values()].map((entry) => entry.until)).toEqual([
      2000,
    ]);
    expect((await state.resting('p', 2000)).size).toBe(0);
    expect(await state.allResting(0)).toHaveLength(1);
  });
});
