import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endsWithText, textAt } from './text-at.js';

describe('textAt and endsWithText', () => {
  it('agree with startsWith and endsWith on any text, position and part', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ maxLength: 4 }),
        fc.integer({ min: 0, max: 40 }),
        (data, text, at) => {
          expect(textAt(data, at, text)).toBe(data.startsWith(text, at));
          expect(endsWithText(data, text)).toBe(data.endsWith(text));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('finds a part at the start, the middle and the end', () => {
    expect(textAt('{"type":"x"}', 0, '{"type":')).toBe(true);
    expect(textAt('{"type":"x"}', 8, '"x"')).toBe(true);
    expect(textAt('{"type":"x"}', 9, '"x"')).toBe(false);
    expect(endsWithText('abc}}', '}}')).toBe(true);
    expect(endsWithText('}', '}}')).toBe(false);
  });
});
