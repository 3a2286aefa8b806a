import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubSecrets } from '../util/secrets.js';
import { isPackedOpaque, packOpaque, unpackOpaque } from './opaque.js';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A Codex-like encrypted reasoning blob (base64url) of `length` characters. */
function blob(length: number, seed = 7): string {
  let out = 'gAAAAAB';
  let state = seed;
  while (out.length < length) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out += BASE64URL[state % 64];
  }
  return out;
}

/** The first form, as ccproxy wrote it before `ccpx2.` (clients still hold such values). */
function packV1(fields: Record<string, unknown>): string {
  return `ccpx1.${Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url')}`;
}

/** JSON values, with the keys `packOpaque` treats as blobs among the others. */
const key = fc.oneof(
  fc.constantFrom('encryptedContent', 'signature', 'redactedData', 'id'),
  fc.string(),
);
const blobText = fc.stringMatching(/^[A-Za-z0-9+/=_-]{1,40}$/);
const leaf = fc.oneof(
  fc.string(),
  blobText,
  fc.constantFrom('', '~', 'a~b', 'a.b', 'é\n"'),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  ),
}));
const fieldsArb = fc.dictionary(key, json.value, { maxKeys: 5 });

describe('packOpaque', () => {
  it('gives back the fields it packed, whatever they hold', () => {
    fc.assert(
      fc.property(fieldsArb, (fields) => {
        const packed = packOpaque(fields);
        expect(isPackedOpaque(packed)).toBe(true);
        expect(unpackOpaque(packed)).toEqual(JSON.parse(JSON.stringify(fields)));
      }),
      { numRuns: 500 },
    );
  });

  it('carries blobs as they are, after the packed JSON', () => {
    const encrypted = blob(24_000);
    const packed = packOpaque({
      reasoning: [{ text: 'Thinking.', encryptedContent: encrypted, id: 'rs_1' }],
    });
    expect(packed.startsWith('ccpx2.')).toBe(true);
    expect(packed.endsWith(`~${encrypted}`)).toBe(true);
    // The first form was a third longer than the blob (base64 of base64).
    expect(packed.length).toBeLessThan(encrypted.length + 100);
    expect(packV1({ reasoning: [{ encryptedContent: encrypted }] }).length).toBeGreaterThan(
      (encrypted.length * 4) / 3,
    );
    expect(unpackOpaque(packed)).toEqual({
      reasoning: [{ text: 'Thinking.', encryptedContent: encrypted, id: 'rs_1' }],
    });
  });

  it('does not look like a JWT to the log redaction, with several blobs', () => {
    const packed = packOpaque({
      reasoning: [
        { text: 'a', encryptedContent: blob(200, 1) },
        { text: 'b', encryptedContent: blob(200, 2) },
      ],
    });
    expect(scrubSecrets(packed)).toBe(packed);
  });

  it('keeps a blob field that holds a tilde inside the packed JSON, and any other text as a blob', () => {
    const signature = 'sig~with "quotes" and tildes~';
    const redactedData = 'any "text"\\ but\n a tilde. é';
    const packed = packOpaque({ signature, redactedData });
    expect(packed.split('~')).toHaveLength(2); // prefix and JSON, the one blob
    expect(packed.endsWith(`~${redactedData}`)).toBe(true);
    expect(unpackOpaque(packed)).toEqual({ signature, redactedData });
  });

  it('keeps the first form when a blob field holds a number (it would read as a blob index)', () => {
    const packed = packOpaque({ signature: 0, encryptedContent: blob(50) });
    expect(packed.startsWith('ccpx1.')).toBe(true);
    expect(unpackOpaque(packed)).toEqual({ signature: 0, encryptedContent: blob(50) });
  });
});

describe('unpackOpaque', () => {
  it('reads the first form (ccpx1.)', () => {
    const fields = { encryptedContent: blob(300), id: 'rs_9' };
    expect(isPackedOpaque(packV1(fields))).toBe(true);
    expect(unpackOpaque(packV1(fields))).toEqual(fields);
  });

  it('refuses a value that is not one of its forms, or a broken one', () => {
    const good = packOpaque({ encryptedContent: blob(60), id: 'rs_2' });
    const skeleton = good.slice('ccpx2.'.length).split('~')[0] ?? '';
    const cases = [
      'gAAAAABsomething',
      'ccpx3.e30',
      'ccpx1.%%%',
      'ccpx2.%%%',
      `ccpx2.${Buffer.from('[1]').toString('base64url')}`,
      // The blob its JSON names is missing.
      `ccpx2.${skeleton}`,
      // An index that is no whole number, or past the blobs.
      `ccpx2.${Buffer.from('{"signature":0.5}').toString('base64url')}~abc`,
      `ccpx2.${Buffer.from('{"signature":2}').toString('base64url')}~abc`,
    ];
    for (const value of cases) expect(unpackOpaque(value), value).toBeUndefined();
    expect(isPackedOpaque('gAAAAABsomething')).toBe(false);
  });
});
