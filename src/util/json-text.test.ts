import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonString,
  jsonText,
  keepJsonText,
  onlyValue,
  stringifyJson,
  withTopLevelModel,
} from './json-text.js';

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

describe('jsonString', () => {
  it('writes what JSON.stringify writes for any text', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u0000', '\ud800', '\udc00', 'é') }),
    );
    fc.assert(
      fc.property(text, (value) => {
        expect(jsonString(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 500 },
    );
  });
});

describe('stringifyJson', () => {
  const base64 = (length: number, seed: number) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=~._-';
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[(i * 31 + seed * 7) % alphabet.length];
    return text;
  };
  /** Long strings of every kind: plain, and with one character JSON escapes at some place. */
  const longText = fc
    .tuple(
      fc.integer({ min: 4090, max: 9000 }),
      fc.integer({ min: 0, max: 99 }),
      fc.option(
        fc.tuple(
          fc.constantFrom(
            '"',
            '\\',
            '\n',
            '\u0000',
            '\u001f',
            '\ud800',
            '\udfff',
            '\ud83d\ude00',
            'é',
            '\u2028',
            '\u007f',
          ),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
      ),
    )
    .map(([length, seed, odd]) => {
      const text = base64(length, seed);
      if (odd === null) return text;
      const at = Math.floor(odd[1] * text.length);
      return text.slice(0, at) + odd[0] + text.slice(at);
    });

  it('writes what JSON.stringify writes, long strings or not', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue(),
        longText,
        fc.constant('\u0000ccproxy:plain-text\u0000'),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(
          fc.oneof(fc.string(), fc.constant('\u0000ccproxy:plain-text\u0000')),
          tie('node'),
          {
            maxKeys: 4,
          },
        ),
      ),
    })).node;
    fc.assert(
      fc.property(fc.array(value, { maxLength: 5 }), (values) => {
        expect(stringifyJson(values)).toBe(JSON.stringify(values));
        const object = { values, shared: values[0] };
        expect(stringifyJson(object)).toBe(JSON.stringify(object));
      }),
      { numRuns: 300 },
    );
  });

  it('writes a 50 KB opaque value as JSON.stringify does, and one beside its placeholder', () => {
    const opaque = `ccpx2.${base64(50_000, 1)}`;
    const answer = { choices: [{ message: { content: 'Hi', reasoning_opaque: opaque } }] };
    expect(stringifyJson(answer)).toBe(JSON.stringify(answer));
    const clash = { a: opaque, b: '\u0000ccproxy:plain-text\u0000', c: opaque };
    expect(stringifyJson(clash)).toBe(JSON.stringify(clash));
    const before = { b: '\u0000ccproxy:plain-text\u0000', a: opaque };
    expect(stringifyJson(before)).toBe(JSON.stringify(before));
  });

  it('serialises as usual below its depth, and throws on a cycle as JSON.stringify does', () => {
    let deep: unknown = `x${base64(5000, 2)}`;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(stringifyJson({ deep })).toBe(JSON.stringify({ deep }));
    const cycle: Record<string, unknown> = { opaque: base64(5000, 3) };
    cycle.self = cycle;
    expect(() => stringifyJson(cycle)).toThrow(TypeError);
  });

  it('writes a body with more long strings than it puts in whole as JSON.stringify does', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ opaque: base64(4096 + i, i) }));
    expect(stringifyJson({ many })).toBe(JSON.stringify({ many }));
    const strings = many.map((entry) => entry.opaque);
    expect(stringifyJson(strings)).toBe(JSON.stringify(strings));
  });

  it('calls toJSON as JSON.stringify does', () => {
    const long = base64(6000, 4);
    const value = { when: new Date(0), custom: { toJSON: () => long }, long };
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
  });
});
