import { describe, expect, it } from 'vitest';
import { anthropicRejectedResetMs, readAnthropicUsageHeaders, windowMinutesOf } from './usage.js';

describe('Anthropic unified usage headers', () => {
  it('reads every window, newer ones included', () => {
    const headers = new Headers({
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-5h-utilization': '1.02',
      'anthropic-ratelimit-unified-5h-reset': '100',
      'anthropic-ratelimit-unified-5h-status': 'rejected',
      'anthropic-ratelimit-unified-7d_opus-utilization': '0.5',
    });
    expect(readAnthropicUsageHeaders(headers)).toEqual({
      status: 'rejected',
      windows: [
        { name: '5h', usedRatio: 1.02, windowMinutes: 300, resetsAt: 100_000, status: 'rejected' },
        { name: '7d_opus', usedRatio: 0.5, windowMinutes: 10080 },
      ],
    });
    expect(anthropicRejectedResetMs(headers)).toBe(100_000);
  });

  it('ignores answers without them and unreadable numbers', () => {
    expect(readAnthropicUsageHeaders(new Headers({ 'content-type': 'x' }))).toBeUndefined();
    expect(
      readAnthropicUsageHeaders(
        new Headers({ 'anthropic-ratelimit-unified-5h-utilization': 'n/a' }),
      ),
    ).toBeUndefined();
    expect(windowMinutesOf('weekly')).toBeUndefined();
  });
});
