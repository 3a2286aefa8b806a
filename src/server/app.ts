/** The HTTP application: routes, the access check, the request record, and the one error boundary. */
import { Hono } from 'hono';
import type { Config } from '../config/schema.js';
import { isProxyError, ProxyError, toProxyError } from '../errors.js';
import { estimateInputTokens } from '../formats/anthropic-messages/index.js';
import type { WireFormat, WireFormatId } from '../formats/format.js';
import { readBodyJson } from '../http/upstream-fetch.js';
import type { Logger } from '../observability/logger.js';
import type { ProxyMetrics } from '../observability/metrics.js';
import { createRequestRecord, type RecordLifecycle } from '../observability/request-record.js';
import type { PipelineDeps } from '../pipeline/context.js';
import { handleRequest } from '../pipeline/handle-request.js';
import type { Provider } from '../providers/provider.js';
import type { ResponsesStore } from '../responses-store/store.js';
import { createId } from '../util/ids.js';
import { scrubSecrets } from '../util/secrets.js';
import { VERSION } from '../version.js';
import { logAccess } from './access-log.js';
import { clientFormatForPath } from './client-format.js';
import { isDashboardPath } from './dashboard/access.js';
import { type DashboardDeps, registerDashboard } from './dashboard/routes.js';
import { keysMatch, presentedKey } from './local-auth.js';
import { anthropicModelList, openaiModelList, wantsAnthropicModels } from './models-route.js';
import { type BodySource, readJsonBody } from './read-body.js';
import { hostGuard, incomingOf, originGuard } from './request-guards.js';
import { isLoopbackHost } from './serve.js';

/** Everything the application needs, injected (tests build it with fakes and loopback URLs). */
export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  metrics?: ProxyMetrics;
  formats: Readonly<Record<WireFormatId, WireFormat>>;
  providers: ReadonlyMap<string, Provider>;
  /** Enabled plugin names, for `/health`. */
  plugins: readonly string[];
  /** Monotonic milliseconds. */
  now?(): number;
  /** Appends access-log records to a file, when configured. */
  accessLogFile?: (line: string) => void;
  accessLog?: boolean;
  /** Aborted at shutdown once draining times out: open streams end with their error event. */
  shutdown?: AbortSignal;
  /** Starts capturing a request (raw upstream stream and the answer), when capture is on. */
  startCapture?: PipelineDeps['startCapture'];
  /** The dashboard plugin (its own access check, routes and feed), when it is on. */
  dashboard?: DashboardDeps;
  /** Kept Responses answers (`[responses_store]`); absent when the store is off. */
  responsesStore?: ResponsesStore;
}

type Variables = { lifecycle: RecordLifecycle; logger: Logger };

const ROUTES: Array<{ suffix: string; format: WireFormatId }> = [
  { suffix: '/v1/chat/completions', format: 'openai-chat' },
  { suffix: '/v1/responses', format: 'openai-responses' },
  { suffix: '/v1/messages', format: 'anthropic-messages' },
];

/**
 * The request body's source: Node's own request when the app runs under `@hono/node-server`
 * (reading it directly skips a web-stream copy of every chunk), the web request otherwise.
 */
function bodySource(c: { env: unknown; req: { raw: Request } }): BodySource {
  const incoming = incomingOf(c);
  return {
    contentEncoding: c.req.raw.headers.get('content-encoding'),
    contentLength: c.req.raw.headers.get('content-length'),
    chunks: incoming ?? (c.req.raw.body as AsyncIterable<Uint8Array> | null),
  };
}

/** The 404 for a response id the store does not hold (OpenAI's wording, plus why). */
function responseNotFound(responseId: string, storeOn: boolean): ProxyError {
  return new ProxyError(
    'not_found',
    storeOn
      ? `Response with id '${responseId}' not found.`
      : `Response with id '${responseId}' not found: the Responses store is off ([responses_store] enabled = false).`,
  );
}

