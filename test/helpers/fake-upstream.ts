/**
 * A fake upstream HTTP server on loopback. Each test gives it a handler; it records every
 * request (method, path, headers, body) and notices when a client closes its socket early.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { splitRandomly } from './split.js';

/** A request the fake upstream received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  /** Set when the client closed the connection before the response ended (ms since start). */
  closedEarlyAt?: number;
  receivedAt: number;
}

/** What a handler answers. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** A whole body (JSON-encoded when not a string or buffer). */
  body?: unknown;
  /** Chunks written one after the other (flushed separately, so the client sees the splits). */
  chunks?: Array<string | Uint8Array>;
  /** Split `sse` at random positions with this seed and send the pieces. */
  sse?: { bytes: Uint8Array | string; seed: number; maxChunk?: number };
  /** Leave the response open after writing (to test disconnects and timeouts). */
  hang?: boolean;
  /** Destroy the socket after writing (a network failure mid-stream). */
  destroy?: boolean;
  /** Wait this long before answering (only for timeout tests). */
  delayMs?: number;
}

/** A handler; it may write to `response` itself and return `undefined`. */
export type FakeHandler = (
  request: RecordedRequest,
  response: ServerResponse,
) => FakeReply | undefined | Promise<FakeReply | undefined>;

/** A running fake upstream. */
export interface FakeUpstream {
  url: string;
  requests: RecordedRequest[];
  /** Replace the handler. */
  handle(handler: FakeHandler): void;
  close(): Promise<void>;
}

function writeChunk(response: ServerResponse, chunk: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed) return resolve();
    response.write(chunk, () => resolve());
  });
}

async function sendReply(response: ServerResponse, reply: FakeReply): Promise<void> {
  if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  const headers: Record<string, string> = { ...reply.headers };
  let chunks: Array<string | Uint8Array> = [];
  if (reply.sse) {
    const bytes =
      typeof reply.sse.bytes === 'string' ? Buffer.from(reply.sse.bytes, 'utf8') : reply.sse.bytes;
    chunks = splitRandomly(bytes, reply.sse.seed, reply.sse.maxChunk ?? 64);
    headers['content-type'] ??= 'text/event-stream';
  } else if (reply.chunks) {
    chunks = reply.chunks;
  } else if (reply.body !== undefined) {
    const body =
      typeof reply.body === 'string' || reply.body instanceof Uint8Array
        ? reply.body
        : JSON.stringify(reply.body);
    if (typeof reply.body !== 'string' && !(reply.body instanceof Uint8Array)) {
      headers['content-type'] ??= 'application/json';
    }
    chunks = [body];
  }
  response.writeHead(reply.status ?? 200, headers);
  response.flushHeaders();
  for (const chunk of chunks) {
    if (response.destroyed) return;
    await writeChunk(response, chunk);
  }
  if (reply.destroy) {
    response.socket?.destroy();
    return;
  }
  if (!reply.hang) response.end();
}

/** Starts a fake upstream on 127.0.0.1 with a random port. */
export async function startFakeUpstream(initial?: FakeHandler): Promise<FakeUpstream> {
  let handler: FakeHandler = initial ?? (() => ({ status: 404, body: { error: 'no handler' } }));
  const requests: RecordedRequest[] = [];
  const started = Date.now();
  const server: Server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', async () => {
      const body = Buffer.concat(parts).toString('utf8');
      let json: unknown;
      try {
        json = body === '' ? undefined : JSON.parse(body);
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: request.headers,
        body,
        json,
        receivedAt: Date.now() - started,
      };
      requests.push(recorded);
      response.on('close', () => {
        if (!response.writableFinished) recorded.closedEarlyAt = Date.now() - started;
      });
      try {
        const reply = await handler(recorded, response);
        if (reply) await sendReply(response, reply);
      } catch (error) {
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { message: String(error) } }));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      handler = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
