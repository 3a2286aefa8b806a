import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endsWithText, lastIndexOfText, textAt } from './text-at.js';

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

describe('lastIndexOfText', () => {
  it('agrees with lastIndexOf on any text and part, short or long, at any distance from the end', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '\n', 'b', 'é') }),
        fc.nat({ max: 5000 }),
        fc.string({ unit: fc.constantFrom('a', '\n', 'b', 'é'), maxLength: 3 }),
        fc.string({ unit: fc.constantFrom('a', '\n'), maxLength: 3 }),
        (head, fill, tail, search) => {
          const data = `${head}${'x'.repeat(fill)}${tail}`;
          expect(lastIndexOfText(data, search)).toBe(data.lastIndexOf(search));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('finds the last blank line before a long partial event, or none', () => {
    const events = 'data: 1\n\ndata: 2\n\n';
    const partial = `data: {"instructions":"${'y'.repeat(70_000)}`;
    expect(lastIndexOfText(events + partial, '\n\n')).toBe(events.length - 2);
    expect(lastIndexOfText(partial, '\n\n')).toBe(-1);
    expect(lastIndexOfText('', '\n\n')).toBe(-1);
    expect(lastIndexOfText('abc', '')).toBe(3);
  });
});
