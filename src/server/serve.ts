/** The Node HTTP listener around the application, with graceful shutdown. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
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
  host: string;
  port: number;
  logger: Logger;
  /** Largest request header block, in bytes. */
  maxHeaderSize?: number;
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

/** Starts listening; resolves once the port is bound. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const listener = getRequestListener(options.fetch, {
    errorHandler: (error) => {
      options.logger.error({ err: error }, 'unhandled error while writing a response');
    },
  });
  let active = 0;
  const drained = new Set<() => void>();
  const server = createServer(
    { maxHeaderSize: options.maxHeaderSize ?? 64 * 1024 },
    (request, response) => {
      active++;
      response.on('close', () => {
        active--;
        if (active === 0) for (const resolve of drained) resolve();
      });
      void listener(request, response);
    },
  );
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // streams may legitimately last many minutes
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
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
