/** Reads a JSON request body with a size limit and a nesting limit. */
import { ProxyError } from '../errors.js';

/** Largest JSON nesting accepted (deeper bodies are an attack, not a prompt). */
export const MAX_JSON_DEPTH = 128;

function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 92)
        i++; // backslash: skip the escaped character
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

/** Where a request body comes from: its declared length and its chunks. */
export interface BodySource {
  contentLength: string | null | undefined;
  /** The Node request itself (faster), or a web stream. */
  chunks: AsyncIterable<Uint8Array> | null;
}

/** Reads and parses the body; 413 when it is larger than `limitBytes`, 400 when it is not JSON. */
export async function readJsonBody(source: BodySource, limitBytes: number): Promise<unknown> {
  const declared = Number(source.contentLength ?? '');
  if (Number.isFinite(declared) && declared > limitBytes) {
    throw new ProxyError('request_too_large', `Request body is larger than ${limitBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (source.chunks) {
    for await (const chunk of source.chunks) {
      size += chunk.byteLength;
      if (size > limitBytes) {
        throw new ProxyError(
          'request_too_large',
          `Request body is larger than ${limitBytes} bytes`,
        );
      }
      chunks.push(chunk);
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '')
    throw new ProxyError('invalid_request', 'Request body is empty; send a JSON object');
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw new ProxyError(
      'invalid_request',
      `Request body nests deeper than ${MAX_JSON_DEPTH} levels`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProxyError(
      'invalid_request',
      `Request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
