/**
 * Decoders of a request body's `content-encoding` (gzip, deflate, br, zstd), fed chunk by chunk
 * so that the size limit applies to the decoded bytes as they come out: a small compressed body
 * that inflates past the limit is stopped there, never held whole.
 */
import { once } from 'node:events';
import type { Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
// Node 20's zlib has no zstd; fzstd is a small, dependency-free streaming decoder in plain JS.
import { Decompress as ZstdDecompress } from 'fzstd';
import { ProxyError } from '../errors.js';

/** A body decoder: `write` each received chunk, then `end`; decoded bytes go to `output`. */
export interface BodyDecoder {
  write(chunk: Uint8Array): Promise<void>;
  end(): Promise<void>;
}

/** Receives decoded bytes; throws (a `ProxyError`) to stop decoding. */
export type DecodedSink = (chunk: Uint8Array) => void;

function unsupported(encoding: string): ProxyError {
  return new ProxyError(
    'invalid_request',
    `Content-Encoding "${encoding.slice(0, 60)}" is not supported: send the body as identity, gzip, deflate, br or zstd`,
    { status: 415 },
  );
}

function corrupt(encoding: string, error: unknown): ProxyError {
  return new ProxyError(
    'invalid_request',
    `Request body is not valid ${encoding} data (content-encoding: ${encoding})`,
    { cause: error },
  );
}

function zlibDecoder(
  encoding: string,
  create: (first: Uint8Array) => Transform,
  output: DecodedSink,
): BodyDecoder {
  let transform: Transform | undefined;
  let failure: unknown;
  const start = (first: Uint8Array): Transform => {
    const created = create(first);
    created.on('data', (chunk: Buffer) => {
      if (failure !== undefined) return;
      try {
        output(chunk);
      } catch (error) {
        failure = error;
        created.destroy();
      }
    });
    created.on('error', (error) => {
      failure ??= corrupt(encoding, error);
    });
    return created;
  };
  const check = () => {
    if (failure !== undefined) throw failure;
  };
  return {
    async write(chunk) {
      check();
      transform ??= start(chunk);
      if (!transform.write(chunk)) {
        await Promise.race([once(transform, 'drain'), once(transform, 'close')]);
      }
      check();
    },
    async end() {
      check();
      transform ??= start(new Uint8Array(0));
      transform.end();
      await finished(transform).catch(() => {});
      check();
    },
  };
}

/**
 * HTTP's `deflate` is zlib-wrapped (RFC 1950), but some clients send raw deflate: the first two
 * bytes tell them apart.
 */
function inflaterFor(first: Uint8Array): Transform {
  const wrapped =
    first.length >= 2 && (first[0]! & 0x0f) === 8 && ((first[0]! << 8) | first[1]!) % 31 === 0;
  return wrapped ? createInflate() : createInflateRaw();
}

function zstdDecoder(output: DecodedSink): BodyDecoder {
  // fzstd calls `ondata` per decoded block (at most 128 KiB), synchronously inside `push`, so an
  // exception from `output` stops it at the block that crossed the limit.
  const decoder = new ZstdDecompress((chunk) => output(chunk));
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      decoder.push(chunk, final);
    } catch (error) {
      if (error instanceof ProxyError) throw error;
      throw corrupt('zstd', error);
    }
  };
  return {
    async write(chunk) {
      push(chunk, false);
    },
    async end() {
      push(new Uint8Array(0), true);
    },
  };
}

/**
 * The decoder for a `content-encoding` header value; 415 (naming the encoding) for one ccproxy
 * cannot decode or for a chain of several.
 */
export function createBodyDecoder(
  contentEncoding: string | null | undefined,
  output: DecodedSink,
): BodyDecoder {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '' && part !== 'identity');
  if (encodings.length > 1) throw unsupported(contentEncoding ?? '');
  const encoding = encodings[0];
  switch (encoding) {
    case undefined:
      return {
        async write(chunk) {
          output(chunk);
        },
        async end() {},
      };
    case 'gzip':
    case 'x-gzip':
      return zlibDecoder('gzip', () => createGunzip(), output);
    case 'deflate':
      return zlibDecoder('deflate', inflaterFor, output);
    case 'br':
      return zlibDecoder('br', () => createBrotliDecompress(), output);
    case 'zstd':
      return zstdDecoder(output);
    default:
      throw unsupported(encoding);
  }
}
