/** The Node HTTP listener around the application, with graceful shutdown. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';

/** A running server. */
export interface RunningServer {
  server: Server;
  host: string;
  port: number;
  /** `http://host:port` (IPv6 hosts in brackets). */
  url: string;
  /** Number of requests being served. */
  inFlight(): number;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `timeoutMs`, then
   * calls `onDrainTimeout` (which ends open streams with their error event), gives those last
   * events a moment to go out, and closes what is left.
   */
  close(timeoutMs?: number, onDrainTimeout?: () => void): Promise<void>;
}

/** Options of `startServer`. */
export interface StartServerOptions {
  fetch: (request: Request) => Response | Promise<Response>;
  /** Serves the requests it takes itself (returns true) before `fetch` sees them. */
  direct?: (request: IncomingMessage, response: ServerResponse) => boolean;
  host: string;
  port: number;
  logger: Logger;
  /** Largest request header block, in bytes. */
  maxHeaderSize?: number;
  /** Connection limits and timeouts (defaults: those of `[server]`). */
  connections?: Partial<ConnectionSettings>;
}

/** How client connections are bounded (all durations in milliseconds). */
export interface ConnectionSettings {
  /**
   * Time a new connection has to send its first request's headers, and any request its header
   * block; silent and slow-header sockets are closed after it.
   */
  headersTimeoutMs: number;
  /** Time a request has to arrive whole (headers and body). The answer is never timed. */
  requestTimeoutMs: number;
  /** Time an idle keep-alive connection stays open after an answer. */
  keepAliveTimeoutMs: number;
  /** Most connections open at once (`undefined`: no cap); more are closed as they arrive. */
  maxConnections: number | undefined;
}

/** The defaults of `[server]`: every idle socket is closed within 60 seconds. */
export const DEFAULT_CONNECTION_SETTINGS: ConnectionSettings = {
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: undefined,
};

/** The connection settings of a configuration's `[server]` table. */
export function connectionSettings(config: Readonly<Config>): ConnectionSettings {
  return {
    headersTimeoutMs: config.server.headers_timeout * 1000,
    requestTimeoutMs: config.server.request_timeout * 1000,
    keepAliveTimeoutMs: config.server.keep_alive_timeout * 1000,
    maxConnections: config.server.max_connections,
  };
}

/** True for loopback addresses (the only ones served without an access key). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    bare === 'localhost' ||
    bare === '::1' ||
    /^127\.\d+\.\d+\.\d+$/.test(bare) ||
    bare === '::ffff:127.0.0.1'
  );
}

/** The server's timeouts and connection cap; a refused connection is logged once a minute. */
function applyConnectionLimits(
  server: Server,
  limits: ConnectionSettings & { headersTimeoutMs: number },
  logger: Logger,
): void {
  // Node times the header block from the moment a connection opens, so a socket that never
  // sends a byte is closed after it too.
  server.headersTimeout = limits.headersTimeoutMs;
  // Bounds receiving the request only: Node stops timing once it is whole, so an answer
  // (a stream lasting many minutes) is never cut by it.
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  if (limits.maxConnections !== undefined) server.maxConnections = limits.maxConnections;
  let lastDropWarning = Number.NEGATIVE_INFINITY;
  server.on('drop', () => {
    // Once a minute at most: a flood must not become a flood of log lines too.
    const now = performance.now();
    if (now - lastDropWarning < 60_000) return;
    lastDropWarning = now;
    logger.warn(
      { max_connections: limits.maxConnections },
      'connection refused: the connection cap (server.max_connections) is reached',
    );
  });
}

/** Binds the server; rejects with the listen error (the port taken, the address not ours). */
function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Starts listening; resolves once the port is bound. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const listener = getRequestListener(options.fetch, {
    errorHandler: (error) => {
      options.logger.error({ err: error }, 'unhandled error while writing a response');
    },
  });
  const { direct } = options;
  let active = 0;
  const drained = new Set<() => void>();
  const limits = { ...DEFAULT_CONNECTION_SETTINGS, ...options.connections };
  // Node requires the header timeout not to exceed the request timeout.
  const headersTimeoutMs = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const server = createServer(
    {
      maxHeaderSize: options.maxHeaderSize ?? 64 * 1024,
      // How often Node checks header and request deadlines (its default, 30 s, would double them).
      connectionsCheckingInterval: Math.max(10, Math.min(5_000, headersTimeoutMs / 4)),
    },
    (request, response) => {
      active++;
      response.on('close', () => {
        active--;
        if (active === 0) for (const resolve of drained) resolve();
      });
      if (direct?.(request, response) !== true) void listener(request, response);
    },
  );
  applyConnectionLimits(server, { ...limits, headersTimeoutMs }, options.logger);
  await listenOn(server, options.port, options.host);
  const address = server.address() as AddressInfo;
  const host = address.address;
  const displayHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    host,
    port: address.port,
    url: `http://${displayHost}:${address.port}`,
    inFlight: () => active,
    async close(timeoutMs = 30_000, onDrainTimeout) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drain = (ms: number) =>
        active === 0
          ? Promise.resolve(true)
          : Promise.race([
              new Promise<boolean>((resolve) => drained.add(() => resolve(true))),
              new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref()),
            ]);
      if (!(await drain(timeoutMs)) && onDrainTimeout) {
        onDrainTimeout();
        await drain(1000);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
