/**
 * A third baseline: the least a proxy built on ccproxy's stack for its proxied routes (a
 * `node:http` server, undici to the upstream) can do: read the body, forward it, write the
 * answer back as it arrives; no parsing, no logging. Run as a child process with the upstream
 * port; prints `listening PORT`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';

const upstreamPort = Number(process.argv[2]);
const agent = new Agent();
const server = createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', async () => {
    try {
      const upstream = await request(`http://127.0.0.1:${upstreamPort}${incoming.url}`, {
        method: 'POST',
        body: Buffer.concat(chunks),
        headers: { 'content-type': 'application/json' },
        dispatcher: agent,
      });
      outgoing.writeHead(upstream.statusCode, {
        'content-type': String(upstream.headers['content-type'] ?? 'application/json'),
      });
      for await (const chunk of upstream.body) outgoing.write(chunk);
      outgoing.end();
    } catch {
      outgoing.destroy();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
