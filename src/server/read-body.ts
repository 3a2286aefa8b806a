/** Reads a JSON request body (decoded from its content-encoding) with a size and a nesting limit. */
import type { Readable } from 'node:stream';
import { ProxyError } from '../errors.js';
import { keepJsonText } from '../util/json-text.js';
import { createBodyDecoder } from './decode-body.js';

/** Largest JSON nesting accepted (deeper bodies are an attack, not a prompt). */
export const MAX_JSON_DEPTH = 128;

/**
 * The deepest nesting of objects and arrays in a JSON text (brackets inside strings do not
 * count). A string is skipped with `indexOf` to its closing quote (one not escaped by an odd run
 * of backslashes) instead of character by character: prompts are mostly string, and the
 * character loop was a fifth of a 150 KB request's CPU.
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const char = text.charCodeAt(i);
    if (char === 34) {
      let end = i;
      for (;;) {
        end = text.indexOf('"', end + 1);
        // An unterminated string: nothing after it nests (JSON.parse rejects the text).
        if (end === -1) return max;
        let before = end - 1;
        while (text.charCodeAt(before) === 92) before--;
        if ((end - 1 - before) % 2 === 0) break;
      }
      i = end + 1;
      continue;
    }
    if (char === 123 || char === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (char === 125 || char === 93) depth--;
    i++;
  }
  return max;
}

/** Where a request body comes from: its declared length and encoding, and its chunks. */
export interface BodySource {
  contentLength: string | null | undefined;
  /** The `content-encoding` header (gzip, deflate, br, zstd), if any. */
  contentEncoding?: string | null | undefined;
  /** The Node request itself (faster), or a web stream. */
  chunks: AsyncIterable<Uint8Array> | null;
}

function isNodeReadable(value: unknown): value is Readable {
  return typeof (value as Readable | null)?.iterator === 'function';
}

/** True when a `content-encoding` header leaves the body as it is. */
function isIdentity(contentEncoding: string | null | undefined): boolean {
  return (
    contentEncoding === undefined ||
    contentEncoding === null ||
    contentEncoding.trim() === '' ||
    contentEncoding.trim().toLowerCase() === 'identity'
  );
}

/**
 * A request whose body broke off: the client went away (or its connection failed). A client
 * error, logged as such, not an internal one; nobody is left to read the answer.
 */
function closedEarly(cause?: Error): ProxyError {
  return new ProxyError(
    'invalid_request',
    'The request closed before its body ended (the client went away)',
    cause ? { cause } : {},
  );
}

/**
 * Reads the bytes of a Node request into `chunks`, by its `data` and `end` events: an async iterator costs a
 * promise and a tick per chunk and another for the end, about 40 µs of a short request's
 * latency at concurrency 1 (issue 13). Past `limitBytes` it rejects with `tooLarge()` and
 * drains the rest of the upload, so the client reads its 413 on a usable socket; a request that
 * fails or closes before its end rejects with a client error (`closedEarly`).
 */
function readNodeBytes(
  input: Readable,
  chunks: Uint8Array[],
  limitBytes: number,
  tooLarge: () => ProxyError,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (input.destroyed) {
      reject(closedEarly());
      return;
    }
    let size = 0;
    const stop = () => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limitBytes) {
        stop();
        input.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve();
    };
    const onError = (error: Error) => {
      stop();
      reject(closedEarly(error));
    };
    const onClose = () => {
      stop();
      reject(closedEarly());
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.on('close', onClose);
  });
}

/**
 * Reads and parses the body; 413 when it (or its decoded form) is larger than `limitBytes`, 415
 * for an encoding ccproxy cannot decode, 400 when it is not JSON. A leading byte order mark is
 * accepted. An object body comes back frozen at its top level and linked to its text
 * (`keepJsonText`), unless `keepText` is false (a route that converts the body: its text is
 * never sent, and the link costs a weak map entry).
 */
export async function readJsonBody(
  source: BodySource,
  limitBytes: number,
  keepText = true,
): Promise<unknown> {
  const tooLarge = () =>
    new ProxyError('request_too_large', `Request body is larger than ${limitBytes} bytes`);
  const declared = Number(source.contentLength ?? '');
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const decoder = createBodyDecoder(source.contentEncoding, (chunk) => {
    size += chunk.byteLength;
    if (size > limitBytes) throw tooLarge();
    chunks.push(chunk);
  });
  const input = source.chunks;
  if (input && isNodeReadable(input) && isIdentity(source.contentEncoding)) {
    // The usual body: a Node request sent as it is, read by its events.
    await readNodeBytes(input, chunks, limitBytes, tooLarge);
  } else if (input) {
    // Leaving a Node request's iterator early would destroy the request stream; it is kept and
    // the rest of the upload drained instead, so the client reads its 413 on a usable socket.
    const iterable = isNodeReadable(input) ? input.iterator({ destroyOnReturn: false }) : input;
    let received = 0;
    try {
      for await (const chunk of iterable) {
        received += chunk.byteLength;
        if (received > limitBytes) throw tooLarge();
        await decoder.write(chunk);
      }
    } catch (error) {
      if (isNodeReadable(input)) input.resume();
      throw error;
    }
  }
  await decoder.end();
  let text = Buffer.concat(chunks).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '')
    throw new ProxyError('invalid_request', 'Request body is empty; send a JSON object');
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw new ProxyError(
      'invalid_request',
      `Request body nests deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ProxyError(
      'invalid_request',
      `Request body is not valid JSON: ${(error as Error).message}`,
    );
  }
  // An object body keeps its text, to be forwarded as it came when nothing in it changes.
  return keepText && typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? keepJsonText(parsed, text)
    : parsed;
}
