import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonText, keepJsonText, onlyValue, withTopLevelModel } from './json-text.js';

/** A body parsed from `text` and linked to it, as the pipeline keeps upstream answers. */
function kept(text: string): Record<string, unknown> {
  return keepJsonText(JSON.parse(text) as Record<string, unknown>, text);
}

describe('onlyValue', () => {
  it('finds the value of a key that occurs once, written key:value', () => {
    const data = '{"a":1,"model":"m-1","b":2}';
    expect(onlyValue(data, '"model"', '"m-1"')).toEqual([15, 20]);
    expect(onlyValue(data, '"model"', '"m-2"')).toBeUndefined();
    expect(onlyValue('{"model":"x","c":{"model":"x"}}', '"model"', '"x"')).toBeUndefined();
    expect(onlyValue('{"model" : "x"}', '"model"', '"x"')).toBeUndefined();
  });
});

describe('withTopLevelModel', () => {
  it("keeps the upstream's own text with only the model replaced", () => {
    const text = '{"id":"c1","model":"gpt-x-2025","n":1.50,"s":"é","choices":[]}';
    const body = withTopLevelModel(kept(text), 'gpt-x');
    expect(body.model).toBe('gpt-x');
    // Not serialised again: 1.50 and the raw é stay as the upstream wrote them.
    expect(jsonText(body)).toBe('{"id":"c1","model":"gpt-x","n":1.50,"s":"é","choices":[]}');
  });

  it('escapes the new name as JSON', () => {
    const body = withTopLevelModel(kept('{"model":"a"}'), 'we"ird');
    expect(JSON.parse(jsonText(body))).toEqual({ model: 'we"ird' });
  });

  it('serialises the copy when the text edit is not safe', () => {
    const cases = [
      // A nested model key too: which one is the top level's is not known from the text.
      '{"model":"a","tool":{"model":"a"}}',
      // An escaped key could be the real top-level one.
      '{"mod\\u0065l":"a","x":{"model":"a"}}',
      // Not written key:value exactly.
      '{"model" : "a"}',
      // The value written with an escape the search would not find.
      '{"model":"\\u0061"}',
    ];
    for (const text of cases) {
      const body = withTopLevelModel(kept(text), 'b');
      expect(jsonText(body)).toBe(JSON.stringify({ ...JSON.parse(text), model: 'b' }));
    }
  });

  it('leaves a body without kept text to be serialised', () => {
    const body = withTopLevelModel({ model: 'a', x: 1 }, 'b');
    expect(jsonText(body)).toBe('{"model":"b","x":1}');
  });
});

describe('onlyValue against a plain search for the quoted key', () => {
  /** The reference: the quoted key found as a whole, twice for uniqueness. */
  function reference(data: string, key: string, value: string): [number, number] | undefined {
    const at = data.indexOf(key);
    if (at < 0 || data.indexOf(key, at + 1) >= 0) return undefined;
    const start = at + key.length + 1;
    if (data.charCodeAt(start - 1) !== 58 || !data.startsWith(value, start)) return undefined;
    return [start, start + value.length];
  }

  it('agrees on texts made of keys, quotes and near misses', () => {
    const piece = fc.constantFrom(
      '"model"',
      'model"',
      '"model',
      ':',
      '"m"',
      ',',
      '{',
      '}',
      'x',
      '""',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const data = pieces.join('');
        expect(onlyValue(data, '"model"', '"m"')).toEqual(reference(data, '"model"', '"m"'));
      }),
      { numRuns: 3000 },
    );
  });
});
