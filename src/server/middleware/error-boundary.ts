/**
 * The one error boundary: every error a handler throws becomes the client's error in its own
 * API's format, logged at its level, counted when it came from upstream, and scrubbed of secrets.
 * The Hono app's `onError` and the direct routes (direct-routes.ts) both answer with `errorAnswer`.
 */
import type { ErrorHandler } from 'hono';
import { isProxyError, ProxyError, toProxyError } from '../../errors.js';
import type { EncodedError } from '../../formats/format.js';
import type { Logger } from '../../observability/logger.js';
import type { RecordLifecycle } from '../../observability/request-record.js';
import { scrubSecrets } from '../../util/secrets.js';
import type { AppDeps, AppEnv } from '../app-deps.js';
import { clientFormatForPath } from '../client-format.js';

type BoundaryDeps = Pick<AppDeps, 'logger' | 'metrics' | 'formats'>;

/** The client's error answer for `error` on `path`: logged, counted and noted in the record. */
export function errorAnswer(
  deps: BoundaryDeps,
  error: unknown,
  request: { path: string; lifecycle: RecordLifecycle | undefined; logger: Logger | undefined },
): EncodedError {
  const proxyError = isProxyError(error) ? error : toProxyError(error);
  const logger = request.logger ?? deps.logger;
  const lifecycle = request.lifecycle;
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
  const format = deps.formats[clientFormatForPath(request.path)];
  return format.encodeError(
    new ProxyError(proxyError.code, scrubSecrets(proxyError.message), {
      status: proxyError.status,
      ...(proxyError.upstream ? { upstream: proxyError.upstream } : {}),
      ...(proxyError.retryAfter !== undefined ? { retryAfter: proxyError.retryAfter } : {}),
      ...(proxyError.param !== undefined ? { param: proxyError.param } : {}),
    }),
  );
}

/** The application's `onError` handler. */
export function errorBoundary(deps: BoundaryDeps): ErrorHandler<AppEnv> {
  return (error, c) => {
    const encoded = errorAnswer(deps, error, {
      path: c.req.path,
      lifecycle: c.get('lifecycle'),
      logger: c.get('logger'),
    });
    return c.json(encoded.body, encoded.status as 400, encoded.headers);
  };
}
