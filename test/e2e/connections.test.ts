/**
 * Client connections are bounded without a key: silent and slow-header sockets and idle
 * keep-alive connections are closed, the number of connections is capped, and none of it ever
 * cuts an answer that is on its way (a long stream, a slow first byte).
 */
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { openaiClient } from '../helpers/sdk-clients.js';

// Short limits so that the test waits for fractions of a second, not the 30 s defaults.
const SHORT = {
  SERVER__HEADERS_TIMEOUT: '0.3',
  SERVER__KEEP_ALIVE_TIMEOUT: '0.3',
  SERVER__REQUEST_TIMEOUT: '0.5',
};

let upstream: FakeUpstream;
let proxy: TestProxy;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  const home = createCodexHome({ accessToken: accessToken('conn', 3600) });
  proxy = await startProxy({
    env: {
      ...SHORT,
      CODEX_HOME: home.dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', reject);
    // Flowing, so that the server's FIN is read and the socket closes (a paused socket never
    // reads its end).
    socket.resume();
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('idle and slow sockets', () => {
  it('closes 1,000 sockets that send nothing, and /health still answers', async () => {
    // In batches: 1,000 connections at once would overflow the listen backlog (511), and a
    // handshake the kernel dropped leaves a client socket that the server never saw.
    const sockets: Socket[] = [];
    for (let batch = 0; batch < 10; batch++) {
      sockets.push(
        ...(await Promise.all(Array.from({ length: 100 }, () => openSocket(proxy.url)))),
      );
    }
    for (const socket of sockets) socket.on('error', () => {});
    // Each socket is closed by the server (the test would time out otherwise).
    await Promise.all(sockets.map(closed));
    const health = await fetch(`${proxy.url}/health`);
    expect(health.status).toBe(200);
  });

  it('answers slow headers with 408 and closes the socket', async () => {
    const socket = await openSocket(proxy.url);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n');
    // One header byte at a time keeps the socket busy but never finishes the header block.
    const drip = setInterval(() => socket.write('x'), 50);
    await closed(socket);
    clearInterval(drip);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes an idle keep-alive connection after an answer', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { hostname, port } = new URL(proxy.url);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const request = httpRequest({ host: hostname, port, path: '/health', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(request.socket as Socket));
      });
      request.on('error', reject);
      request.end();
    });
    await closed(socket);
    agent.destroy();
  });
});

describe('answers on their way are never cut', () => {
  const transcript = loadFixtureBytes('openai-responses', 'text.sse').toString('utf8');
  const events = transcript.split(/\n\n/).filter((event) => event.trim() !== '');

  it('a stream that outlasts every connection timeout, with a silence longer than them, arrives whole', async () => {
    upstream.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      let index = 0;
      const next = () => {
        if (index === events.length) {
          response.end();
          return;
        }
        response.write(`${events[index]}\n\n`);
        index++;
        // Mostly short gaps; one silence longer than the header and keep-alive timeouts.
        setTimeout(next, index === 2 ? 700 : 60);
      };
      next();
      return undefined;
    });
    const client = openaiClient(`${proxy.url}/codex/v1`);
    let deltas = 0;
    const stream = client.responses.stream({ model: 'gpt-5.1-codex', input: 'hi' });
    stream.on('response.output_text.delta', () => deltas++);
    const final = await stream.finalResponse();
    expect(final.status).toBe('completed');
    expect(final.output_text).toBeTruthy();
    expect(deltas).toBeGreaterThan(1);
  });

  it('a non-streaming answer whose upstream is slow to start is not cut', async () => {
    upstream.handle(() => ({
      delayMs: 800,
      headers: { 'content-type': 'text/event-stream' },
      body: transcript,
    }));
    const client = openaiClient(`${proxy.url}/codex/v1`);
    const completion = await client.chat.completions.create({
      model: 'gpt-5.1-codex',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
  });
});

describe('the connection cap', () => {
  it('closes connections beyond server.max_connections as they arrive', async () => {
    const capped = await startProxy({ env: { SERVER__MAX_CONNECTIONS: '5' } });
    try {
      const sockets = await Promise.all(Array.from({ length: 8 }, () => openSocket(capped.url)));
      // Each socket asks for /health: an answer means it was accepted, a close without one that
      // the cap refused it (the 30 s default headers timeout cannot have fired yet).
      const refused = await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<boolean>((resolve) => {
              socket.on('error', () => {});
              socket.once('close', () => resolve(true));
              socket.once('data', () => resolve(false));
              socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
            }),
        ),
      );
      expect(refused.filter(Boolean)).toHaveLength(3);
      const warnings = capped.logs().filter((line) => String(line.msg).includes('connection cap'));
      expect(warnings).toHaveLength(1);
      for (const socket of sockets) socket.destroy();
    } finally {
      await capped.close();
    }
  });
});
