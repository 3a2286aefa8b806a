/**
 * Guards in front of every route against what a web page can make a browser do: DNS rebinding
 * (a `Host` that is not ours) and cross-site requests (an `Origin` that is not allowed), with the
 * CORS preflight answered for allowed origins only.
 */
import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { ProxyError } from '../errors.js';
import type { AppEnv } from './app-deps.js';
import { sentDirectly } from './send-stream.js';

/** The Node request under `@hono/node-server`, when there is one. */
export function incomingOf(c: { env: unknown }): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/** Splits a `Host` header into its lower-case name (IPv6 without brackets) and its port. */
export function parseHostHeader(host: string): { name: string; port?: number } {
  const value = host.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (bracketed) {
    return { name: bracketed[1]!, ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  }
  const colon = value.lastIndexOf(':');
  // One colon: name:port. More than one: a bare IPv6 address (not valid in Host, kept whole).
  if (colon > 0 && value.indexOf(':') === colon) {
    const port = value.slice(colon + 1);
    return { name: value.slice(0, colon), ...(/^\d+$/.test(port) ? { port: Number(port) } : {}) };
  }
  return { name: value };
}

/** True for the names and addresses that always mean this machine. */
export function isLoopbackName(name: string): boolean {
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) ||
    name === '::ffff:127.0.0.1'
  );
}

/** True for an IP address literal (which no DNS answer can rebind). */
function isIpLiteral(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}

/** Options of `hostGuard`. */
export interface HostGuardOptions {
  /** The proxy listens on a loopback address only. */
  loopbackBind: boolean;
  /** `server.allowed_hosts`: names (or `name:port`) accepted besides loopback ones. */
  allowedHosts: readonly string[];
}

/**
 * Refuses (421, in the client's format) a request whose `Host` is not ours. On a loopback bind
 * that is any name other than a loopback one (with the bound port) or an allowed host: a page
 * on a rebinding domain reaches 127.0.0.1 with its own name as Host. Beyond loopback the access
 * key is the guard; `allowed_hosts`, when set, still applies (IP literals always pass there,
 * since no DNS answer can rebind them).
 */
export function hostGuard(options: HostGuardOptions): MiddlewareHandler {
  const check = hostCheck(options);
  return async (c, next) => {
    const incoming = incomingOf(c);
    check(incoming?.headers.host ?? c.req.header('host'), incoming?.socket.localPort);
    return next();
  };
}

/**
 * The check of `hostGuard` as a function of the `Host` header and the port the request came in
 * on (`undefined`: not known): throws the 421 for a host that is not ours.
 */
export function hostCheck(
  options: HostGuardOptions,
): (header: string | undefined, boundPort: number | undefined) => void {
  const allowed = new Set(options.allowedHosts.map((host) => host.trim().toLowerCase()));
  const enforce = options.loopbackBind || allowed.size > 0;
  return (header, boundPort) => {
    // Browsers always send Host; a client that sends none is not a web page.
    if (!enforce || header === undefined || header === '') return;
    const { name, port } = parseHostHeader(header);
    const portMatches = port === undefined || boundPort === undefined || port === boundPort;
    const ok =
      allowed.has(header.trim().toLowerCase()) ||
      allowed.has(name) ||
      (isLoopbackName(name) && portMatches) ||
      (!options.loopbackBind && isIpLiteral(name));
    if (!ok) {
      throw new ProxyError(
        'permission',
        `Host "${header.slice(0, 100)}" is not served here: ccproxy answers loopback names only; add the name to server.allowed_hosts (SERVER__ALLOWED_HOSTS, --allowed-host) to serve it`,
        { status: 421 },
      );
    }
  };
}

/** Options of `originGuard`. */
export interface OriginGuardOptions {
  /** `security.allowed_origins`: exact origins, or `*` (any; only with an access key). */
  allowedOrigins: readonly string[];
}

const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d+)?$/i;

/** Headers a browser may read from an answer (besides the CORS-safelisted ones). */
const EXPOSED_HEADERS = [
  'x-request-id',
  'retry-after',
  'request-id',
  'anthropic-ratelimit-requests-remaining',
  'x-ratelimit-remaining-requests',
].join(', ');

/** True when pages of `origin` may call the proxy. */
export function isAllowedOrigin(origin: string, allowedOrigins: readonly string[]): boolean {
  if (allowedOrigins.includes('*')) return true;
  if (LOOPBACK_ORIGIN.test(origin)) return true;
  const normalised = origin.replace(/\/+$/, '').toLowerCase();
  return allowedOrigins.some((allowed) => allowed.replace(/\/+$/, '').toLowerCase() === normalised);
}

/** Throws the 403 for a request from a web origin that is not allowed. */
export function checkOrigin(origin: string, allowedOrigins: readonly string[]): void {
  if (!isAllowedOrigin(origin, allowedOrigins)) {
    throw new ProxyError(
      'permission',
      `Requests from the web origin "${origin.slice(0, 200)}" are not allowed: add it to security.allowed_origins (SECURITY__ALLOWED_ORIGINS, --allowed-origin) to let its pages call ccproxy`,
    );
  }
}

/** Adds the CORS headers of an allowed origin's answer to `headers`. */
export function addCorsHeaders(headers: Record<string, string>, origin: string): void {
  headers['access-control-allow-origin'] = origin;
  headers['access-control-expose-headers'] = EXPOSED_HEADERS;
  headers.vary = 'Origin';
}

/**
 * Refuses (403, in the client's format, before anything is read or sent upstream) a request that
 * carries an `Origin` not allowed: without it, any page the user visits could spend the account
 * with a "simple" cross-site POST. Answers the CORS preflight for allowed origins only, and adds
 * the CORS headers to their answers. Requests without `Origin` (CLIs, SDKs) pass untouched.
 */
export function originGuard(options: OriginGuardOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined) return next();
    checkOrigin(origin, options.allowedOrigins);
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      const requested = c.req.header('access-control-request-headers');
      return c.body(null, 204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
        ...(requested ? { 'access-control-allow-headers': requested } : {}),
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      });
    }
    const answerHeaders = c.get('answerHeaders');
    if (answerHeaders) addCorsHeaders(answerHeaders, origin);
    await next();
    if (sentDirectly(c)) return;
    c.res.headers.set('access-control-allow-origin', origin);
    c.res.headers.set('access-control-expose-headers', EXPOSED_HEADERS);
    c.res.headers.append('vary', 'Origin');
  };
}
