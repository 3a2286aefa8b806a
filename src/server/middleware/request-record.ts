/**
 * The first middleware: gives each request its id, record and logger, and once the answer is
 * finished (a stream's end included) writes the access log and feeds the dashboard. The direct
 * routes (direct-routes.ts) begin and end their requests with the same two functions.
 */
import type { MiddlewareHandler } from 'hono';
import { deferredChild, jsonLineWriter, type Logger } from '../../observability/logger.js';
import { createRequestRecord, type RecordLifecycle } from '../../observability/request-record.js';
import { createId } from '../../util/ids.js';
import { scrubSecrets } from '../../util/secrets.js';
import { logAccess } from '../access-log.js';
import type { AppDeps, AppEnv } from '../app-deps.js';
import { isDashboardPath } from '../dashboard/access.js';
import { outgoingOf, sentDirectly } from '../send-stream.js';

/** A request as it begins: its id, record and logger. */
export interface BegunRequest {
  requestId: string;
  lifecycle: RecordLifecycle;
  logger: Logger;
}

/** Begins a request: its id (the client's `x-request-id`, or a new one), record and logger. */
export function beginRequest(
  deps: AppDeps,
  now: () => number,
  request: {
    method: string;
    path: string;
    requestId: string | null | undefined;
    /** The request's headers, for the debug log (read only when it is on). */
    headers: () => Headers;
  },
): BegunRequest {
  const requestId = request.requestId?.slice(0, 128) || createId('req_', 20);
  const lifecycle = createRequestRecord({
    requestId,
    method: request.method,
    path: request.path,
    startedAt: now(),
  });
  // Bindings skip the log's redaction: the client's id is scrubbed here. Made when the request
  // first logs (most never do).
  const logger = deferredChild(deps.logger, () => ({ request_id: scrubSecrets(requestId) }));
  if (logger.isLevelEnabled('debug')) {
    logger.debug(
      {
        method: request.method,
        path: request.path,
        headers: Object.fromEntries(request.headers()),
      },
      'request',
    );
  }
  return { requestId, lifecycle, logger };
}

/**
 * Ends a request with its status: once the answer is finished (a stream's end included), the
 * access log and metrics, and the dashboard's feed. Neither holds the client: they run after.
 */
export function endRequest(
  deps: AppDeps,
  now: () => number,
  begun: BegunRequest,
  status: number,
): void {
  const record = begun.lifecycle.record;
  record.status = status;
  begun.lifecycle.whenFinished().then(() => {
    record.durationMs ??= now() - record.startedAt;
    const path = record.path;
    if (path === '/health' || path === '/metrics' || isDashboardPath(path)) return;
    // Once the answer has gone out: the client does not wait for its log line and metrics.
    ended.push(deps, begun);
    if (ended.length === 2) setImmediate(logEnded);
  });
}

/**
 * Requests whose answers went out in this turn of the event loop, as pairs (deps, request):
 * their access lines, metrics and feed entries are written in the next, all in one callback.
 */
let ended: Array<AppDeps | BegunRequest> = [];

function logEnded(): void {
  const pairs = ended;
  ended = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const deps = pairs[i] as AppDeps;
    const begun = pairs[i + 1] as BegunRequest;
    const record = begun.lifecycle.record;
    try {
      logAccess(record, {
        logger: begun.logger,
        lines: jsonLineWriter(deps.logger),
        metrics: deps.metrics,
        enabled: deps.accessLog ?? true,
        file: deps.accessLogFile,
      });
      deps.dashboard?.feed.record(record);
    } catch (error) {
      // One request's bookkeeping failing costs neither the others' nor the server.
      begun.logger.error({ err: error }, 'writing the access log failed');
    }
  }
}

/** The request-record middleware. */
export function requestRecord(deps: AppDeps, now: () => number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const begun = beginRequest(deps, now, {
      method: c.req.method,
      path: c.req.path,
      requestId: c.req.header('x-request-id'),
      headers: () => c.req.raw.headers,
    });
    const { requestId } = begun;
    c.set('lifecycle', begun.lifecycle);
    c.set('logger', begun.logger);
    c.set('answerHeaders', { 'x-request-id': requestId });
    // Under @hono/node-server the id goes on Node's response before any answer exists: every
    // answer written there carries it, and no web `Headers` is built only to add it.
    const outgoing = outgoingOf(c);
    outgoing?.setHeader('x-request-id', requestId);
    await next();
    if (!outgoing && !sentDirectly(c)) c.res.headers.set('x-request-id', requestId);
    endRequest(deps, now, begun, c.res.status);
  };
}
