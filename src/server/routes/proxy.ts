/** The proxied API routes (`POST /<provider>[/<session>]/v1/...`), handed to the pipeline. */

import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { Logger } from '../../observability/logger.js';
import { answerResponse } from '../../pipeline/answer.js';
import type { PipelineDeps } from '../../pipeline/context.js';
import { handleRequest } from '../../pipeline/handle-request.js';
import { mayForwardClientText } from '../../pipeline/plan.js';
import { LiveStream } from '../../pipeline/stream-response.js';
import type { Provider } from '../../providers/provider.js';
import { RequestAbort, type RequestSignal } from '../../util/request-signal.js';
import type { App, AppEnv } from '../app-deps.js';
import { type BodySource, readJsonBody } from '../read-body.js';
import { incomingOf } from '../request-guards.js';
import { outgoingOf, sendLiveStream } from '../send-stream.js';
import { providerApiRoutes, providerPrefixes } from './provider-paths.js';

/**
 * The request body's source: Node's own request when the app runs under `@hono/node-server`
 * (reading it directly skips a web-stream copy of every chunk), the web request otherwise.
 */
export function bodySource(c: { env: unknown; req: { raw: Request } }): BodySource {
  const incoming = incomingOf(c);
  return {
    contentEncoding: c.req.raw.headers.get('content-encoding'),
    contentLength: c.req.raw.headers.get('content-length'),
    chunks: incoming ?? (c.req.raw.body as AsyncIterable<Uint8Array> | null),
  };
}

/**
 * The client's signal. Under `@hono/node-server`: a `RequestAbort`, aborted when Node's response
 * closes before the answer finished (the client went away), as the server's own web signal is;
 * reading that one would make an `AbortController` for every request. Elsewhere: the web
 * request's signal.
 */
export function clientSignal(c: Context<AppEnv>): RequestSignal {
  const outgoing = outgoingOf(c);
  return outgoing ? closeSignal(outgoing, c.get('logger')) : c.req.raw.signal;
}

/** A signal aborted when `outgoing` closes before the answer finished (the client went away). */
export function closeSignal(outgoing: ServerResponse, logger: Logger): RequestSignal {
  const signal = new RequestAbort();
  outgoing.once('close', () => {
    if (outgoing.writableFinished) return;
    try {
      signal.abort('Client connection prematurely closed.');
    } catch (error) {
      // A listener's failure must not take the server down with it.
      logger.error({ err: error }, 'aborting the upstream request failed');
    }
  });
  return signal;
}

/** Registers a provider's API routes. */
export function registerProxyRoutes(
  app: App,
  options: { id: string; provider: Provider; pipeline: PipelineDeps; maxBodyBytes: number },
): void {
  const { id, provider } = options;
  for (const { suffix, format } of providerApiRoutes(provider)) {
    for (const prefix of providerPrefixes(id)) {
      app.post(`${prefix}${suffix}`, async (c) => {
        const lifecycle = c.get('lifecycle');
        lifecycle.record.route = `/${id}${suffix}`;
        const body = await readJsonBody(
          bodySource(c),
          options.maxBodyBytes,
          mayForwardClientText(provider, format),
        );
        const sessionId = c.req.param('session_id' as never) as string | undefined;
        const answer = await handleRequest(
          {
            clientFormat: format,
            provider,
            body,
            headers: c.req.raw.headers,
            signal: clientSignal(c),
            record: lifecycle.record,
            deferFinish: () => lifecycle.deferFinish(),
            logger: c.get('logger'),
            ...(sessionId ? { routeSessionId: sessionId } : {}),
          },
          options.pipeline,
        );
        if (!(answer instanceof LiveStream)) return answerResponse(answer);
        // A live stream goes straight to Node's socket when the app runs on @hono/node-server.
        const outgoing = outgoingOf(c);
        if (!outgoing) return answer.toResponse();
        return sendLiveStream(answer, outgoing, c.get('answerHeaders'), c.get('logger'));
      });
    }
  }
}
