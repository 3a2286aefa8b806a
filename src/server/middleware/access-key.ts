/** The proxy's access check: with `[security] auth_token` set, all but `/health` need the key. */
import type { MiddlewareHandler } from 'hono';
import { ProxyError } from '../../errors.js';
import type { AppEnv } from '../app-deps.js';
import { isDashboardPath } from '../dashboard/access.js';
import { keysMatch, presentedKey } from '../local-auth.js';

/** The access-key middleware (a pass-through when no key is configured). */
export function accessKey(options: {
  authToken: string | undefined;
  /** The dashboard plugin is on: its paths check the key themselves (they also take its cookie). */
  dashboard: boolean;
}): MiddlewareHandler<AppEnv> {
  const { authToken } = options;
  return async (c, next) => {
    if (authToken === undefined || c.req.path === '/health') return next();
    if (options.dashboard && isDashboardPath(c.req.path)) return next();
    if (!keysMatch(authToken, presentedKey(c.req.raw.headers))) {
      throw new ProxyError(
        'authentication',
        'Missing or invalid proxy access key: send it as "authorization: Bearer <key>" or "x-api-key"',
      );
    }
    return next();
  };
}
