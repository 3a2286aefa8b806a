/**
 * The first middleware: gives each request its id, record and logger, and once the answer is
 * finished (a stream's end included) writes the access log and feeds the dashboard.
 */
import type { MiddlewareHandler } from 'hono';
import { createRequestRecord } from '../../observability/request-record.js';
import { createId } from '../../util/ids.js';
import { scrubSecrets } from '../../util/secrets.js';
import { logAccess } from '../access-log.js';
import type { AppDeps, AppEnv } from '../app-deps.js';
import { isDashboardPath } from '../dashboard/access.js';
import { outgoingOf, sentDirectly } from '../send-stream.js';

/** The request-record middleware. */
export function requestRecord(deps: AppDeps, now: () => number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 128) || createId('req_', 20);
    const lifecycle = createRequestRecord({
      requestId,
      method: c.req.method,
      path: c.req.path,
      startedAt: now(),
    });
    // Bindings skip the log's redaction: the client's id is scrubbed here.
    const logger = deps.logger.child({ request_id: scrubSecrets(requestId) });
    c.set('lifecycle', lifecycle);
    c.set('logger', logger);
    c.set('answerHeaders', { 'x-request-id': requestId });
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        { method: c.req.method, path: c.req.path, headers: Object.fromEntries(c.req.raw.headers) },
        'request',
      );
    }
    // Under @hono/node-server the id goes on Node's response before any answer exists: every
    // answer written there carries it, and no web `Headers` is built only to add it.
    const outgoing = outgoingOf(c);
    outgoing?.setHeader('x-request-id', requestId);
    await next();
    if (!outgoing && !sentDirectly(c)) c.res.headers.set('x-request-id', requestId);
    const record = lifecycle.record;
    record.status = c.res.status;
    lifecycle.whenFinished().then(() => {
      record.durationMs ??= now() - record.startedAt;
      const path = c.req.path;
      if (path === '/health' || path === '/metrics' || isDashboardPath(path)) return;
      // Once the answer has gone out: the client does not wait for its log line and metrics.
      setImmediate(() => {
        logAccess(record, {
          logger,
          metrics: deps.metrics,
          enabled: deps.accessLog ?? true,
          file: deps.accessLogFile,
        });
        deps.dashboard?.feed.record(record);
      });
    });
  };
}
