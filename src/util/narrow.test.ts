import { describe, expect, it } from 'vitest';
import {
  arrayOf,
  asNumber,
  asStreamIndex,
  asString,
  MAX_STREAM_INDEX,
  objectOf,
  orNull,
} from './narrow.js';

interface Piece {
  name?: string;
  size?: number;
  [key: string]: unknown;
}

interface Holder {
  label?: string | null;
  pieces?: Piece[];
  [key: string]: unknown;
}

const piece = objectOf<Piece>({ name: asString, size: asNumber });
const holder = objectOf<Holder>({ label: orNull(asString), pieces: arrayOf(piece) });

describe('typed narrowing', () => {
  it('returns a well-formed value itself, unknown fields included', () => {
    const value = { label: null, pieces: [{ name: 'a', size: 1, extra: true }], other: [1] };
    expect(holder(value)).toBe(value);
  });

  it('leaves out fields of the wrong type and keeps the rest', () => {
    const value = { label: 7, pieces: [{ name: 'a', size: 'big', extra: true }], other: 'kept' };
    expect(holder(value)).toEqual({ pieces: [{ name: 'a', extra: true }], other: 'kept' });
    expect(value).toEqual({
      label: 7,
      pieces: [{ name: 'a', size: 'big', extra: true }],
      other: 'kept',
    });
  });

  it('drops array entries that are not objects, keeping their neighbours', () => {
    expect(holder({ pieces: [{ name: 'a' }, 'junk', null, { name: 'b' }] })).toEqual({
      pieces: [{ name: 'a' }, { name: 'b' }],
    });
    expect(holder({ pieces: 'none' })).toEqual({});
  });

  it('rejects what is not an object, and non-finite numbers', () => {
    expect(holder([])).toBeUndefined();
    expect(holder('text')).toBeUndefined();
    expect(piece({ size: Number.NaN })).toEqual({});
  });
});

describe('asStreamIndex', () => {
  it('reads a whole number from 0 to MAX_STREAM_INDEX, and nothing else', () => {
    for (const index of [0, 1, MAX_STREAM_INDEX]) expect(asStreamIndex(index)).toBe(index);
    for (const value of [-1, 1.5, MAX_STREAM_INDEX + 1, 999_999_999, Number.NaN, '1', null]) {
      expect(asStreamIndex(value)).toBeUndefined();
    }
  });
});
