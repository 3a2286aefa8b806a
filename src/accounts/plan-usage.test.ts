import { describe, expect, it } from 'vitest';
import { bodyResetMs, retryAfterMs, retryAfterSeconds } from './limit-reset.js';
import { createPlanUsageStore, usageToJson, usedRatioOf } from './plan-usage.js';

describe('plan usage store', () => {
  it('merges windows by name, keeps credits, and takes newer reports from other replicas only', () => {
    let clock = 1000;
    const store = createPlanUsageStore(() => clock);
    const recorded: string[] = [];
    store.onRecord = (usage) => recorded.push(`${usage.account}@${usage.updatedAt}`);
    store.record('codex', 'a', { windows: [{ name: 'primary', usedRatio: 0.2 }] });
    clock = 2000;
    store.record('codex', 'a', {
      windows: [{ name: 'secondary', usedRatio: 0.5, resetsAt: 5000 }],
      credits: { balance: '3' },
    });
    store.record('codex', 'a', { windows: [] });
    expect(store.get('codex', 'a')).toMatchObject({
      updatedAt: 2000,
      windows: [
        { name: 'primary', usedRatio: 0.2 },
        { name: 'secondary', usedRatio: 0.5 },
      ],
      credits: { balance: '3' },
    });
    expect(recorded).toEqual(['a@1000', 'a@2000']);

    store.absorb({ provider: 'codex', account: 'a', updatedAt: 1500, windows: [] });
    expect(store.get('codex', 'a')?.windows).toHaveLength(2);
    store.absorb({ provider: 'codex', account: 'a', updatedAt: 3000, windows: [] });
    expect(store.get('codex', 'a')?.windows).toHaveLength(0);
    expect(recorded).toHaveLength(2);
  });

  it('tells watchers about recorded and absorbed changes until they unsubscribe', () => {
    const store = createPlanUsageStore(() => 1000);
    let changes = 0;
    const unwatch = store.watch(() => {
      changes += 1;
    });
    store.record('codex', 'default', { windows: [] });
    expect(changes).toBe(0);
    store.record('codex', 'default', { windows: [{ name: 'primary', usedRatio: 0.5 }] });
    expect(changes).toBe(1);
    store.absorb({ provider: 'codex', account: 'default', updatedAt: 500, windows: [] });
    expect(changes).toBe(1);
    store.absorb({ provider: 'codex', account: 'work', updatedAt: 2000, windows: [] });
    expect(changes).toBe(2);
    unwatch();
    store.record('codex', 'default', { windows: [{ name: 'primary', usedRatio: 0.6 }] });
    expect(changes).toBe(2);
  });

  it('counts only windows that have not reset for headroom', () => {
    const usage = {
      provider: 'p',
      account: 'a',
      updatedAt: 0,
      windows: [
        { name: 'old', usedRatio: 1, resetsAt: 100 },
        { name: 'now', usedRatio: 0.3 },
      ],
    };
    expect(usedRatioOf(usage, 50)).toBe(1);
    expect(usedRatioOf(usage, 200)).toBe(0.3);
    expect(usedRatioOf(undefined, 0)).toBe(0);
  });

  it('shows resting accounts, even before they reported usage', () => {
    const json = usageToJson(
      [{ provider: 'codex', account: 'b', updatedAt: 0, windows: [] }],
      [{ provider: 'codex', account: 'a', until: Date.UTC(2030, 0, 1), reason: 'rate_limited' }],
    );
    expect(json).toEqual([
      {
        provider: 'codex',
        account: 'a',
        windows: [],
        resting: { until: '2030-01-01T00:00:00.000Z', reason: 'rate_limited' },
      },
      { provider: 'codex', account: 'b', windows: [] },
    ]);
  });
});

describe('limit resets', () => {
  it('reads retry-after in seconds or as an HTTP date, and Codex body resets', () => {
    expect(retryAfterMs('30', 1000)).toBe(31_000);
    expect(retryAfterMs('Wed, 01 Jan 2030 00:00:00 GMT', 0)).toBe(Date.UTC(2030, 0, 1));
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(null, 0)).toBeUndefined();
    expect(bodyResetMs('{"error":{"resets_in_seconds":12}}', 1000)).toBe(13_000);
    expect(bodyResetMs('{"resets_at":1700000000}', 0)).toBe(1_700_000_000_000);
    expect(bodyResetMs('not json', 0)).toBeUndefined();
    expect(retryAfterSeconds(1500, 1000)).toBe('1');
    expect(retryAfterSeconds(61_001, 1000)).toBe('61');
  });
});
