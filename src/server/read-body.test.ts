import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nestingDepth } from './read-body.js';

/** The reference: every character in turn, a backslash inside a string skipping the next one. */
function nestingDepthByCharacter(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 92) i++;
      else if (char === 34) inString = false;
      continue;
    }
    if (char === 34) inString = true;
    else if (char === 123 || char === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (char === 125 || char === 93) depth--;
  }
  return max;
}

describe('nestingDepth', () => {
  it('counts like a character-by-character scan, on JSON and on any text of its characters', () => {
    fc.assert(
      fc.property(
        fc.json({ depthSize: 'large' }),
        (json) => nestingDepth(json) === nestingDepthByCharacter(json),
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('"', '\\\\', '\\\\"', '{', '}', '[', ']', 'a', ':', ','), {
          maxLength: 40,
        }),
        (pieces) => {
          const text = pieces.join('');
          return nestingDepth(text) === nestingDepthByCharacter(text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestingDepth('{"a":"[[[{\\"}}}","b":[[1]]}')).toBe(3);
    expect(nestingDepth('{"a":"\\\\"}')).toBe(1);
    expect(nestingDepth('"unterminated [[[')).toBe(0);
  });
});
