/** The forwarded-error test of a same-format stream: a cheap check first, the same answers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isForwardedError } from './conversion.js';

/** The test as it was before the cheap check: the event name, or the regex over every message. */
const before = (event: string | undefined, data: string) =>
  event === 'error' || /"error"\s*:\s*[{"]/.test(data);

describe('isForwardedError', () => {
  it('tells error messages from the rest', () => {
    expect(isForwardedError({ data: '{"error":{"message":"x"}}' })).toBe(true);
    expect(isForwardedError({ data: '{"type":"error","error" : "x"}' })).toBe(true);
    expect(isForwardedError({ event: 'error', data: '{}' })).toBe(true);
    expect(isForwardedError({ data: '{"choices":[{"delta":{"content":"error"}}]}' })).toBe(false);
    expect(isForwardedError({ data: '{"error":null}' })).toBe(false);
    expect(isForwardedError({ data: '' })).toBe(false);
  });

  it('answers as the regex alone did, for any text', () => {
    const piece = fc.constantFrom('"error"', 'error', ':', ' ', '\n', '{', '"', 'x', '\\', 'null');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(piece, fc.string({ maxLength: 3 })), { maxLength: 8 }),
        fc.constantFrom(undefined, 'error', 'message'),
        (pieces, event) => {
          const data = pieces.join('');
          const message = { data, ...(event !== undefined ? { event } : {}) };
          expect(isForwardedError(message)).toBe(before(event, data));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
