/** A one-shot loopback HTTP listener that receives an OAuth redirect and yields its `code`. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { registerSecret } from '../util/secrets.js';
import { LoginError } from './login-error.js';

/** How long the browser step may take by default: 5 minutes. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5 * 60 * 1000;

/** Options of `startCallbackServer`. */
export interface CallbackServerOptions {
  /** Port on 127.0.0.1; 0 picks a free one (tests). */
  port: number;
  /** The redirect path, e.g. `/auth/callback`. */
  path: string;
  /** The `state` sent with the authorization request; a callback must carry the same value. */
  state: string;
  timeoutMs?: number;
  /**
   * Waits `ms`, or rejects once `signal` aborts (injectable so tests do not wait on the clock);
   * by default a timer that does not keep the process alive.
   */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  /** Aborting it ends the wait with a `cancelled` error. */
  signal?: AbortSignal;
  /** Provider name for the pages shown in the browser. */
  title?: string;
}

/** A listening callback server. */
export interface CallbackServer {
  /** The bound port (the real one when `port` was 0). */
  port: number;
  /**
   * Resolves with the authorization code once a callback with the right `state` arrives; rejects
   * with a `LoginError` on an `error` parameter (with the right state) or the timeout. Callbacks
   * with a wrong or missing state get a 400 page and are otherwise ignored. The server is closed
   * once the wait ends.
   */
  code: Promise<string>;
  /** Stops listening (idempotent); a pending `code` rejects as cancelled. */
  close(): Promise<void>;
}

/** `5 minutes`, `30 seconds`, `50 ms`. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  if (ms >= 1000) return `${Math.round(ms / 1000)} seconds`;
  return `${ms} ms`;
}

function page(title: string, heading: string, text: string): string {
  const escapeHtml = (value: string) =>
    value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    '<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto">' +
    `<h1>${escapeHtml(heading)}</h1><p>${escapeHtml(text)}</p></body></html>`
  );
}

function reply(response: ServerResponse, status: number, html: string, done?: () => void): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The browser would otherwise keep the socket open and hold the server up on close.
    connection: 'close',
  });
  response.end(html, done);
}

/** What to answer a redirect and what it means for the login. */
export type CallbackAnswer = { status: number; heading: string; text: string } & (
  | { code: string }
  | { error: LoginError }
);

/** Decides what a redirect to the callback path means (pure). */
export function readCallback(params: URLSearchParams, expectedState: string): CallbackAnswer {
  // The state is checked first: a request without our state may come from another site
  // (login CSRF), so nothing it carries, error or code, is trusted.
  if (params.get('state') !== expectedState) {
    return {
      status: 400,
      heading: 'Sign-in failed',
      text: 'The sign-in answer does not match this login attempt (state mismatch). Start the login again.',
      error: new LoginError(
        'state_mismatch',
        'Sign-in failed: the callback state does not match this login attempt (possible CSRF); run the login again',
      ),
    };
  }
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    const detail = description ? `${error}: ${description}` : error;
    const denied = error === 'access_denied';
    return {
      status: 400,
      heading: 'Sign-in failed',
      text: detail,
      error: denied
        ? new LoginError('denied', `Sign-in was denied (${detail})`)
        : new LoginError(
            'rejected',
            `Sign-in failed: the authorization server answered "${detail}"`,
          ),
    };
  }
  const code = params.get('code');
  if (!code) {
    return {
      status: 400,
      heading: 'Sign-in failed',
      text: 'The redirect carried no authorization code.',
      error: new LoginError(
        'invalid_response',
        'Sign-in failed: the redirect carried no authorization code',
      ),
    };
  }
  return {
    status: 200,
    heading: 'Authorization received',
    text: 'You can close this tab and return to the terminal, which shows the result.',
    code,
  };
}

/**
 * Starts listening on 127.0.0.1 and resolves once the port is bound. Requests to other paths
 * (a browser's `/favicon.ico`) get a 404 and do not end the wait.
 */
export async function startCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  const title = options.title ?? 'ccproxy';
  let settle: { resolve(code: string): void; reject(error: Error): void } | undefined;
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The caller may not await `code` before a failure arrives; never let that crash the process.
  code.catch(() => {});
  let settled = false;
  const timeout = new AbortController();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== options.path || settled) {
      reply(
        response,
        404,
        page(title, 'Not found', 'This address only takes the sign-in redirect.'),
      );
      return;
    }
    const answer = readCallback(url.searchParams, options.state);
    // A request without our state may come from any page (login CSRF) or an old tab: it gets
    // its 400 page and the login keeps waiting for the right one until its timeout.
    if ('error' in answer && answer.error.reason === 'state_mismatch') {
      reply(response, answer.status, page(title, answer.heading, answer.text));
      return;
    }
    if ('code' in answer) registerSecret(answer.code);
    reply(response, answer.status, page(title, answer.heading, answer.text), () =>
      'code' in answer ? finish(undefined, answer.code) : finish(answer.error),
    );
  });

  function finish(error: Error | undefined, value?: string): void {
    if (settled) return;
    settled = true;
    timeout.abort();
    options.signal?.removeEventListener('abort', onAbort);
    void shutdown();
    if (error) settle?.reject(error);
    else settle?.resolve(value ?? '');
  }

  let closing: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  }

  function onAbort(): void {
    finish(new LoginError('cancelled', 'Sign-in was cancelled'));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new LoginError(
            'port_in_use',
            `Port ${options.port} is in use, so the sign-in callback cannot listen on it (is another login running?)`,
            { cause: error },
          ),
        );
      } else {
        reject(
          new LoginError(
            'network',
            `Cannot listen on 127.0.0.1:${options.port}: ${error.code ?? error.message}`,
            { cause: error },
          ),
        );
      }
    });
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  // Failures after binding (rare) end the wait instead of crashing the process.
  server.on('error', (error) =>
    finish(new LoginError('network', `Sign-in callback server failed: ${error.message}`)),
  );

  const timeoutMs = options.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS;
  const sleep =
    options.sleep ??
    ((ms: number, signal: AbortSignal) => delay(ms, undefined, { signal, ref: false }));
  sleep(timeoutMs, timeout.signal).then(
    () =>
      finish(
        new LoginError(
          'timeout',
          `Sign-in timed out: no answer from the browser within ${formatDuration(timeoutMs)}`,
        ),
      ),
    // Aborted: the wait ended another way.
    () => {},
  );
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    port: (server.address() as AddressInfo).port,
    code,
    async close() {
      finish(new LoginError('cancelled', 'Sign-in was cancelled'));
      await shutdown();
    },
  };
}
