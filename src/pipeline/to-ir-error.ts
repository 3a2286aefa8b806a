/** Turns anything that can fail mid-stream into an IR error (data, so it can travel in a stream). */
import { isProxyError, ProxyError, retryAfterFromText } from '../errors.js';
import { UpstreamIdleError } from '../http/upstream-fetch.js';
import type { IrError } from '../ir/response.js';

/** A `ProxyError` as IR data. */
export function proxyErrorToIr(error: ProxyError): IrError {
  return {
    code: error.code,
    message: error.message,
    status: error.status,
    ...(error.upstream?.type !== undefined ? { upstreamType: error.upstream.type } : {}),
    ...(error.upstream?.code !== undefined ? { upstreamCode: error.upstream.code } : {}),
    ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
  };
}

/** An IR error as a `ProxyError` (to answer before the first byte). */
export function irErrorToProxy(error: IrError): ProxyError {
  return new ProxyError(error.code, error.message, {
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
    upstream: {
      ...(error.upstreamType !== undefined ? { type: error.upstreamType } : {}),
      ...(error.upstreamCode !== undefined ? { code: error.upstreamCode } : {}),
    },
  });
}

/**
 * The IR error for a failure while reading an upstream stream: our own errors keep their
 * meaning, an idle stream is a timeout, anything else a broken upstream connection. Messages
 * of foreign errors are not shown (they may hold addresses or internals).
 */
export function streamFailureToIr(error: unknown): IrError {
  if (isProxyError(error)) return proxyErrorToIr(error);
  if (error instanceof UpstreamIdleError) {
    return { code: 'upstream_timeout', message: error.message, status: 504 };
  }
  if (error instanceof Error && /exceeds \d+ characters/.test(error.message)) {
    return {
      code: 'upstream_protocol',
      message: 'Upstream sent an oversized stream event',
      status: 502,
    };
  }
  return {
    code: 'upstream_unavailable',
    message: 'Upstream connection failed mid-stream',
    status: 502,
  };
}

/**
 * A failure with the wait a client should honour, for a rate limit or an overload: the
 * upstream's own value, else the `retry-after` header of the upstream's answer, else a
 * "try again in 2.5s" in its message (rounded up to whole seconds).
 */
export function withRetryAfter(error: IrError, headers: Headers | undefined): IrError {
  if (error.retryAfter !== undefined) return error;
  if (error.code !== 'upstream_rate_limited' && error.code !== 'upstream_overloaded') return error;
  const retryAfter = headers?.get('retry-after') ?? retryAfterFromText(error.message);
  return retryAfter ? { ...error, retryAfter } : error;
}
