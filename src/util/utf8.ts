/**
 * Incremental UTF-8 decoding for the hot paths. Node's `StringDecoder` decodes a chunk with the
 * same fast native path as `Buffer#toString`, where `TextDecoder` with `{ stream: true }` goes
 * through ICU's converter and cost 4-16% of a stream's CPU (issue 13 profiles). The output is the
 * same as `TextDecoder`'s defaults: invalid sequences become U+FFFD, a character split across
 * chunks is held until its last byte, and a byte order mark at the start is dropped.
 *
 * A chunk of ASCII bytes (most of an SSE stream) is its own text: while the decoder holds no part
 * of a character, it is copied as Latin-1 without UTF-8 validation (`isAscii` is a vector scan),
 * 23 µs against 37 for the 315 KB Responses stream.
 */
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

/** Decodes chunks of one UTF-8 text in order. */
export interface Utf8Decoder {
  /** The text of `bytes`, holding back an incomplete character at its end. */
  write(bytes: Uint8Array): string;
  /** What is held back (as U+FFFD when incomplete); the decoder starts over after it. */
  end(): string;
  /**
   * Whether the last `write` returned its bytes' own text: all ASCII, one character a byte, so
   * a span of the text is the same span of the bytes (a same-format route forwards the bytes).
   */
  wroteAscii(): boolean;
}

const BOM = '\uFEFF';

/** Creates an incremental UTF-8 decoder. */
export function createUtf8Decoder(): Utf8Decoder {
  let decoder = new StringDecoder('utf8');
  let atStart = true;
  /** The last chunk ended in an ASCII byte: the decoder holds no part of a character. */
  let clean = true;
  let ascii = false;
  const firstText = (text: string): string => {
    if (text === '') return text;
    atStart = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(BOM.length) : text;
  };
  return {
    write(bytes) {
      const length = bytes.byteLength;
      let text: string;
      ascii = clean && length > 0 && isAscii(bytes);
      if (ascii) {
        text = (
          Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, length)
        ).toString('latin1');
      } else {
        text = decoder.write(bytes as Buffer);
        if (length > 0) clean = (bytes[length - 1] ?? 0) < 0x80;
      }
      return atStart ? firstText(text) : text;
    },
    end() {
      const text = decoder.end();
      const out = atStart ? firstText(text) : text;
      decoder = new StringDecoder('utf8');
      atStart = true;
      clean = true;
      ascii = false;
      return out;
    },
    wroteAscii: () => ascii,
  };
}

/** Decodes a list of chunks of one UTF-8 text (a bounded head, a captured body). */
export function decodeUtf8(chunks: readonly Uint8Array[]): string {
  const decoder = createUtf8Decoder();
  let text = '';
  for (const chunk of chunks) text += decoder.write(chunk);
  return text + decoder.end();
}
