/**
 * Encodes a `ProxyError` (or a neutral stream error) as an Anthropic error response:
 * `{"type":"error","error":{"type","message"}}` with the status Anthropic clients expect.
 *
 * @see https://docs.claude.com/en/api/errors
 */
import { DEFAULT_STATUS, ProxyError, type ProxyErrorCode } from '../../errors.js';
import type { IrError } from '../../ir/response.js';
import type { EncodedError } from '../format.js';
import type { AnthropicErrorObject } from './types.js';

/** Anthropic error type per code. */
const ERROR_TYPE: Readonly<Record<ProxyErrorCode, string>> = {
  invalid_request: 'invalid_request_error',
  unsupported_feature: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'request_too_large',
  upstream_authentication: 'authentication_error',
  upstream_rate_limited: 'rate_limit_error',
  upstream_overloaded: 'overloaded_error',
  upstream_error: 'api_error',
  upstream_unavailable: 'api_error',
  upstream_timeout: 'timeout_error',
  upstream_protocol: 'api_error',
  unavailable: 'overloaded_error',
  internal: 'api_error',
};

/** Error types Anthropic documents; an upstream type outside this list is not shown as-is. */
const ANTHROPIC_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'timeout_error',
  'overloaded_error',
]);

function upstreamTypeOf(error: ProxyError | IrError): string | undefined {
  return error instanceof ProxyError ? error.upstream?.type : error.upstreamType;
}

/**
 * The `error` object of an error body and of a stream `error` event. An upstream's own
 * Anthropic type is kept when it agrees with the code's family (a `billing_error` stays one).
 */
export function encodeErrorObject(error: ProxyError | IrError): AnthropicErrorObject {
  const upstreamType = upstreamTypeOf(error);
  const ownType = ERROR_TYPE[error.code] ?? 'api_error';
  const keepUpstream =
    upstreamType !== undefined &&
    ANTHROPIC_TYPES.has(upstreamType) &&
    (error.code === 'invalid_request' || upstreamType === ownType);
  return { type: keepUpstream ? upstreamType : ownType, message: error.message };
}

/** An error as an Anthropic HTTP error response (overloaded stays 529 for Anthropic clients). */
export function encodeAnthropicError(error: ProxyError | IrError): EncodedError {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
  return {
    status: error.status ?? DEFAULT_STATUS[error.code],
    body: { type: 'error', error: encodeErrorObject(error) },
    headers,
  };
}
