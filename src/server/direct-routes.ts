/**
 * The proxied API routes (`POST /<provider>[/<session>]/v1/...`) served on Node's own request and
 * response, beside the Hono app: the same request record, guards, pipeline and error boundary as
 * the app's middleware and routes/proxy.ts, called as plain functions. Hono's request and context
 * objects, its middleware chain and the `Response` it writes back were 11% of a short request's
 * CPU (issue 13: 0.134 -> 0.120 CPU ms per non-streamed chat request in an A/B).
 *
 * Only paths that mean the same to Hono and here are taken: a path of plain segments (letters,
 * digits, `_`, `-`, `~`, and `.` after the first character: nothing percent-encoded, no `.` or
 * `..` segment, no empty segment) naming a provider's route exactly, in the order Hono tries
 * them. Anything else (other methods, encoded or odd paths, every other route) goes to Hono.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireFormatId } from '../formats/format.js';
import { RawHeaders } from '../http/raw-headers.js';
import { TextAnswer } from '../pipeline/answer.js';
import type { PipelineDeps } from '../pipeline/context.js';
import { handleRequest } from '../pipeline/handle-request.js';
import { mayForwardClientText } from '../pipeline/plan.js';
import { LiveStream } from '../pipeline/stream-response.js';
import type { Provider } from '../providers/provider.js';
import type { AppDeps } from './app-deps.js';
import { accessKeyCheck } from './middleware/access-key.js';
import { errorAnswer } from './middleware/error-boundary.js';
import { type BegunRequest, beginRequest, endRequest } from './middleware/request-record.js';
import { readJsonBody } from './read-body.js';
import { addCorsHeaders, checkOrigin, hostCheck } from './request-guards.js';
import { providerApiRoutes } from './routes/provider-paths.js';
import { closeSignal } from './routes/proxy.js';
import {
  writeLiveStream,
  writeTextAnswer,
  writeWebResponse,
  writeWholeAnswer,
} from './send-stream.js';

/** Serves a request itself and returns true, or returns false to leave it to the app. */
export type DirectHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/** A path Hono reads as it is written (see the module's note). */
const PLAIN_PATH = /^(?:\/[\w~-][\w.~-]*)+$/;

/** One provider's routes, in registration order. */
export interface ProviderRoutes<P = Provider> {
  id: string;
  provider: P;
  routes: ReadonlyArray<{ suffix: string; format: WireFormatId }>;
}

/** A matched route. */
export interface DirectRoute<P = Provider> {
  path: string;
  id: string;
  provider: P;
  suffix: string;
  format: WireFormatId;
  sessionId: string | undefined;
}

/**
 * The route `url` names, as the app's router would pick it: for each API route in order, the
 * provider prefix without a session first, then with one. `undefined` for anything else.
 */
export function matchDirectRoute<P>(
  table: ReadonlyMap<string, ProviderRoutes<P>>,
  url: string,
): DirectRoute<P> | undefined {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (!PLAIN_PATH.test(path)) return undefined;
  const slash = path.indexOf('/', 1);
  if (slash === -1) return undefined;
  const entry = table.get(path.slice(1, slash));
  if (entry === undefined) return undefined;
  const rest = path.slice(slash);
  const next = rest.indexOf('/', 1);
  const afterSession = next === -1 ? undefined : rest.slice(next);
  for (const { suffix, format } of entry.routes) {
    let sessionId: string | undefined;
    if (rest === suffix) sessionId = undefined;
    else if (afterSession === suffix) sessionId = rest.slice(1, next);
    else continue;
    return { path, id: entry.id, provider: entry.provider, suffix, format, sessionId };
  }
  return undefined;
}

/** The direct routes of an app built from `deps` (the same providers, guards and pipeline). */
export function createDirectRoutes(
  deps: AppDeps,
  options: {
    pipeline: PipelineDeps;
    now: () => number;
    loopbackBind: boolean;
    maxBodyBytes: number;
  },
): DirectHandler {
  const table = new Map<string, ProviderRoutes>();
  for (const [id, provider] of deps.providers) {
    table.set(id, { id, provider, routes: providerApiRoutes(provider) });
  }
  const checkHost = hostCheck({
    loopbackBind: options.loopbackBind,
    allowedHosts: deps.config.server.allowed_hosts,
  });
  const checkKey = accessKeyCheck({
    authToken: deps.config.security.auth_token,
    dashboard: deps.dashboard !== undefined,
  });
  const allowedOrigins = deps.config.security.allowed_origins;
  const { now } = options;

  async function serve(
    request: IncomingMessage,
    response: ServerResponse,
    route: DirectRoute,
  ): Promise<void> {
    const headers = new RawHeaders(request.headers);
    const begun: BegunRequest = beginRequest(deps, now, {
      method: 'POST',
      path: route.path,
      requestId: headers.get('x-request-id'),
      headers: () => headers,
    });
    // Every answer below is written with these headers in its `writeHead` (none is set on the
    // response beforehand: Node then takes its fast path, with no merge of two header sets).
    const answerHeaders: Record<string, string> = { 'x-request-id': begun.requestId };
    let status: number;
    try {
      checkHost(request.headers.host, request.socket.localPort);
      const origin = request.headers.origin;
      if (origin !== undefined) {
        checkOrigin(origin, allowedOrigins);
        addCorsHeaders(answerHeaders, origin);
      }
      checkKey(route.path, headers);
      const { lifecycle, logger } = begun;
      lifecycle.record.route = `/${route.id}${route.suffix}`;
      const body = await readJsonBody(
        {
          contentEncoding: request.headers['content-encoding'],
          contentLength: request.headers['content-length'],
          chunks: request,
        },
        options.maxBodyBytes,
        mayForwardClientText(route.provider, route.format),
      );
      const answer = await handleRequest(
        {
          clientFormat: route.format,
          provider: route.provider,
          body,
          headers,
          signal: closeSignal(response, logger),
          record: lifecycle.record,
          deferFinish: () => lifecycle.deferFinish(),
          logger,
          // Always present (a conditional spread here took V8's slow path of object creation).
          routeSessionId: route.sessionId || undefined,
        },
        options.pipeline,
      );
      status = answer.status;
      if (answer instanceof TextAnswer) writeTextAnswer(answer, response, answerHeaders);
      else if (answer instanceof LiveStream)
        writeLiveStream(answer, response, answerHeaders, logger);
      else {
        writeWebResponse(answer, response, answerHeaders).catch((error: unknown) => {
          logger.warn({ err: error }, 'writing the answer to the client failed');
          response.destroy(error instanceof Error ? error : new Error(String(error)));
        });
      }
    } catch (error) {
      const encoded = errorAnswer(deps, error, {
        path: route.path,
        lifecycle: begun.lifecycle,
        logger: begun.logger,
      });
      status = encoded.status;
      if (!response.headersSent) {
        const headers = {
          'content-type': 'application/json',
          ...encoded.headers,
          ...answerHeaders,
        };
        writeWholeAnswer(response, status, headers, JSON.stringify(encoded.body));
      } else response.destroy();
    }
    endRequest(deps, now, begun, status);
  }

  return (request, response) => {
    if (request.method !== 'POST' || request.url === undefined) return false;
    const route = matchDirectRoute(table, request.url);
    if (route === undefined) return false;
    serve(request, response, route).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'unhandled error while serving a request');
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
    return true;
  };
}
