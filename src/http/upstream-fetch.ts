/**
 * Sends upstream HTTP requests over a pooled keep-alive undici agent, with connect, first-byte
 * and idle timeouts, the client's abort signal, and bounded retries before the first byte.
 *
 * Requests go through the agent's `dispatch` with a handler of our own (`UpstreamCall`) rather
 * than undici's `request` API: that wraps every body in a Node `Readable` and every read in an
 * async iterator, 8% of a short request's CPU in the issue-13 profiles, where the proxy only
 * ever reads the body chunk by chunk. The handler queues the chunks and pauses the connection
 * while the reader is behind (backpressure), as the `Readable` did.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { ProxyError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { RequestSignal } from '../util/request-signal.js';
import { createUtf8Decoder } from '../util/utf8.js';
import { RawHeaders } from './raw-headers.js';

/**
 * undici's `Agent` and error classes, loaded from their own modules: undici's index loads all of
 * undici (fetch, WebSocket, the mock and snapshot agents, the cache, EventSource), 3 MB of live
 * heap the proxy never uses, which the old generation may then grow past by
 * `server.heap_growth_percent` (issue 13: peak RSS). undici has no `exports` map, so these paths
 * are its own public layout; the lockfile pins the version, and every e2e test goes through them.
 */
const requireUndici = createRequire(import.meta.url);
const Agent: typeof Undici.Agent = requireUndici('undici/lib/dispatcher/agent.js');
const undiciErrors: typeof Undici.errors = requireUndici('undici/lib/core/errors.js');
type Agent = Undici.Agent;

/** The body of an upstream response, read chunk by chunk. */
export interface UpstreamBody {
  read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>;
  /**
   * True when the body has been received to its end and nothing is left to read: `read()` would
   * only say so. Lets a reader finish its answer without waiting a turn for that (optional).
   */
  atEnd?(): boolean;
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
  /**
   * Takes the stream's events of the upstream's own (not forwarded to clients), for the
   * provider that answered: the Codex provider reads its plan usage from `codex.rate_limits`.
   * (The formats' `BackendEventSink`.)
   */
  onBackendEvent?: (event: Record<string, unknown> & { type: string }) => void;
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
  signal: RequestSignal;
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

/** Bytes queued before the connection is paused until the reader catches up. */
const HIGH_WATER_BYTES = 64 * 1024;

type ReadResult = { done: true; value?: undefined } | { done: false; value: Uint8Array };

/**
 * One upstream request as a dispatch handler: `head` settles with the status and headers (or the
 * failure before them), and the body is read from the chunks it queued.
 */
class UpstreamCall implements Dispatcher.DispatchHandler {
  readonly head: Promise<{ status: number; headers: IncomingHttpHeaders }>;
  private settleHead!: {
    resolve(value: { status: number; headers: IncomingHttpHeaders }): void;
    reject(error: unknown): void;
  };
  private controller: Dispatcher.DispatchController | undefined;
  private started = false;
  private readonly chunks: Buffer[] = [];
  private queued = 0;
  private ended = false;
  private failure: unknown;
  private waiting: { resolve(result: ReadResult): void; reject(error: unknown): void } | undefined;
  private abortReason: Error | undefined;
  private readonly onAbort = () => this.abort(this.signal.reason);

  constructor(
    private readonly signal: RequestSignal,
    private readonly idleMs: number,
  ) {
    this.head = new Promise((resolve, reject) => {
      this.settleHead = { resolve, reject };
    });
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Aborts the request (before it is sent, the reason waits for `onRequestStart`). */
  abort(reason: unknown): void {
    const error = reason instanceof Error ? reason : new Error(String(reason ?? 'Aborted'));
    this.abortReason ??= error;
    this.controller?.abort(error);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // 1xx informational answers come first and are not the answer.
    if (statusCode < 200) return;
    this.started = true;
    this.settleHead.resolve({ status: statusCode, headers });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting.resolve({ done: false, value: chunk });
      return;
    }
    this.chunks.push(chunk);
    this.queued += chunk.length;
    if (this.queued >= HIGH_WATER_BYTES) controller.pause();
  }

  onResponseEnd(): void {
    this.ended = true;
    this.release();
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve({ done: true });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.release();
    if (!this.started) {
      this.settleHead.reject(error);
      return;
    }
    const failure =
      error instanceof undiciErrors.BodyTimeoutError ? new UpstreamIdleError(this.idleMs) : error;
    if (this.ended) return;
    this.failure = failure;
    this.ended = true;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(failure);
  }

  private release(): void {
    this.signal.removeEventListener('abort', this.onAbort);
  }

  /** The response body: the queued chunks in order, then the end or the failure. */
  readonly body: UpstreamBody = {
    read: () => {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        this.queued -= chunk.length;
        if (this.queued < HIGH_WATER_BYTES && this.controller?.paused) this.controller.resume();
        return Promise.resolve({ done: false, value: chunk });
      }
      if (this.failure !== undefined) return Promise.reject(this.failure);
      if (this.ended) return Promise.resolve({ done: true });
      if (this.controller?.paused) this.controller.resume();
      return new Promise<ReadResult>((resolve, reject) => {
        this.waiting = { resolve, reject };
      });
    },
    atEnd: () => this.ended && this.chunks.length === 0 && this.failure === undefined,
    cancel: async (reason) => {
      if (this.ended) return;
      this.chunks.length = 0;
      this.queued = 0;
      // Ended first: the failure the abort reports (undici's "Request aborted") is expected.
      this.ended = true;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve({ done: true });
      this.abort(reason ?? new Error('Upstream body cancelled'));
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

/** Upstream URLs already split into origin and path (a provider calls a handful of them). */
const targets = new Map<string, { origin: string; path: string }>();

/** The origin and path of `url` for undici's `dispatch`; parsed once per distinct URL. */
function dispatchTarget(url: string): { origin: string; path: string } {
  let target = targets.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
    // Bounded: URLs with per-request query strings must not grow it without end.
    if (targets.size >= 256) targets.clear();
    targets.set(url, target);
  }
  return target;
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
    options.logger?.debug(
      { method: init.method ?? 'POST', url: url.split('?')[0], headers: init.headers, attempt },
      'upstream request',
    );
    const call = new UpstreamCall(options.signal, options.idleTimeoutMs);
    let head: { status: number; headers: IncomingHttpHeaders };
    try {
      const target = dispatchTarget(url);
      options.dispatcher.dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: init.method ?? 'POST',
          headers: init.headers,
          body: init.body ?? null,
          headersTimeout: options.firstByteTimeoutMs,
          bodyTimeout: options.idleTimeoutMs,
        },
        call,
      );
      head = await call.head;
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
    options.logger?.debug({ status: head.status, headers: head.headers }, 'upstream response');
    if (RETRY_STATUSES.has(head.status) && attempt < options.maxRetries) {
      await call.body.cancel();
      await sleep(retryDelayMs(attempt));
      continue;
    }
    return {
      status: head.status,
      ok: head.status >= 200 && head.status < 300,
      headers: new RawHeaders(head.headers),
      body: call.body,
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
