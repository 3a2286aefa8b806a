/**
 * The OpenAI error body (`{"error": {message, type, param, code}}`), shared by the Chat
 * Completions and Responses formats, which use the same one.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import {
  classifyUpstreamStatus,
  defaultUpstreamMessage,
  ProxyError,
  type ProxyErrorCode,
  retryAfterFromText,
} from '../errors.js';
import type { IrError } from '../ir/response.js';
import { getRecord, getString, isRecord } from '../util/json.js';
import type { EncodedError } from './format.js';

const OPENAI_TYPE: Record<ProxyErrorCode, string> = {
  invalid_request: 'invalid_request_error',
  unsupported_feature: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  request_too_large: 'invalid_request_error',
  upstream_authentication: 'authentication_error',
  upstream_rate_limited: 'rate_limit_error',
  upstream_overloaded: 'server_error',
  upstream_error: 'server_error',
  upstream_unavailable: 'server_error',
  upstream_timeout: 'timeout_error',
  upstream_protocol: 'server_error',
  unavailable: 'server_error',
  internal: 'server_error',
};

/** Status an OpenAI client should see for a code (OpenAI has no 529: overloaded is 503). */
function openaiStatus(error: ProxyError | IrError): number {
  const status = error.status ?? new ProxyError(error.code, '').status;
  return status === 529 ? 503 : status;
}

/** The `error` object of an OpenAI error body (also the payload of stream error events). */
export function encodeOpenAIErrorObject(error: ProxyError | IrError): Record<string, unknown> {
  const upstreamType = error instanceof ProxyError ? error.upstream?.type : error.upstreamType;
  const upstreamCode = error instanceof ProxyError ? error.upstream?.code : error.upstreamCode;
  const param = error instanceof ProxyError ? (error.param ?? error.upstream?.param) : undefined;
  return {
    message: error.message,
    type: OPENAI_TYPE[error.code] ?? 'server_error',
    param: param ?? null,
    code: upstreamCode ?? upstreamType ?? error.code,
  };
}

/** A `ProxyError` as an OpenAI HTTP error response. */
export function encodeOpenAIError(error: ProxyError | IrError): EncodedError {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers['retry-after'] = error.retryAfter;
  return { status: openaiStatus(error), body: { error: encodeOpenAIErrorObject(error) }, headers };
}

/** Reads an OpenAI error object (`{error:{...}}`, a bare `{message,...}`, or text). */
export function readOpenAIErrorObject(body: unknown): {
  message?: string;
  type?: string;
  code?: string;
  param?: string;
} {
  if (typeof body === 'string') return body.trim() === '' ? {} : { message: body.slice(0, 500) };
  if (!isRecord(body)) return {};
  const inner = getRecord(body, 'error') ?? body;
  const code = inner.code;
  return {
    message: getString(inner, 'message') ?? getString(body, 'detail'),
    type: getString(inner, 'type'),
    code: typeof code === 'string' ? code : typeof code === 'number' ? String(code) : undefined,
    param: getString(inner, 'param'),
  };
}

/** An upstream OpenAI-style error answer as a `ProxyError` that keeps its status and meaning. */
export function decodeOpenAIError(status: number, body: unknown, headers: Headers): ProxyError {
  const info = readOpenAIErrorObject(body);
  const { code, status: clientStatus } = classifyUpstreamStatus(status, info.type, info.code);
  const retryAfter =
    headers.get('retry-after') ??
    (code === 'upstream_rate_limited' && info.message !== undefined
      ? retryAfterFromText(info.message)
      : undefined);
  return new ProxyError(code, info.message ?? defaultUpstreamMessage(status), {
    status: clientStatus,
    upstream: { status, type: info.type, code: info.code, param: info.param },
    ...(retryAfter !== undefined ? { retryAfter } : {}),
  });
}
