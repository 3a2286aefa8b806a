/**
 * The dashboard's routes: the page and its assets (shipped in the package's `dashboard/` folder,
 * no build step), the login form, a JSON snapshot and the server-sent event feed.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Context, Env, Hono } from 'hono';
import type { Provider } from '../../providers/provider.js';
import { VERSION } from '../../version.js';
import { keysMatch } from '../local-auth.js';
import { dashboardAccess, sessionCookie, sessionToken } from './access.js';
import type { DashboardFeed, FeedSubscriber } from './feed.js';
import type { PlanUsageSource } from './plan-usage.js';

/** Where the page's files are (the package's `dashboard/` folder). */
export const DASHBOARD_ASSETS = new URL('../../../dashboard/', import.meta.url);

/** Everything the dashboard reads. */
export interface DashboardDeps {
  feed: DashboardFeed;
  /** The proxy's access key; without one the dashboard is for loopback clients only. */
  authToken: string | undefined;
  providers: ReadonlyMap<string, Provider>;
  plugins: readonly string[];
  planUsage: PlanUsageSource;
  /** Per provider id: how long before expiry its token is refreshed (seconds). */
  refreshSkewSeconds?: Readonly<Record<string, number>>;
  /** The capture directory, when capture is on. */
  captureDir: string | undefined;
  /** Wall-clock milliseconds. */
  wallClock?: () => number;
  /** Seconds between keep-alive comments on the feed. */
  pingSeconds?: number;
}

/** The headers of every dashboard response: a strict CSP and no framing, sniffing or caching. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const ASSET_TYPES: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

const MAX_LOGIN_BYTES = 4096;

/** Reads and caches the shipped files. */
function assetReader(dir: URL): (name: string) => string {
  const cache = new Map<string, string>();
  return (name) => {
    let text = cache.get(name);
    if (text === undefined) {
      text = readFileSync(new URL(name, dir), 'utf8');
      cache.set(name, text);
    }
    return text;
  };
}

function respond(body: string | ReadableStream, status: number, type: string, extra = {}) {
  return new Response(body, {
    status,
    headers: { ...SECURITY_HEADERS, 'content-type': type, ...extra },
  });
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function remoteAddress(c: Context): string | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress;
}

