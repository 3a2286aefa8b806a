/** Reads the `error` object of a Chat stream chunk as a neutral error. */
import { DEFAULT_STATUS, type ProxyErrorCode } from '../../errors.js';
import type { IrError } from '../../ir/response.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import { readOpenAIErrorObject } from '../openai-error.js';

/** Codes a ccproxy upstream writes into its own stream errors (see `encodeOpenAIErrorObject`). */
const PROXY_CODES = new Set<string>(Object.keys(DEFAULT_STATUS));

/** Our code for an OpenAI error type or code seen inside a stream (there is no HTTP status). */
function codeForType(type: string | undefined, code: string | undefined): ProxyErrorCode {
  if (code !== undefined && PROXY_CODES.has(code)) return code as ProxyErrorCode;
  const kind = `${type ?? ''} ${code ?? ''}`;
  if (/rate_limit|insufficient_quota/.test(kind)) return 'upstream_rate_limited';
  if (/overloaded|server_is_overloaded|slow_down/.test(kind)) return 'upstream_overloaded';
  if (/timeout/.test(kind)) return 'upstream_timeout';
  if (/context_length_exceeded|invalid_request/.test(kind)) return 'invalid_request';
  return 'upstream_error';
}

/**
 * Whether a stream payload reports a failure: a truthy top-level `error` (what the openai SDK
 * throws on), vLLM's `{"object": "error", "message": ...}` body, or an SSE event named `error`.
 */
export function isStreamError(chunk: JsonObject, event: string | undefined): boolean {
  return Boolean(chunk.error) || chunk.object === 'error' || event === 'error';
}

/**
 * The neutral error of a chunk `{"error": {message, type, code, param}}` (also accepts a bare
 * string or an object without `message`, as some compatible servers send).
 */
export function decodeStreamError(chunk: unknown): IrError {
  const inner = isRecord(chunk) && typeof chunk.error === 'string' ? chunk.error : chunk;
  const info = readOpenAIErrorObject(inner);
  const error: IrError = {
    code: codeForType(info.type, info.code),
    message: info.message ?? 'Upstream stream failed',
  };
  if (info.type !== undefined) error.upstreamType = info.type;
  if (info.code !== undefined) error.upstreamCode = info.code;
  return error;
}
