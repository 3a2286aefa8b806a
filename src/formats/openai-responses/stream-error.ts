/**
 * Decodes the errors reported inside a Responses stream into IR errors.
 * @see https://github.com/openai/codex/blob/main/codex-rs/codex-api/src/sse/responses.rs
 */
import { DEFAULT_STATUS, type ProxyErrorCode, retryAfterFromText } from '../../errors.js';
import type { IrError } from '../../ir/response.js';
import { getRecord, getString, isRecord, type JsonObject } from '../../util/json.js';

/**
 * The error object of an `error` event: documented flat (`code`, `message`, `param` at the top)
 * or nested (`error: {type, code, message, param}`, observed in production 2025-10,
 * openai/openai-dotnet#881). Reads `event.error ?? event`, as openai-node does.
 */
export function readStreamErrorObject(event: JsonObject): JsonObject {
  return getRecord(event, 'error') ?? event;
}

/** Seconds to wait from "Please try again in 11.054s" / "28ms" / "35 seconds" (rounded up). */
export const parseRetryDelay = retryAfterFromText;

/**
 * An upstream stream error object as an IR error. `rate_limit_exceeded` and `insufficient_quota`
 * are what OpenAI answers with HTTP 429 (the latter keeps its own code so clients see it),
 * `context_length_exceeded` is the client's request, anything else is an upstream failure.
 */
export function decodeStreamError(value: unknown, fallbackMessage: string): IrError {
  const error = isRecord(value) ? value : {};
  const rawCode = error.code;
  const code =
    typeof rawCode === 'string' ? rawCode : typeof rawCode === 'number' ? String(rawCode) : '';
  const type = getString(error, 'type');
  const message = getString(error, 'message') ?? fallbackMessage;
  const kind = code || type || '';
  const upstream = {
    ...(type !== undefined && type !== 'error' ? { upstreamType: type } : {}),
    ...(code !== '' ? { upstreamCode: code } : {}),
  };
  if (kind === 'rate_limit_exceeded' || kind === 'insufficient_quota') {
    const retryAfter = kind === 'rate_limit_exceeded' ? parseRetryDelay(message) : undefined;
    return {
      code: 'upstream_rate_limited',
      message,
      status: 429,
      ...upstream,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    };
  }
  if (kind === 'context_length_exceeded') {
    return { code: 'invalid_request', message, status: 400, ...upstream };
  }
  // Another ccproxy upstream reports in our own codes: keep their meaning.
  if (Object.hasOwn(DEFAULT_STATUS, kind)) return { code: kind as ProxyErrorCode, message };
  return { code: 'upstream_error', message, ...upstream };
}
