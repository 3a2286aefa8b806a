/** The one error type of the proxy, its closed set of codes and their default HTTP statuses. */

/** Every kind of failure a client can be told about. */
export type ProxyErrorCode =
  | 'invalid_request'
  | 'unsupported_feature'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'request_too_large'
  | 'upstream_authentication'
  | 'upstream_rate_limited'
  | 'upstream_overloaded'
  | 'upstream_error'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'upstream_protocol'
  /** ccproxy itself cannot serve the request now (it is shutting down). */
  | 'unavailable'
  | 'internal';

/** Default HTTP status per code; a `ProxyError` may override it (e.g. to keep an upstream 4xx). */
export const DEFAULT_STATUS: Readonly<Record<ProxyErrorCode, number>> = {
  invalid_request: 400,
  unsupported_feature: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  upstream_authentication: 401,
  upstream_rate_limited: 429,
  upstream_overloaded: 529,
  upstream_error: 502,
  upstream_unavailable: 502,
  upstream_timeout: 504,
  upstream_protocol: 502,
  unavailable: 503,
  internal: 500,
};

/** What an upstream said about a failure, kept so the client can see it (never secrets). */
export interface UpstreamErrorInfo {
  /** HTTP status the upstream answered with (0 when it never answered). */
  status?: number;
  /** The upstream's own error type (`rate_limit_error`, `insufficient_quota`, ...). */
  type?: string;
  /** The upstream's own error code, when it has one. */
  code?: string;
  /** The request parameter the upstream blamed, when it named one. */
  param?: string;
}

/** Options of a `ProxyError` beyond its code and message. */
export interface ProxyErrorOptions {
  status?: number;
  cause?: unknown;
  upstream?: UpstreamErrorInfo;
  /** Seconds (or an HTTP date) the client should wait, forwarded as `retry-after`. */
  retryAfter?: string;
  /** The client request field at fault, for `invalid_request`. */
  param?: string;
}

/**
 * The single error class of the proxy. Pure modules throw it; the server's one boundary turns it
 * into the client's dialect. Its message must never hold a token, key or request body.
 */
export class ProxyError extends Error {
  readonly code: ProxyErrorCode;
  readonly status: number;
  readonly upstream: UpstreamErrorInfo | undefined;
  readonly retryAfter: string | undefined;
  readonly param: string | undefined;

  constructor(code: ProxyErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProxyError';
    this.code = code;
    this.status = options.status ?? DEFAULT_STATUS[code];
    this.upstream = options.upstream;
    this.retryAfter = options.retryAfter;
    this.param = options.param;
  }
}

/** Type guard for `ProxyError`. */
export function isProxyError(value: unknown): value is ProxyError {
  return value instanceof ProxyError;
}

/** Wraps anything thrown into a `ProxyError` without exposing its message when it is not ours. */
export function toProxyError(value: unknown): ProxyError {
  if (isProxyError(value)) return value;
  return new ProxyError('internal', 'Internal proxy error', { cause: value });
}

/** Builds the `invalid_request` error for a client field, naming it. */
export function invalidField(param: string, problem: string): ProxyError {
  return new ProxyError('invalid_request', `Invalid request: "${param}" ${problem}`, { param });
}

/**
 * What an upstream error type or code means when no error status goes with it (an error
 * reported inside a 200 answer): a rate limit, an overload, ... else a server failure (502).
 */
export function classifyUpstreamKind(kind: string): { code: ProxyErrorCode; status: number } {
  if (/rate_limit|insufficient_quota|usage_limit/.test(kind)) {
    return { code: 'upstream_rate_limited', status: 429 };
  }
  if (/overloaded|slow_down/.test(kind)) return { code: 'upstream_overloaded', status: 529 };
  if (/authentication|invalid_api_key/.test(kind)) {
    return { code: 'upstream_authentication', status: 401 };
  }
  if (/permission/.test(kind)) return { code: 'permission', status: 403 };
  if (/not_found/.test(kind)) return { code: 'not_found', status: 404 };
  if (/timeout/.test(kind)) return { code: 'upstream_timeout', status: 504 };
  if (/invalid_request|context_length_exceeded/.test(kind)) {
    return { code: 'invalid_request', status: 400 };
  }
  return { code: 'upstream_error', status: 502 };
}

/**
 * What a failed upstream answer means for the client: our code and the status to show. A
 * failure inside a success status (a 200 carrying an error body) is classified by its type and
 * code (`upstreamCode`).
 */
export function classifyUpstreamStatus(
  status: number,
  upstreamType?: string,
  upstreamCode?: string,
): { code: ProxyErrorCode; status: number } {
  if (status < 400) return classifyUpstreamKind(`${upstreamType ?? ''} ${upstreamCode ?? ''}`);
  if (status === 529 || upstreamType === 'overloaded_error') {
    return { code: 'upstream_overloaded', status: 529 };
  }
  if (status === 401) return { code: 'upstream_authentication', status };
  if (status === 403) return { code: 'permission', status };
  if (status === 404) return { code: 'not_found', status };
  if (status === 413) return { code: 'request_too_large', status };
  if (status === 429) return { code: 'upstream_rate_limited', status };
  if (status === 408 || status === 504) return { code: 'upstream_timeout', status: 504 };
  if (status === 503) return { code: 'upstream_overloaded', status: 503 };
  if (status >= 400 && status < 500) return { code: 'invalid_request', status };
  return { code: 'upstream_error', status: 502 };
}

/** The message shown when an upstream failed without saying why. */
export function defaultUpstreamMessage(status: number): string {
  return status >= 500
    ? `Upstream server error (HTTP ${status})`
    : `Upstream request failed (HTTP ${status})`;
}

/**
 * Seconds to wait, from an upstream message such as "Please try again in 2.5s", "28ms" or
 * "35 seconds", rounded up to whole seconds (at least 1): what `retry-after` carries.
 */
export function retryAfterFromText(message: string): string | undefined {
  const match = /try again in\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|sec|secs|seconds?)\b/i.exec(message);
  if (!match) return undefined;
  const value = Number(match[1]);
  const seconds = match[2]?.toLowerCase() === 'ms' ? value / 1000 : value;
  return String(Math.max(1, Math.ceil(seconds)));
}
