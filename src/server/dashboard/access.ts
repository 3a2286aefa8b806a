/**
 * Who may open the dashboard. With an access key: the key in a header, or the session cookie the
 * login form sets (an HMAC of the key, so the cookie never holds the key and survives restarts).
 * Without a key: loopback clients that name a loopback host only (a page on another site cannot
 * reach it by DNS rebinding).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { keysMatch, presentedKey } from '../local-auth.js';
import { isLoopbackHost } from '../serve.js';

/** The session cookie's name. */
export const SESSION_COOKIE = 'ccproxy_dashboard';

/** True for `/dashboard` and everything under it. */
export function isDashboardPath(path: string): boolean {
  return path === '/dashboard' || path.startsWith('/dashboard/');
}

/** The session cookie value for an access key. */
export function sessionToken(key: string): string {
  return createHmac('sha256', key).update('ccproxy dashboard session v1').digest('base64url');
}

/** The `Set-Cookie` header that logs a browser in (`undefined` clears it). */
export function sessionCookie(token: string | undefined): string {
  const attributes = 'Path=/dashboard; HttpOnly; SameSite=Strict';
  return token === undefined
    ? `${SESSION_COOKIE}=; ${attributes}; Max-Age=0`
    : `${SESSION_COOKIE}=${token}; ${attributes}`;
}

function cookie(headers: Headers, name: string): string | undefined {
  for (const part of (headers.get('cookie') ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The host name of a `Host` header, without its port. */
export function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** What a dashboard request may do. */
export type DashboardAccess = 'allowed' | 'login' | 'forbidden';

/** Decides whether a dashboard request is let in. */
export function dashboardAccess(request: {
  headers: Headers;
  remoteAddress: string | undefined;
  authToken: string | undefined;
}): DashboardAccess {
  const { headers, authToken } = request;
  if (authToken === undefined) {
    const host = headers.get('host');
    const loopbackClient =
      request.remoteAddress !== undefined && isLoopbackHost(request.remoteAddress);
    return loopbackClient && host !== null && isLoopbackHost(hostName(host))
      ? 'allowed'
      : 'forbidden';
  }
  if (keysMatch(authToken, presentedKey(headers))) return 'allowed';
  const session = cookie(headers, SESSION_COOKIE);
  if (session !== undefined && sameText(session, sessionToken(authToken))) return 'allowed';
  return 'login';
}