/** Creates the application. */
export function createApp(deps: AppDeps): Hono<{ Variables: Variables }> {
  const app = new Hono<{ Variables: Variables }>();
  const now = deps.now ?? (() => performance.now());
  const seenUnknown = new Set<string>();
  const pipelineDeps: PipelineDeps = {
    formats: deps.formats,
    logger: deps.logger,
    now,
    unixSeconds: () => Math.floor(Date.now() / 1000),
    createId: (prefix) => createId(prefix),
    reportUnknownEvent(format, type) {
      deps.metrics?.unknownEvents.inc({ format, type });
      const key = `${format}:${type}`;
      if (seenUnknown.has(key)) return;
      seenUnknown.add(key);
      deps.logger.warn({ format, event_type: type }, 'unknown upstream event type');
    },
    ...(deps.startCapture ? { startCapture: deps.startCapture } : {}),
    ...(deps.shutdown ? { shutdown: deps.shutdown } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.responsesStore ? { responsesStore: deps.responsesStore } : {}),
  };
  const authToken = deps.config.security.auth_token;

  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 128) || createId('req_', 20);
    const lifecycle = createRequestRecord({
      requestId,
      method: c.req.method,
      path: c.req.path,
      startedAt: now(),
    });
    const logger = deps.logger.child({ request_id: requestId });
    c.set('lifecycle', lifecycle);
    c.set('logger', logger);
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        { method: c.req.method, path: c.req.path, headers: Object.fromEntries(c.req.raw.headers) },
        'request',
      );
    }
    await next();
    c.res.headers.set('x-request-id', requestId);
    const record = lifecycle.record;
    record.status = c.res.status;
    lifecycle.whenFinished().then(() => {
      record.durationMs ??= now() - record.startedAt;
      const path = c.req.path;
      if (path === '/health' || path === '/metrics' || isDashboardPath(path)) return;
      logAccess(record, {
        logger,
        metrics: deps.metrics,
        enabled: deps.accessLog ?? true,
        file: deps.accessLogFile,
      });
      deps.dashboard?.feed.record(record);
    });
  });

  const loopbackBind = isLoopbackHost(deps.config.server.host);
  app.use('*', hostGuard({ loopbackBind, allowedHosts: deps.config.server.allowed_hosts }));
  app.use('*', originGuard({ allowedOrigins: deps.config.security.allowed_origins }));

  app.use('*', async (c, next) => {
    if (authToken === undefined || c.req.path === '/health') return next();
    // The dashboard checks the key itself (it also takes its login cookie).
    if (deps.dashboard && isDashboardPath(c.req.path)) return next();
    if (!keysMatch(authToken, presentedKey(c.req.raw.headers))) {
      throw new ProxyError(
        'authentication',
        'Missing or invalid proxy access key: send it as "authorization: Bearer <key>" or "x-api-key"',
      );
    }
    return next();
  });

  app.get('/health', async (c) => {
    // Account identity and credential sources are for the proxy's own users only: requests
    // with the key, or (keyless) loopback requests to a loopback server.
    const authorized =
      authToken !== undefined
        ? keysMatch(authToken, presentedKey(c.req.raw.headers))
        : loopbackBind && isLoopbackHost(incomingOf(c)?.socket.remoteAddress ?? '');
    if (!authorized) return c.json({ status: 'ok', version: VERSION, plugins: deps.plugins });
    const providers: Record<string, unknown> = {};
    for (const [id, provider] of deps.providers) providers[id] = await provider.credentialStatus();
    return c.json({ status: 'ok', version: VERSION, plugins: deps.plugins, providers });
  });

  if (deps.metrics) {
    const registry = deps.metrics.registry;
    app.get('/metrics', async (c) =>
      c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
    );
  }

  if (deps.dashboard) registerDashboard(app, deps.dashboard);

  for (const [id, provider] of deps.providers) {
    const prefixes = [`/${id}`, `/${id}/:session_id{[^/]+}`];
    for (const { suffix, format } of [...ROUTES, ...(provider.extraRoutes ?? [])]) {
      for (const prefix of prefixes) {
        app.post(`${prefix}${suffix}`, async (c) => {
          const lifecycle = c.get('lifecycle');
          lifecycle.record.route = `/${id}${suffix}`;
          const body = await readJsonBody(bodySource(c), deps.config.server.max_body_bytes);
          const sessionId = c.req.param('session_id' as never) as string | undefined;
          return handleRequest(
            {
              clientFormat: format,
              provider,
              body,
              headers: c.req.raw.headers,
              signal: c.req.raw.signal,
              record: lifecycle.record,
              deferFinish: () => lifecycle.deferFinish(),
              logger: c.get('logger'),
              ...(sessionId ? { routeSessionId: sessionId } : {}),
            },
            pipelineDeps,
          );
        });
      }
    }
    const responsesRoutes = [...ROUTES, ...(provider.extraRoutes ?? [])].filter(
      (route) => route.format === 'openai-responses',
    );
    for (const prefix of prefixes) {
      for (const { suffix } of responsesRoutes) {
        const path = `${prefix}${suffix}/:response_id{[^/]+}`;
        const route = `/${id}${suffix}/{response_id}`;
        app.get(path, async (c) => {
          c.get('lifecycle').record.route = route;
          const responseId = c.req.param('response_id' as never) as string;
          const stored = await deps.responsesStore?.get(responseId);
          if (!stored) throw responseNotFound(responseId, deps.responsesStore !== undefined);
          return c.json(stored.response);
        });
        app.delete(path, async (c) => {
          c.get('lifecycle').record.route = route;
          const responseId = c.req.param('response_id' as never) as string;
          const deleted = (await deps.responsesStore?.delete(responseId)) ?? false;
          if (!deleted) throw responseNotFound(responseId, deps.responsesStore !== undefined);
          return c.json({ id: responseId, object: 'response.deleted', deleted: true });
        });
      }
      app.post(`${prefix}/v1/messages/count_tokens`, async (c) => {
        c.get('lifecycle').record.route = `/${id}/v1/messages/count_tokens`;
        const body = await readJsonBody(bodySource(c), deps.config.server.max_body_bytes);
        if (typeof body !== 'object' || body === null || Array.isArray(body)) {
          throw new ProxyError('invalid_request', 'Request body must be a JSON object');
        }
        // count_tokens bodies carry no max_tokens; the Messages decoder requires one. Decoding
        // validates the body (400 naming the field) before it is estimated.
        deps.formats['anthropic-messages'].decodeRequest({ max_tokens: 1, ...body });
        if (provider.countTokens) {
          const counted = await provider.countTokens(body as Record<string, unknown>, {
            clientHeaders: c.req.raw.headers,
            signal: c.req.raw.signal,
          });
          const answer = await readBodyJson(counted);
          if (!counted.ok)
            throw deps.formats['anthropic-messages'].decodeError(
              counted.status,
              answer,
              counted.headers,
            );
          return c.json(answer as Record<string, unknown>);
        }
        return c.json({ input_tokens: estimateInputTokens(body) });
      });
    }
    app.get(`/${id}/v1/models`, async (c) => {
      c.get('lifecycle').record.route = `/${id}/v1/models`;
      const cards = await provider.listModels();
      return c.json(
        wantsAnthropicModels(c.req.raw.headers)
          ? anthropicModelList(cards)
          : openaiModelList(cards),
      );
    });
  }

  app.notFound((c) => {
    throw new ProxyError('not_found', `No route for ${c.req.method} ${c.req.path}`);
  });

  app.onError((error, c) => {
    const proxyError = isProxyError(error) ? error : toProxyError(error);
    const logger = c.get('logger') ?? deps.logger;
    const lifecycle = c.get('lifecycle');
    if (lifecycle) {
      lifecycle.record.errorCode = proxyError.code;
      lifecycle.record.errorMessage = scrubSecrets(proxyError.message).slice(0, 1000);
    }
    if (proxyError.code === 'internal') {
      logger.error({ err: error }, 'internal error');
    } else if (proxyError.status >= 500) {
      logger.warn(
        { code: proxyError.code, status: proxyError.status },
        scrubSecrets(proxyError.message),
      );
    } else {
      logger.info(
        { code: proxyError.code, status: proxyError.status },
        scrubSecrets(proxyError.message),
      );
    }
    if (proxyError.code.startsWith('upstream_')) {
      deps.metrics?.upstreamErrors.inc({
        provider: lifecycle?.record.provider ?? 'none',
        code: proxyError.code,
      });
    }
    const format = deps.formats[clientFormatForPath(c.req.path)];
    const encoded = format.encodeError(
      new ProxyError(proxyError.code, scrubSecrets(proxyError.message), {
        status: proxyError.status,
        ...(proxyError.upstream ? { upstream: proxyError.upstream } : {}),
        ...(proxyError.retryAfter !== undefined ? { retryAfter: proxyError.retryAfter } : {}),
        ...(proxyError.param !== undefined ? { param: proxyError.param } : {}),
      }),
    );
    return c.json(encoded.body, encoded.status as 400, encoded.headers);
  });

  return app;
}
