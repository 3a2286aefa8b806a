/**
 * Incremental UTF-8 decoding for the hot paths. Node's `StringDecoder` decodes a chunk with the
 * same fast native path as `Buffer#toString`, where `TextDecoder` with `{ stream: true }` goes
 * through ICU's converter and cost 4-16% of a stream's CPU (issue 13 profiles). The output is the
 * same as `TextDecoder`'s defaults: invalid sequences become U+FFFD, a character split across
 * chunks is held until its last byte, and a byte order mark at the start is dropped.
 */
import { StringDecoder } from 'node:string_decoder';

/** Decodes chunks of one UTF-8 text in order. */
export interface Utf8Decoder {
  /** The text of `bytes`, holding back an incomplete character at its end. */
  write(bytes: Uint8Array): string;
  /** What is held back (as U+FFFD when incomplete); the decoder starts over after it. */
  end(): string;
}

const BOM = '\uFEFF';

/** Creates an incremental UTF-8 decoder. */
export function createUtf8Decoder(): Utf8Decoder {
  let decoder = new StringDecoder('utf8');
  let atStart = true;
  const firstText = (text: string): string => {
    if (text === '') return text;
    atStart = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(BOM.length) : text;
  };
  return {
    write(bytes) {
      const text = decoder.write(bytes as Buffer);
      return atStart ? firstText(text) : text;
    },
    end() {
      const text = decoder.end();
      const out = atStart ? firstText(text) : text;
      decoder = new StringDecoder('utf8');
      atStart = true;
      return out;
    },
  };
}

/** Decodes a list of chunks of one UTF-8 text (a bounded head, a captured body). */
export function decodeUtf8(chunks: readonly Uint8Array[]): string {
  const decoder = createUtf8Decoder();
  let text = '';
  for (const chunk of chunks) text += decoder.write(chunk);
  return text + decoder.end();
}
