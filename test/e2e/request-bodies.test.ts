/**
 * Request bodies as clients send them: compressed (gzip, deflate, br, zstd) with the size limit
 * on the decoded bytes, and with a leading byte order mark.
 */
import { request as httpRequest } from 'node:http';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { zstdFrame, zstdRaw } from '../helpers/zstd-frame.js';

const LIMIT = 100_000;
let upstream: FakeUpstream;
let proxy: TestProxy;
beforeAll(async () => {
  upstream = await startFakeUpstream(
    fakeCodexBackend({ transcript: loadFixtureBytes('openai-responses', 'text.sse') }),
  );
  const home = createCodexHome({ accessToken: accessToken('bodies', 3600) });
  proxy = await startProxy({
    env: {
      CODEX_HOME: home.dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
      SERVER__MAX_BODY_BYTES: String(LIMIT),
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

function chatBody(content: string): string {
  return JSON.stringify({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content }] });
}

function post(path: string, body: Uint8Array | string, encoding?: string) {
  return fetch(`${proxy.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(encoding ? { 'content-encoding': encoding } : {}),
    },
    body,
  });
}

function lastUpstreamInput(): string {
  return JSON.stringify(upstream.requests.at(-1)!.json);
}

describe('compressed request bodies', () => {
  const encoders: Array<[string, (text: string) => Uint8Array]> = [
    ['gzip', (text) => gzipSync(text)],
    ['x-gzip', (text) => gzipSync(text)],
    ['deflate', (text) => deflateSync(text)],
    ['deflate', (text) => deflateRawSync(text)],
    ['br', (text) => brotliCompressSync(text)],
    ['zstd', (text) => zstdRaw(text)],
    ['identity', (text) => Buffer.from(text)],
  ];

  it.each(encoders)('content-encoding: %s is decoded', async (encoding, encode) => {
    const marker = `compressed-${encoding}-${Math.random().toString(36).slice(2)}`;
    const response = await post('/codex/v1/chat/completions', encode(chatBody(marker)), encoding);
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: Array<{ finish_reason: string }> };
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(lastUpstreamInput()).toContain(marker);
    // The upstream gets plain JSON, never the client's encoding header.
    expect(upstream.requests.at(-1)!.headers['content-encoding']).toBeUndefined();
  });

  it('a gzip bomb (small body, decoded past the limit) is 413 in the client’s format', async () => {
    const before = upstream.requests.length;
    const bomb = gzipSync(chatBody(' '.repeat(20 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(LIMIT);
    const chat = await post('/codex/v1/chat/completions', bomb, 'gzip');
    expect(chat.status).toBe(413);
    expect(await chat.json()).toMatchObject({
      error: { message: expect.stringContaining(`larger than ${LIMIT} bytes`) },
    });
    const messages = await post(
      '/codex/v1/messages',
      brotliCompressSync(JSON.stringify({ max_tokens: 5, pad: 'x'.repeat(10 * 1024 * 1024) })),
      'br',
    );
    expect(messages.status).toBe(413);
    expect(await messages.json()).toMatchObject({
      type: 'error',
      error: { type: 'request_too_large' },
    });
    expect(upstream.requests.length).toBe(before);
  });

  it('a zstd bomb of RLE blocks is 413', async () => {
    // 400 bytes on the wire, 12.8 MiB decoded.
    const bomb = zstdFrame([
      { raw: Buffer.from('{"model":"m","messages":[],"pad":"') },
      ...Array.from({ length: 100 }, () => ({ rle: 0x61, size: 128 * 1024 })),
      { raw: Buffer.from('"}') },
    ]);
    expect(bomb.length).toBeLessThan(1000);
    const response = await post('/codex/v1/responses', bomb, 'zstd');
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      error: { message: expect.stringContaining(`larger than ${LIMIT} bytes`) },
    });
  });

  it('an encoding ccproxy cannot decode is 415 naming it; corrupt data is 400', async () => {
    const unknown = await post('/codex/v1/messages', gzipSync(chatBody('x')), 'compress');
    expect(unknown.status).toBe(415);
    expect(await unknown.json()).toMatchObject({
      type: 'error',
      error: { message: expect.stringContaining('"compress"') },
    });
    const chained = await post('/codex/v1/chat/completions', gzipSync(chatBody('x')), 'gzip, br');
    expect(chained.status).toBe(415);
    expect(((await chained.json()) as { error: { message: string } }).error.message).toContain(
      'gzip, br',
    );
    const corrupt = await post('/codex/v1/chat/completions', 'not gzip at all', 'gzip');
    expect(corrupt.status).toBe(400);
    expect(((await corrupt.json()) as { error: { message: string } }).error.message).toMatch(
      /not valid gzip data/,
    );
    const corruptZstd = await post('/codex/v1/chat/completions', 'not zstd at all', 'zstd');
    expect(corruptZstd.status).toBe(400);
  });
});

describe('oversized uploads without a declared length', () => {
  it('a chunked body past the limit gets its 413, the socket is not reset', async () => {
    const { hostname, port } = new URL(proxy.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        {
          host: hostname,
          port,
          method: 'POST',
          path: '/codex/v1/chat/completions',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      request.write('{"model":"m","messages":[{"role":"user","content":"');
      // Twice the limit, in 10 KB chunks; the rest of the upload is drained, not refused.
      for (let sent = 0; sent < 2 * LIMIT; sent += 10_000) request.write('x'.repeat(10_000));
      request.end('"}]}');
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toContain(`larger than ${LIMIT} bytes`);
  });
});

describe('bodies that arrive whole or in pieces', () => {
  /** Sends the body in `pieces` writes, `gapMs` apart, and returns the answer. */
  function sendInPieces(body: string, pieces: number, gapMs: number) {
    const { hostname, port } = new URL(proxy.url);
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        {
          host: hostname,
          port,
          method: 'POST',
          path: '/codex/v1/chat/completions',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      request.on('error', reject);
      const bytes = Buffer.from(body);
      const size = Math.ceil(bytes.length / pieces);
      let at = 0;
      const next = () => {
        const piece = bytes.subarray(at, at + size);
        at += size;
        if (at >= bytes.length) request.end(piece);
        else {
          request.write(piece);
          setTimeout(next, gapMs);
        }
      };
      next();
    });
  }

  it.each([
    ['in one write', 1, 0],
    ['in three writes 30 ms apart', 3, 30],
  ])('a body sent %s reaches the upstream whole', async (_name, pieces, gapMs) => {
    const marker = `pieces-${pieces}-${Math.random().toString(36).slice(2)}-é✓`;
    const answer = await sendInPieces(chatBody(marker), pieces, gapMs);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('"finish_reason":"stop"');
    expect(lastUpstreamInput()).toContain(marker);
  });
});

describe('byte order mark', () => {
  it('a body starting with a UTF-8 BOM is accepted', async () => {
    const response = await post('/codex/v1/chat/completions', `\uFEFF${chatBody('with a BOM')}`);
    expect(response.status).toBe(200);
    expect(lastUpstreamInput()).toContain('with a BOM');
    const gzipped = await post(
      '/codex/v1/chat/completions',
      gzipSync(`\uFEFF${chatBody('gzip with a BOM')}`),
      'gzip',
    );
    expect(gzipped.status).toBe(200);
  });
});
