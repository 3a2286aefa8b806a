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
  const check = accessKeyCheck(options);
  return async (c, next) => {
    check(c.req.path, c.req.raw.headers);
    return next();
  };
}

/** The middleware's check as a function of the path and headers: throws the 401. */
export function accessKeyCheck(options: {
  authToken: string | undefined;
  dashboard: boolean;
}): (path: string, headers: Pick<Headers, 'get'>) => void {
  const { authToken } = options;
  return (path, headers) => {
    if (authToken === undefined || path === '/health') return;
    if (options.dashboard && isDashboardPath(path)) return;
    if (!keysMatch(authToken, presentedKey(headers))) {
      throw new ProxyError(
        'authentication',
        'Missing or invalid proxy access key: send it as "authorization: Bearer <key>" or "x-api-key"',
      );
    }
  };
}
