/**
 * A third baseline: the least a proxy built on ccproxy's stack for its proxied routes can do. A
 * `node:http` server reads the body and sends it upstream through undici's `dispatch`, the call
 * ccproxy's upstream client makes (src/http/upstream-fetch.ts), then writes the answer back as it
 * arrives, pausing the upstream while the client's socket is full; no parsing, no logging. Run
 * as a child process with the upstream port; prints `listening PORT`.
 *
 * Until 2026-12 it used undici's `request()` and read the body with `for await`, which ccproxy
 * does not: that cost about 0.1 ms more added latency per request at concurrency 1 than
 * `dispatch` (measured interleaved on the chat and `/claude` requests: 1.37-1.51x the pipe's
 * added latency against 1.06-1.15x), so the floor overstated what the stack itself costs.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, type Dispatcher } from 'undici';

const upstreamPort = Number(process.argv[2]);
const origin = `http://127.0.0.1:${upstreamPort}`;
const agent = new Agent();
const server = createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => {
    let controller: Dispatcher.DispatchController | undefined;
    outgoing.on('drain', () => controller?.resume());
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) controller?.abort(new Error('client went away'));
    });
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
      },
      onResponseStart(_controller, statusCode, headers) {
        if (statusCode < 200) return;
        outgoing.writeHead(statusCode, {
          'content-type': String(headers['content-type'] ?? 'application/json'),
        });
      },
      onResponseData(paused, chunk) {
        if (!outgoing.write(chunk)) paused.pause();
      },
      onResponseEnd() {
        outgoing.end();
      },
      onResponseError() {
        outgoing.destroy();
      },
    };
    agent.dispatch(
      {
        origin,
        path: incoming.url ?? '/',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.concat(chunks),
      },
      handler,
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
