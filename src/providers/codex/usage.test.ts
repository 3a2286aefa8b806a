import { describe, expect, it } from 'vitest';
import { codexLimitResetAt, readCodexRateLimitsEvent, readCodexUsageHeaders } from './usage.js';

describe('Codex usage', () => {
  it('reads the headers, with a relative reset from older backends', () => {
    const headers = new Headers({
      'x-codex-primary-used-percent': '55',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-after-seconds': '60',
      'x-codex-credits-unlimited': 'false',
      'x-codex-credits-balance': '3',
    });
    expect(readCodexUsageHeaders(headers, 1_000)).toEqual({
      windows: [{ name: 'primary', usedRatio: 0.55, windowMinutes: 300, resetsAt: 61_000 }],
      credits: { unlimited: false, balance: '3' },
    });
    expect(readCodexUsageHeaders(new Headers({ 'x-codex-primary-used-percent': 'x' }), 0)).toBe(
      undefined,
    );
  });

  it('rests a limited account until the reset of its full window only', () => {
    const headers = new Headers({
      'x-codex-primary-used-percent': '100',
      'x-codex-primary-reset-at': '50',
      'x-codex-secondary-used-percent': '40',
      'x-codex-secondary-reset-at': '900',
    });
    expect(codexLimitResetAt(headers, 0)).toBe(50_000);
    headers.set('x-codex-primary-used-percent', '99');
    expect(codexLimitResetAt(headers, 0)).toBeUndefined();
  });

  it('reads the event leniently (missing windows, unknown fields)', () => {
    expect(
      readCodexRateLimitsEvent(
        {
          type: 'codex.rate_limits',
          rate_limits: { secondary: { used_percent: 5, resets_at: 10, future: 1 } },
        },
        0,
      ),
    ).toEqual({ windows: [{ name: 'secondary', usedRatio: 0.05, resetsAt: 10_000 }] });
    expect(readCodexRateLimitsEvent({ type: 'codex.rate_limits' }, 0)).toBeUndefined();
  });
});
