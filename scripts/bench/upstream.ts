/**
 * The benchmark's fake upstream: answers the Codex backend, Anthropic and Chat Completions
 * endpoints with recorded-shape bodies, or SSE streams when the request asks for one, written in
 * one go (no artificial delays). `GET /__bench/last?path=P` returns the last body received on P,
 * so the bench can send the baselines exactly what ccproxy sent. Run as a child process: prints
 * `listening PORT` when ready.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatBody, chatStream, codexStream, messagesBody, messagesStream } from './transcripts.js';

const streams: Record<string, Buffer> = {
  '/backend-api/codex/responses': Buffer.from(codexStream()),
  '/v1/messages': Buffer.from(messagesStream()),
  '/v1/chat/completions': Buffer.from(chatStream()),
};
const bodies: Record<string, Buffer> = {
  '/v1/messages': Buffer.from(messagesBody()),
  '/v1/chat/completions': Buffer.from(chatBody()),
};
const last = new Map<string, string>();
const STREAM = /"stream"\s*:\s*true/;

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://upstream');
  if (request.method === 'GET' && url.pathname === '/__bench/last') {
    const body = last.get(url.searchParams.get('path') ?? '');
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(body ?? '{}');
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    last.set(url.pathname, body);
    // The Codex backend streams whatever the request says.
    const stream = STREAM.test(body) || url.pathname === '/backend-api/codex/responses';
    const answer = stream ? streams[url.pathname] : bodies[url.pathname];
    if (!answer) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"not found"}}');
      return;
    }
    response.writeHead(200, {
      'content-type': stream ? 'text/event-stream' : 'application/json',
      'cache-control': 'no-cache',
    });
    response.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
