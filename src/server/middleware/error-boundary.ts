/**
 * The one error boundary: every error a handler throws becomes the client's error in its own
 * API's format, logged at its level, counted when it came from upstream, and scrubbed of secrets.
 */
import type { ErrorHandler } from 'hono';
import { isProxyError, ProxyError, toProxyError } from '../../errors.js';
import { scrubSecrets } from '../../util/secrets.js';
import type { AppDeps, AppEnv } from '../app-deps.js';
import { clientFormatForPath } from '../client-format.js';

/** The application's `onError` handler. */
export function errorBoundary(
  deps: Pick<AppDeps, 'logger' | 'metrics' | 'formats'>,
): ErrorHandler<AppEnv> {
  return (error, c) => {
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
  };
}