/** Adds the dashboard's routes to the application. */
export function registerDashboard<E extends Env>(app: Hono<E>, deps: DashboardDeps): void {
  const asset = assetReader(DASHBOARD_ASSETS);
  const wallClock = deps.wallClock ?? Date.now;
  const startedAt = wallClock();
  const loginPage = (failed: boolean) =>
    failed
      ? asset('login.html').replace('<p id="login-error" hidden>', '<p id="login-error">')
      : asset('login.html');

  // `/dashboard/*` also matches `/dashboard` itself.
  app.use('/dashboard/*', guard);

  async function guard(c: Context, next: () => Promise<void>) {
    const access = dashboardAccess({
      headers: c.req.raw.headers,
      remoteAddress: remoteAddress(c),
      authToken: deps.authToken,
    });
    if (access === 'forbidden') {
      return respond(
        'The dashboard of a server without an access key is only served to loopback clients that ask for a loopback host name (localhost, 127.0.0.1, [::1]).\n',
        403,
        'text/plain; charset=utf-8',
      );
    }
    const path = c.req.path;
    const open = path.startsWith('/dashboard/assets/') || path === '/dashboard/login';
    if (access === 'login' && !open) {
      if (path === '/dashboard' && c.req.method === 'GET') {
        return respond(loginPage(false), 200, 'text/html; charset=utf-8');
      }
      return respond(
        JSON.stringify({ error: { message: 'Log in to the dashboard with the proxy access key' } }),
        401,
        'application/json',
      );
    }
    await next();
  }

  app.get('/dashboard', () => respond(asset('index.html'), 200, 'text/html; charset=utf-8'));

  app.get('/dashboard/assets/:name', (c) => {
    const name = c.req.param('name');
    const type = Object.hasOwn(ASSET_TYPES, name) ? ASSET_TYPES[name] : undefined;
    if (!type) return respond('Not found\n', 404, 'text/plain; charset=utf-8');
    return respond(asset(name), 200, type);
  });

  app.post('/dashboard/login', async (c) => {
    const origin = c.req.header('origin');
    const host = c.req.header('host');
    if (origin && host && originHost(origin) !== host) {
      return respond('Cross-site login refused\n', 403, 'text/plain; charset=utf-8');
    }
    if (deps.authToken === undefined) return c.redirect('/dashboard', 303);
    // A login form is tiny; a body without a length or a large one is not read at all.
    const length = Number(c.req.header('content-length') ?? Number.NaN);
    const form = length >= 0 && length <= MAX_LOGIN_BYTES ? await c.req.parseBody() : {};
    const key = typeof form.key === 'string' ? form.key.trim() : undefined;
    if (!keysMatch(deps.authToken, key)) {
      return respond(loginPage(true), 401, 'text/html; charset=utf-8');
    }
    return new Response(null, {
      status: 303,
      headers: {
        ...SECURITY_HEADERS,
        location: '/dashboard',
        'set-cookie': sessionCookie(sessionToken(deps.authToken)),
      },
    });
  });

  app.post('/dashboard/logout', () => {
    return new Response(null, {
      status: 303,
      headers: {
        ...SECURITY_HEADERS,
        location: '/dashboard',
        'set-cookie': sessionCookie(undefined),
      },
    });
  });

  app.get('/dashboard/api/snapshot', async () => {
    const providers: Record<string, unknown> = {};
    await Promise.all(
      [...deps.providers].map(async ([id, provider]) => {
        const status = await provider
          .credentialStatus()
          .catch((error: unknown) => ({ state: 'invalid' as const, detail: String(error) }));
        const skew = deps.refreshSkewSeconds?.[id];
        const expires =
          'expiresAt' in status && status.expiresAt ? Date.parse(status.expiresAt) : NaN;
        // When ccproxy will refresh the token by itself (at the first request after this time).
        const refreshAt =
          'refreshable' in status &&
          status.refreshable &&
          skew !== undefined &&
          !Number.isNaN(expires)
            ? new Date(expires - skew * 1000).toISOString()
            : undefined;
        providers[id] = refreshAt ? { ...status, refreshAt } : status;
      }),
    );
    const now = wallClock();
    return respond(
      JSON.stringify({
        version: VERSION,
        now: new Date(now).toISOString(),
        startedAt: new Date(startedAt).toISOString(),
        uptimeSeconds: Math.round((now - startedAt) / 1000),
        auth: deps.authToken === undefined ? 'loopback' : 'key',
        plugins: deps.plugins,
        providers,
        capture:
          deps.captureDir === undefined
            ? { enabled: false }
            : { enabled: true, dir: deps.captureDir },
        planUsage: deps.planUsage.snapshot(),
        usage: deps.feed.usage(),
        requests: deps.feed.recent(),
      }),
      200,
      'application/json',
    );
  });

  app.get('/dashboard/api/events', (c) => {
    const encoder = new TextEncoder();
    const signal = c.req.raw.signal;
    let cleanup = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        let open = true;
        const write = (text: string) => {
          if (!open) return;
          // A dashboard that stopped reading is dropped rather than buffered without end.
          if ((controller.desiredSize ?? 0) < -1000) return cleanup();
          controller.enqueue(encoder.encode(text));
        };
        const subscriber: FeedSubscriber = {
          send: write,
          close: () => cleanup(),
        };
        const unsubscribe = deps.feed.subscribe(subscriber);
        const ping = setInterval(() => write(': ping\n\n'), (deps.pingSeconds ?? 15) * 1000);
        ping.unref();
        cleanup = () => {
          if (!open) return;
          open = false;
          clearInterval(ping);
          unsubscribe();
          signal.removeEventListener('abort', cleanup);
          try {
            controller.close();
          } catch {
            // Already closed by the client going away.
          }
        };
        signal.addEventListener('abort', cleanup);
        write('retry: 1000\nevent: hello\ndata: {}\n\n');
      },
      cancel() {
        cleanup();
      },
    });
    return respond(body, 200, 'text/event-stream; charset=utf-8', {
      'x-accel-buffering': 'no',
    });
  });
}
