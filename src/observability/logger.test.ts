import { describe, expect, it } from 'vitest';
import { isoTimestamp } from './logger.js';

describe('isoTimestamp', () => {
  it('is pino isoTime’s field for the current millisecond', () => {
    const before = Date.now();
    const stamp = isoTimestamp();
    const after = Date.now();
    const match = /^,"time":"([^"]+)"$/.exec(stamp);
    const ms = Date.parse(match?.[1] ?? '');
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
    expect(new Date(ms).toISOString()).toBe(match?.[1]);
  });
});
