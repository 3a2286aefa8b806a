import { describe, expect, it } from 'vitest';
import { formatStatusTable, formatTimeTo, formatWindow, usageBar } from './status.js';

describe('ccproxy status formatting', () => {
  it('draws bars, windows and times to reset', () => {
    expect(usageBar(0)).toBe(`[${'.'.repeat(20)}]`);
    expect(usageBar(1.4)).toBe(`[${'#'.repeat(20)}]`);
    expect(usageBar(0.5)).toBe(`[${'#'.repeat(10)}${'.'.repeat(10)}]`);
    expect([300, 10080, 90, undefined].map(formatWindow)).toEqual(['5h', '7d', '90m', '-']);
    const now = Date.UTC(2026, 0, 1);
    const at = (ms: number) => new Date(now + ms).toISOString();
    expect(formatTimeTo(at(-1), now)).toBe('now');
    expect(formatTimeTo(at(30_000), now)).toBe('<1m');
    expect(formatTimeTo(at(45 * 60_000), now)).toBe('45m');
    expect(formatTimeTo(at(26 * 3600_000), now)).toBe('1d 2h');
    expect(formatTimeTo('garbage', now)).toBe('-');
    expect(formatTimeTo(undefined, now)).toBe('-');
  });

  it('says when nothing was reported, and lists accounts without windows', () => {
    expect(formatStatusTable([], 0)).toContain('No plan usage reported yet');
    const table = formatStatusTable(
      [
        {
          provider: 'codex',
          account: 'spare',
          windows: [],
          resting: { until: new Date(120_000).toISOString() },
        },
      ],
      0,
    );
    expect(table.split('\n')[1]?.split(/\s{2,}/)).toEqual([
      'codex',
      'spare (resting 2m)',
      '-',
      '-',
      '-',
      '-',
    ]);
  });
});
