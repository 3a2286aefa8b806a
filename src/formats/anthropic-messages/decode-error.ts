/**
 * Decodes an Anthropic error answer (HTTP status, body, headers) into a `ProxyError` that keeps
 * the upstream's meaning, status class and `retry-after`.
 *
 * @see https://docs.claude.com/en/api/errors
 */
import {
  classifyUpstreamStatus,
  defaultUpstreamMessage,
  ProxyError,
  type ProxyErrorCode,
  retryAfterFromText,
} from '../../errors.js';
import type { IrError } from '../../ir/response.js';
import { getRecord, getString, isRecord } from '../../util/json.js';

/** The `type` and `message` of an Anthropic error body (or a bare error object, or text). */
export function readErrorObject(body: unknown): { type?: string; message?: string } {
  if (typeof body === 'string') {
    return body.trim() === '' ? {} : { message: body.slice(0, 500) };
  }
  if (!isRecord(body)) return {};
  const inner = getRecord(body, 'error') ?? body;
  const type = getString(inner, 'type');
  const message = getString(inner, 'message');
  return {
    ...(type !== undefined && type !== 'error' ? { type } : {}),
    ...(message !== undefined ? { message } : {}),
  };
}

/** Our code for an Anthropic error type seen inside a 200 stream (no HTTP status to go by). */
export function codeForErrorType(type: string | undefined): ProxyErrorCode {
  switch (type) {
    case 'overloaded_error':
      return 'upstream_overloaded';
    case 'rate_limit_error':
      return 'upstream_rate_limited';
    case 'authentication_error':
      return 'upstream_authentication';
    case 'permission_error':
      return 'permission';
    case 'not_found_error':
      return 'not_found';
    case 'request_too_large':
      return 'request_too_large';
    case 'invalid_request_error':
      return 'invalid_request';
    case 'timeout_error':
      return 'upstream_timeout';
    default:
      // api_error, billing_error and types added later: a failure on the upstream's side.
      return 'upstream_error';
  }
}

/** An Anthropic stream `error` event payload as a neutral error. */
export function decodeStreamError(payload: unknown): IrError {
  const { type, message } = readErrorObject(payload);
  const code = codeForErrorType(type);
  return {
    code,
    message: message ?? 'Upstream stream failed',
    ...(type !== undefined ? { upstreamType: type } : {}),
  };
}

/**
 * An upstream error answer as a `ProxyError`: 529/`overloaded_error` stays 529 and retryable,
 * 5xx becomes `upstream_error` (502) with the upstream's message, 4xx keep their status.
 */
export function decodeAnthropicError(status: number, body: unknown, headers: Headers): ProxyError {
  const { type, message } = readErrorObject(body);
  const classified = classifyUpstreamStatus(status, type);
  const retryAfter =
    headers.get('retry-after') ??
    (classified.code === 'upstream_rate_limited' && message !== undefined
      ? retryAfterFromText(message)
      : undefined);
  return new ProxyError(classified.code, message ?? defaultUpstreamMessage(status), {
    status: classified.status,
    upstream: { status, ...(type !== undefined ? { type } : {}) },
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  });
}
