import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '../../test/helpers/split.js';
import { createUtf8Decoder, decodeUtf8 } from './utf8.js';

/** What `TextDecoder` (the reference) makes of the same chunks. */
function reference(chunks: Uint8Array[]): string {
  const decoder = new TextDecoder();
  let text = '';
  for (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** `bytes` cut at positions taken from any numbers (an empty chunk included: the decoder takes one). */
function splitBytes(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  return [
    new Uint8Array(0),
    ...splitAt(
      bytes,
      cuts.map((cut) => cut % (bytes.length + 1)),
    ),
  ];
}

describe('createUtf8Decoder', () => {
  it('decodes like TextDecoder for any text split anywhere (multi-byte characters, a BOM)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (text, bom, cuts) => {
          const bytes = new TextEncoder().encode(bom ? `\uFEFF${text}` : text);
          const chunks = splitBytes(bytes, cuts);
          return decodeUtf8(chunks) === reference(chunks);
        },
      ),
    );
  });

  it('decodes mostly ASCII text with some other bytes like TextDecoder, split anywhere', () => {
    // ASCII chunks take the fast path unless the chunk before ended inside a character, whole or
    // cut short (a lead byte then ASCII: U+FFFD).
    const encode = (text: string) => [...new TextEncoder().encode(text)];
    const piece = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.string({ unit: fc.constantFrom('a', '{', '"', '\n', ' ') }).map(encode),
      },
      { weight: 1, arbitrary: fc.constantFrom('é', '€', '😀', '\uFEFF').map(encode) },
      { weight: 1, arbitrary: fc.constantFrom([0x80], [0xe2], [0xe2, 0x82], [0xf0, 0x9f], [0xff]) },
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (pieces, cuts) => {
          const chunks = splitBytes(Uint8Array.from(pieces.flat()), cuts);
          return decodeUtf8(chunks) === reference(chunks);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decodes invalid bytes like TextDecoder (U+FFFD)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (bytes, cuts) => {
          const chunks = splitBytes(bytes, cuts);
          return decodeUtf8(chunks) === reference(chunks);
        },
      ),
    );
  });

  it('holds a character split across chunks until its last byte', () => {
    const decoder = createUtf8Decoder();
    const euro = new TextEncoder().encode('€');
    expect(decoder.write(euro.subarray(0, 1))).toBe('');
    expect(decoder.write(euro.subarray(1))).toBe('€');
    expect(decoder.write(euro.subarray(0, 2))).toBe('');
    expect(decoder.end()).toBe('\uFFFD');
  });

  it('keeps a BOM that is not at the start', () => {
    const decoder = createUtf8Decoder();
    expect(decoder.write(new TextEncoder().encode('\uFEFFa'))).toBe('a');
    expect(decoder.write(new TextEncoder().encode('\uFEFFb'))).toBe('\uFEFFb');
  });
});
