/**
 * The benchmark's fake upstream: answers the Codex backend, Anthropic and Chat Completions
 * endpoints with recorded-shape SSE transcripts, written in one go (no artificial delays).
 * Run as a child process: prints `listening PORT` when ready.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', 'src', 'formats');
const bodies: Record<string, Buffer> = {
  '/backend-api/codex/responses': readFileSync(
    join(root, 'openai-responses', '__fixtures__', 'codex-output-missing.sse'),
  ),
  '/v1/messages': readFileSync(join(root, 'anthropic-messages', '__fixtures__', 'text.sse')),
  '/v1/chat/completions': readFileSync(join(root, 'openai-chat', '__fixtures__', 'text.sse')),
};

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const path = (request.url ?? '/').split('?')[0]!;
    const body = bodies[path];
    if (!body) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"error":{"message":"not found"}}');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
