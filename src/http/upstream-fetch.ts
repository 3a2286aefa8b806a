/**
 * Sends upstream HTTP requests: undici's `request` API (a fraction of global fetch's cost per
 * request) over a pooled keep-alive agent, with connect, first-byte and idle timeouts, the
 * client's abort signal, and bounded retries before the first byte.
 */
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher, request, errors as undiciErrors } from 'undici';
import { ProxyError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { createUtf8Decoder } from '../util/utf8.js';
import { RawHeaders } from './raw-headers.js';

/** The body of an upstream response, read chunk by chunk. */
export interface UpstreamBody {
  read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>;
  /** Stops reading and closes the upstream connection's response (aborts the request). */
  cancel(reason?: unknown): Promise<void>;
}

/** An upstream response: status, headers, and a body read once. */
export interface UpstreamResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  body: UpstreamBody;
  /** The pool account that answered, when the provider has several. */
  account?: string;
}

/** Timeouts and retry policy of upstream calls (from `[http]`). */
export interface UpstreamHttpSettings {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  /** Retries before the first byte on connection errors and 502/503/529. */
  maxRetries: number;
}

/** The shared connection pool; one per server. */
export function createUpstreamAgent(
  settings: Pick<UpstreamHttpSettings, 'connectTimeoutMs'>,
): Agent {
  return new Agent({
    connect: { timeout: settings.connectTimeoutMs },
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    // Timeouts are given per request, so long generations are not cut by defaults.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

/** What a request to the upstream needs. */
export interface UpstreamRequest {
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

/** Options of `fetchUpstream`. */
export interface UpstreamFetchOptions extends UpstreamHttpSettings {
  dispatcher: Dispatcher;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** Waits before a retry (injectable for tests); default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Debug lines for each attempt (headers pass through the logger's redaction). */
  logger?: Logger;
}

/** An upstream stayed silent for longer than the idle timeout. */
export class UpstreamIdleError extends Error {
  constructor(idleMs: number) {
    super(`Upstream stream was idle for ${Number((idleMs / 1000).toFixed(1))}s`);
    this.name = 'UpstreamIdleError';
  }
}

const RETRY_STATUSES = new Set([502, 503, 529]);

/** Ends a response body early; its late `error` event (undici's "Request aborted") is expected. */
function discard(stream: Readable, reason?: unknown): void {
  stream.on('error', () => {});
  stream.destroy(reason instanceof Error ? reason : undefined);
}

function wrapBody(stream: Readable, idleMs: number): UpstreamBody {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    async read() {
      try {
        const next = await iterator.next();
        return next.done ? { done: true } : { done: false, value: next.value };
      } catch (error) {
        if (error instanceof undiciErrors.BodyTimeoutError) throw new UpstreamIdleError(idleMs);
        throw error;
      }
    },
    async cancel(reason) {
      discard(stream, reason);
    },
  };
}

function networkCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (typeof code === 'string') return code;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'network error';
}

function mapFailure(error: unknown, host: string, options: UpstreamFetchOptions): ProxyError {
  if (options.signal.aborted) {
    return new ProxyError('upstream_unavailable', 'Client closed the request', {
      status: 499,
      cause: error,
    });
  }
  if (error instanceof undiciErrors.HeadersTimeoutError) {
    return new ProxyError(
      'upstream_timeout',
      `Upstream ${host} did not answer within ${Math.round(options.firstByteTimeoutMs / 1000)}s`,
    );
  }
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new ProxyError(
      'upstream_timeout',
      `Upstream ${host} did not accept a connection within ${Math.round(options.connectTimeoutMs / 1000)}s`,
    );
  }
  return new ProxyError(
    'upstream_unavailable',
    `Cannot reach upstream ${host}: ${networkCode(error)}`,
    { cause: error },
  );
}

/** Exponential backoff with full jitter: 0..(250 ms × 2^attempt), capped at 4 s. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(4000, 250 * 2 ** attempt));
}

/**
 * Sends the request. Before anything reached the client, a connection failure or a 502/503/529
 * answer is retried up to `maxRetries` times with jittered backoff; 4xx and other answers are
 * returned as they are. Failures become `ProxyError`s naming the upstream host (never its query
 * or headers): a refused connection `upstream_unavailable` (502), a timeout `upstream_timeout`
 * (504). The body stays tied to the client's signal and fails with `UpstreamIdleError` when it
 * stays silent longer than the idle timeout.
 */
export async function fetchUpstream(
  url: string,
  init: UpstreamRequest,
  options: UpstreamFetchOptions,
): Promise<UpstreamResponse> {
  const host = () => new URL(url).host;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    if (options.signal.aborted) throw mapFailure(options.signal.reason, host(), options);
    let response: Dispatcher.ResponseData;
    options.logger?.debug(
      { method: init.method ?? 'POST', url: url.split('?')[0], headers: init.headers, attempt },
      'upstream request',
    );
    try {
      response = await request(url, {
        method: init.method ?? 'POST',
        headers: init.headers,
        body: init.body ?? null,
        signal: options.signal,
        dispatcher: options.dispatcher,
        headersTimeout: options.firstByteTimeoutMs,
        bodyTimeout: options.idleTimeoutMs,
      });
    } catch (error) {
      const retryable =
        !options.signal.aborted &&
        !(error instanceof undiciErrors.HeadersTimeoutError) &&
        attempt < options.maxRetries;
      if (retryable) {
        await sleep(retryDelayMs(attempt));
        continue;
      }
      throw mapFailure(error, host(), options);
    }
    options.logger?.debug(
      { status: response.statusCode, headers: response.headers },
      'upstream response',
    );
    if (RETRY_STATUSES.has(response.statusCode) && attempt < options.maxRetries) {
      discard(response.body);
      await sleep(retryDelayMs(attempt));
      continue;
    }
    return {
      status: response.statusCode,
      ok: response.statusCode >= 200 && response.statusCode < 300,
      headers: new RawHeaders(response.headers),
      body: wrapBody(response.body, options.idleTimeoutMs),
    };
  }
}

/** Reads a whole body as text, up to `limitBytes` (then stops reading). */
export async function readBodyText(
  body: UpstreamBody,
  limitBytes = Number.POSITIVE_INFINITY,
): Promise<string> {
  const decoder = createUtf8Decoder();
  let text = '';
  for (;;) {
    const next = await body.read();
    if (next.done) break;
    text += decoder.write(next.value);
    if (text.length > limitBytes) {
      await body.cancel();
      return text;
    }
  }
  return text + decoder.end();
}

/** Reads a response body (bounded), parsed as JSON when it is JSON, else as text. */
export async function readBodyJson(
  response: UpstreamResponse,
  limitBytes = 64 * 1024,
): Promise<unknown> {
  let text = '';
  try {
    text = await readBodyText(response.body, limitBytes);
  } catch {
    // A body that breaks off still leaves the status to report.
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
