/**
 * Writes a streamed answer straight to Node's response instead of handing a web stream to
 * `@hono/node-server`. That server flushes the headers in a write of their own before reading a
 * streamed body, then writes each chunk as the web stream yields it: one more system call per
 * answer (8% of a short stream's CPU in the issue-13 profile) and a web stream read per chunk.
 * Here the headers leave with the first chunk, the last chunk with the response's end (Node
 * corks chunked writes until the next tick, so a short stream goes out in one or two writes),
 * and the fenced source is pulled only as fast as the socket drains.
 */
import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import type { Logger } from '../observability/logger.js';
import type { TextAnswer } from '../pipeline/answer.js';
import type { LiveStream } from '../pipeline/stream-response.js';
import { isPieces } from '../streams/fenced-stream.js';
import type { AppEnv } from './app-deps.js';

/** Node's response when the app runs under `@hono/node-server` over HTTP/1, else `undefined`. */
export function outgoingOf(c: { env: unknown }): ServerResponse | undefined {
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  // HTTP/2 responses have no `writeHead` with chunked bodies in the same way: not used there.
  return outgoing !== undefined &&
    outgoing !== null &&
    typeof (outgoing as ServerResponse).writeHead === 'function' &&
    typeof (outgoing as ServerResponse).flushHeaders === 'function' &&
    'chunkedEncoding' in (outgoing as object)
    ? (outgoing as ServerResponse)
    : undefined;
}

/**
 * `RESPONSE_ALREADY_SENT` is made when its module loads. Where `@hono/node-server` had already
 * put its lightweight `Response` in place (a second server in one process), that object would be
 * written out as an answer of its own; reading `body` turns it into a real one, which the server
 * recognises by its header and leaves alone.
 */
void RESPONSE_ALREADY_SENT.body;

/** True when the handler wrote its answer itself (middleware then leaves the response alone). */
export function sentDirectly(c: Context<AppEnv>): boolean {
  return c.res === RESPONSE_ALREADY_SENT;
}

/** Resolves when the socket can take more, or when the response is closed. */
function drained(outgoing: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off('drain', done);
      outgoing.off('close', done);
      resolve();
    };
    outgoing.on('drain', done);
    outgoing.on('close', done);
  });
}

/**
 * Starts writing `live` to `outgoing` with the headers every answer of the request carries, and
 * returns the response that tells `@hono/node-server` the answer is sent.
 */
export function sendLiveStream(
  live: LiveStream,
  outgoing: ServerResponse,
  answerHeaders: Record<string, string>,
  logger: Logger,
): Response {
  writeLiveStream(live, outgoing, answerHeaders, logger);
  return RESPONSE_ALREADY_SENT;
}

/**
 * Writes a whole answer to `outgoing` with its length (Node would send a head written before
 * the body as chunked) and the headers every answer of the request carries: head and body leave
 * in one write.
 */
export function writeWholeAnswer(
  outgoing: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  headers['content-length'] = String(Buffer.byteLength(body));
  outgoing.writeHead(status, headers);
  const socket = outgoing.socket;
  if (body.length < SEPARATE_HEAD_FROM || socket === null) {
    outgoing.end(body);
    return;
  }
  // Node joins a head not yet sent to a text body as one string: a copy of the whole body on
  // the heap, which often outlives a young-generation collection (a 54 KB Chat answer from the
  // Codex backend: A/B 0.915 without it). Sent first into the corked socket, the head goes in
  // the same write as the body.
  socket.cork();
  outgoing.flushHeaders();
  outgoing.end(body);
  socket.uncork();
}

/**
 * The body length (characters) from which `writeWholeAnswer` sends the head on its own: below
 * it the copy is cheaper than a second piece of the write (A/B on a 0.5 KB answer: 1.026).
 */
const SEPARATE_HEAD_FROM = 4096;

/** Writes a whole answer's text to `outgoing` with the headers every answer of the request carries. */
export function writeTextAnswer(
  answer: TextAnswer,
  outgoing: ServerResponse,
  answerHeaders: Record<string, string>,
): void {
  const headers: Record<string, string> = {};
  for (const name in answer.headers) headers[name] = answer.headers[name]!;
  for (const name in answerHeaders) headers[name] = answerHeaders[name]!;
  writeWholeAnswer(outgoing, answer.status, headers, answer.body);
}

/**
 * Writes a web response to `outgoing` (the Responses store's tap of a stream), pulled as fast as
 * the socket drains; a client that goes away cancels its body.
 */
export async function writeWebResponse(
  response: Response,
  outgoing: ServerResponse,
  answerHeaders: Record<string, string>,
): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  outgoing.writeHead(response.status, { ...headers, ...answerHeaders });
  if (response.body === null) {
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  outgoing.on('close', () => {
    if (!outgoing.writableFinished) reader.cancel().catch(() => {});
  });
  for (;;) {
    const { done, value } = await reader.read();
    if (outgoing.destroyed) return;
    if (done) break;
    if (!outgoing.write(value)) await drained(outgoing);
  }
  outgoing.end();
}

/**
 * Starts writing `live` to `outgoing` with the headers every answer of the request carries. A
 * client that goes away cancels the source (which aborts the upstream request and marks the
 * record cancelled).
 */
export function writeLiveStream(
  live: LiveStream,
  outgoing: ServerResponse,
  answerHeaders: Record<string, string>,
  logger: Logger,
): void {
  outgoing.writeHead(live.status, { ...live.headers, ...answerHeaders });
  let gone = false;
  outgoing.on('close', () => {
    if (outgoing.writableFinished) return;
    gone = true;
    live.source.cancel(new Error('The client closed the connection')).catch(() => {});
  });
  const pump = async () => {
    for (;;) {
      const { chunk, done } = await live.source.next();
      if (gone || outgoing.destroyed) return;
      if (done) {
        if (chunk === undefined) outgoing.end();
        else if (isPieces(chunk)) {
          for (const piece of chunk) outgoing.write(piece);
          outgoing.end();
        } else outgoing.end(chunk);
        return;
      }
      if (chunk === undefined) continue;
      // Pieces go out in one system call too: the response corks its socket until the next tick.
      let flowing = true;
      if (isPieces(chunk)) for (const piece of chunk) flowing = outgoing.write(piece);
      else flowing = outgoing.write(chunk);
      if (!flowing) await drained(outgoing);
    }
  };
  pump().catch((error: unknown) => {
    // The fence turns every upstream and conversion failure into the stream's last event, so
    // this is a socket failure: nothing more can reach the client.
    logger.warn({ err: error }, 'writing the stream to the client failed');
    live.source.cancel(error).catch(() => {});
    outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
  });
}
