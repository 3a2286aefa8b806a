/**
 * Streamed answers written straight to Node's socket (src/server/send-stream.ts): the headers of
 * every answer, backpressure from a slow client, a client that leaves, and the web-stream path
 * that serves the same app without a Node server.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { formats } from '../../src/formats/index.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startProxy } from '../helpers/proxy.js';
import { closeServersAfterEach } from '../helpers/servers.js';

const servers = closeServersAfterEach();

/** A Chat stream of `count` chunks of `size` characters each, then the finish and `[DONE]`. */
function chatStream(count: number, size: number): { text: string; content: string } {
  const word = 'x'.repeat(size);
  let text = '';
  for (let i = 0; i < count; i++) {
    const chunk = {
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm-up',
      choices: [{ index: 0, delta: { content: word }, finish_reason: null }],
    };
    text += `data: ${JSON.stringify(chunk)}\n\n`;
  }
  const last = {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm-up',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
  };
  text += `data: ${JSON.stringify(last)}\n\ndata: [DONE]\n\n`;
  return { text, content: word.repeat(count) };
}

async function startChat(stream: string, hang = false) {
  servers.upstream = await startFakeUpstream(() => ({
    headers: { 'content-type': 'text/event-stream' },
    chunks: hang ? [stream] : undefined,
    ...(hang ? { hang: true } : { sse: { bytes: stream, seed: 7, maxChunk: 64 * 1024 } }),
  }));
  servers.proxy = await startProxy({
    config: {
      providers: { up: { base_url: `${servers.upstream.url}/v1`, api_key_env: 'UP_KEY' } },
    },
    env: { UP_KEY: 'sk-up-test-key' },
  });
  return servers.proxy;
}

const body = JSON.stringify({
  model: 'm',
  stream: true,
  messages: [{ role: 'user', content: 'hi' }],
});

/** POSTs with node:http; resolves with the response as soon as its head arrives. */
function post(url: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      resolve,
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The content of a Chat stream's text. */
function contentOf(text: string): string {
  let content = '';
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const chunk = JSON.parse(line.slice(6)) as {
      choices: Array<{ delta: { content?: string } }>;
    };
    content += chunk.choices[0]?.delta.content ?? '';
  }
  return content;
}

describe('a streamed answer written straight to the socket', () => {
  it('carries x-request-id and the CORS headers of an allowed origin, and arrives whole', async () => {
    const { text, content } = chatStream(50, 20);
    const proxy = await startChat(text);
    const response = await post(`${proxy.url}/up/v1/chat/completions`, {
      origin: 'http://localhost:5173',
      'x-request-id': 'req_direct_1',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['x-request-id']).toBe('req_direct_1');
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(response.headers.vary).toBe('Origin');
    let received = '';
    for await (const chunk of response) received += (chunk as Buffer).toString('utf8');
    expect(contentOf(received)).toBe(content);
    expect(received.endsWith('data: [DONE]\n\n')).toBe(true);
    // The upstream's own model name: no mapping changed the client's on this same-format route.
    expect(received).toContain('"model":"m-up"');
  });

  it('forwards a same-format stream byte for byte, cut anywhere, its runs as the upstream’s own bytes', async () => {
    // ASCII chunks (their runs go out as the upstream's bytes) and chunks with other characters
    // (read as text), cut at random places into reads of up to 700 bytes.
    let { text } = chatStream(120, 9);
    text = text.replace(/x{9}/g, (word, at: number) => (at % 7 === 0 ? 'é✓ xxxx' : word));
    expect(text).toContain('é✓');
    for (const seed of [1, 2, 3]) {
      servers.upstream = await startFakeUpstream(() => ({
        headers: { 'content-type': 'text/event-stream' },
        sse: { bytes: text, seed, maxChunk: 700 },
      }));
      servers.proxy = await startProxy({
        config: {
          providers: { up: { base_url: `${servers.upstream.url}/v1`, api_key_env: 'UP_KEY' } },
        },
        env: { UP_KEY: 'sk-up-test-key' },
      });
      const response = await post(`${servers.proxy.url}/up/v1/chat/completions`);
      const received: Buffer[] = [];
      for await (const chunk of response) received.push(chunk as Buffer);
      expect(Buffer.concat(received).toString('utf8')).toBe(text);
      await servers.proxy.close();
      await servers.upstream.close();
      servers.proxy = undefined;
      servers.upstream = undefined;
    }
  });

  it('a same-format Chat stream is forwarded without decoding the request', async () => {
    const { text, content } = chatStream(10, 5);
    const proxy = await startChat(text);
    const decode = vi.spyOn(formats['openai-chat'], 'decodeRequest');
    try {
      const response = await post(`${proxy.url}/up/v1/chat/completions`);
      let received = '';
      for await (const chunk of response) received += (chunk as Buffer).toString('utf8');
      expect(contentOf(received)).toBe(content);
      expect(decode).not.toHaveBeenCalled();
    } finally {
      decode.mockRestore();
    }
  });

  it('waits for a slow client: a 6 MB stream read with pauses arrives whole', async () => {
    const { text, content } = chatStream(3000, 2000);
    const proxy = await startChat(text);
    const response = await post(`${proxy.url}/up/v1/chat/completions`);
    const chunks: Buffer[] = [];
    let received = 0;
    let paused = 0;
    await new Promise<void>((resolve, reject) => {
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.byteLength;
        // Stop reading after each of the first five megabytes, long enough for the socket
        // buffers to fill up (however the socket happens to split the stream).
        if (received > (paused + 1) * 1024 * 1024 && paused < 5) {
          paused++;
          response.pause();
          setTimeout(() => response.resume(), 150);
        }
      });
      response.on('end', resolve);
      response.on('error', reject);
    });
    expect(paused).toBe(5);
    const whole = Buffer.concat(chunks).toString('utf8');
    expect(contentOf(whole)).toBe(content);
    expect(whole.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('a client that leaves mid-stream is logged as cancelled and the upstream request is closed', async () => {
    const { text } = chatStream(5, 10);
    // The upstream sends a few chunks and no end: only the client's leaving ends the exchange.
    const proxy = await startChat(
      text.slice(0, text.indexOf('"finish_reason":"stop"') - 120),
      true,
    );
    const response = await post(`${proxy.url}/up/v1/chat/completions`);
    await new Promise<void>((resolve) => response.once('data', () => resolve()));
    response.destroy();
    const deadline = Date.now() + 3000;
    const access = () =>
      proxy.logs().find((line) => line.msg === 'access') as
        | { access: { cancelled?: boolean; status?: number } }
        | undefined;
    while (
      (access() === undefined || servers.upstream?.requests[0]?.closedEarlyAt === undefined) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(access()?.access).toMatchObject({ cancelled: true, status: 200 });
    expect(servers.upstream?.requests[0]?.closedEarlyAt).toBeDefined();
  });

  it('is served as a web stream where there is no Node response (the app called in process)', async () => {
    const { text, content } = chatStream(30, 5);
    const proxy = await startChat(text);
    const response = await proxy.composed.app.fetch(
      new Request('http://127.0.0.1/up/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', host: '127.0.0.1' },
        body,
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    const received = await response.text();
    expect(contentOf(received)).toBe(content);
    expect(received.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
