import { describe, expect, it } from 'vitest';
import type { UsageReport } from '../../accounts/plan-usage.js';
import type { UpstreamBody } from '../../http/upstream-fetch.js';
import {
  codexLimitResetAt,
  readCodexRateLimitsEvent,
  readCodexUsageHeaders,
  tapCodexRateLimits,
} from './usage.js';

function bodyOf(chunks: string[]): UpstreamBody {
  const queue = chunks.map((chunk) => new TextEncoder().encode(chunk));
  return {
    read: async () => {
      const value = queue.shift();
      return value ? { done: false, value } : { done: true };
    },
    cancel: async () => {},
  };
}

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

  it('finds the event in a stream split anywhere and passes every byte through', async () => {
    const event = `event: codex.rate_limits\ndata: {"type":"codex.rate_limits","rate_limits":{"primary":{"used_percent":9,"window_minutes":300,"reset_at":5}}}\n\n`;
    const rest = 'event: response.created\ndata: {"type":"response.created"}\n\n';
    const text = event + rest;
    for (const cut of [1, 17, 60, event.length - 1, event.length + 3]) {
      const reports: UsageReport[] = [];
      const body = tapCodexRateLimits(
        bodyOf([text.slice(0, cut), text.slice(cut)]),
        (report) => reports.push(report),
        () => 0,
      );
      let out = '';
      for (;;) {
        const next = await body.read();
        if (next.done) break;
        out += new TextDecoder().decode(next.value);
      }
      expect(out).toBe(text);
      expect(reports).toEqual([
        { windows: [{ name: 'primary', usedRatio: 0.09, windowMinutes: 300, resetsAt: 5000 }] },
      ]);
    }
  });
});
