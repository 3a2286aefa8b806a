/**
 * A third baseline: the least a proxy built on ccproxy's stack (Hono on @hono/node-server,
 * undici to the upstream, a web stream to the client) can do: forward the body, no parsing,
 * no logging. Run as a child process with the upstream port; prints `listening PORT`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { Agent, request } from 'undici';

const upstreamPort = Number(process.argv[2]);
const agent = new Agent();
const app = new Hono();
app.post('*', async (c) => {
  const body = await c.req.text();
  const upstream = await request(`http://127.0.0.1:${upstreamPort}${c.req.path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    dispatcher: agent,
  });
  const chunks = upstream.body[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value as Uint8Array);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(stream, {
    status: upstream.statusCode,
    headers: { 'content-type': 'text/event-stream' },
  });
});
const server = createServer(getRequestListener(app.fetch));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
