/** The upstream HTTP client against loopback servers: retries, timeouts, aborts. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../test/helpers/fake-upstream.js';
import { ProxyError } from '../errors.js';
import {
  createUpstreamAgent,
  fetchUpstream,
  readBodyText,
  retryDelayMs,
  type UpstreamFetchOptions,
  UpstreamIdleError,
} from './upstream-fetch.js';

let upstream: FakeUpstream | undefined;
const agent = createUpstreamAgent({ connectTimeoutMs: 2000 });
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

function options(overrides: Partial<UpstreamFetchOptions> = {}): UpstreamFetchOptions {
  return {
    dispatcher: agent,
    signal: new AbortController().signal,
    connectTimeoutMs: 2000,
    firstByteTimeoutMs: 2000,
    idleTimeoutMs: 2000,
    maxRetries: 2,
    sleep: async () => {},
    ...overrides,
  };
}

describe('fetchUpstream', () => {
  it('retries 502/503/529 before the first byte, then answers', async () => {
    const statuses = [503, 529];
    upstream = await startFakeUpstream(() => {
      const status = statuses.shift();
      return status ? { status, body: { error: 'busy' } } : { body: { ok: true } };
    });
    const response = await fetchUpstream(
      `${upstream.url}/x`,
      { headers: {}, body: '{}' },
      options(),
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(await readBodyText(response.body))).toEqual({ ok: true });
    expect(upstream.requests).toHaveLength(3);
  });

  it('gives up after max_retries and returns the last answer', async () => {
    upstream = await startFakeUpstream(() => ({ status: 503, body: { error: 'still busy' } }));
    const response = await fetchUpstream(
      `${upstream.url}/x`,
      { headers: {} },
      options({ maxRetries: 1 }),
    );
    expect(response.status).toBe(503);
    expect(upstream.requests).toHaveLength(2);
  });

  it('never retries a 4xx or a 500', async () => {
    for (const status of [400, 401, 429, 500]) {
      upstream = await startFakeUpstream(() => ({ status, body: {} }));
      const response = await fetchUpstream(`${upstream.url}/x`, { headers: {} }, options());
      expect(response.status).toBe(status);
      await response.body.cancel();
      expect(upstream.requests).toHaveLength(1);
      await upstream.close();
    }
    upstream = undefined;
  });

  it('retries a refused connection, then reports it as 502 naming the host', async () => {
    const server = await startFakeUpstream();
    const url = server.url;
    await server.close();
    const delays: number[] = [];
    const error = await fetchUpstream(
      `${url}/x?key=secret`,
      { headers: {} },
      options({ sleep: async (ms) => void delays.push(ms) }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyError);
    expect((error as ProxyError).status).toBe(502);
    expect((error as ProxyError).message).toMatch(
      /^Cannot reach upstream 127\.0\.0\.1:\d+: ECONNREFUSED$/,
    );
    expect(delays).toHaveLength(2);
  });

  it('answers 504 when the headers do not come in time, without retrying', async () => {
    upstream = await startFakeUpstream(() => ({ delayMs: 1500, body: {} }));
    const error = await fetchUpstream(
      `${upstream.url}/x`,
      { headers: {} },
      options({ firstByteTimeoutMs: 200 }),
    ).catch((e: unknown) => e);
    expect((error as ProxyError).code).toBe('upstream_timeout');
    expect((error as ProxyError).status).toBe(504);
    expect(upstream.requests).toHaveLength(1);
  });

  it('fails a body that stays silent longer than the idle timeout', async () => {
    upstream = await startFakeUpstream(() => ({ chunks: ['data: 1\n\n'], hang: true }));
    const response = await fetchUpstream(
      `${upstream.url}/x`,
      { headers: {} },
      options({ idleTimeoutMs: 200 }),
    );
    expect(await response.body.read()).toMatchObject({ done: false });
    await expect(response.body.read()).rejects.toBeInstanceOf(UpstreamIdleError);
  });

  it('stops at once when the client is gone', async () => {
    upstream = await startFakeUpstream(() => ({ chunks: ['data: 1\n\n'], hang: true }));
    const controller = new AbortController();
    const response = await fetchUpstream(
      `${upstream.url}/x`,
      { headers: {} },
      options({ signal: controller.signal }),
    );
    await response.body.read();
    controller.abort();
    await expect(response.body.read()).rejects.toThrow();
    const deadline = Date.now() + 1000;
    while (upstream.requests[0]?.closedEarlyAt === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(upstream.requests[0]?.closedEarlyAt).toBeDefined();
  });
});

describe('the upstream body', () => {
  it('is read only as fast as the reader asks (the connection pauses while it is behind)', async () => {
    // A raw server that writes as fast as its socket takes it, counting what it got out.
    let written = 0;
    let finished = false;
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (written < 256 * 1024 * 1024) {
          written += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        finished = true;
        response.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const controller = new AbortController();
    try {
      const response = await fetchUpstream(
        `http://127.0.0.1:${port}/x`,
        { headers: {} },
        options({ signal: controller.signal }),
      );
      expect(await response.body.read()).toMatchObject({ done: false });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Kernel buffers on loopback hold a few MB; unpaused, all 256 MB would have gone out.
      expect(finished).toBe(false);
      expect(written).toBeLessThan(64 * 1024 * 1024);
      let read = 0;
      for (let i = 0; i < 200; i++) {
        const next = await response.body.read();
        if (next.done) break;
        read += next.value.length;
      }
      // Reading again resumes the connection.
      expect(read).toBeGreaterThan(0);
      await response.body.cancel();
    } finally {
      controller.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says it is at its end only once the whole body came and every chunk was read', async () => {
    upstream = await startFakeUpstream(() => ({ chunks: ['data: 1\n\n'], hang: true }));
    const open = await fetchUpstream(`${upstream.url}/x`, { headers: {} }, options());
    expect(await open.body.read()).toMatchObject({ done: false });
    // Received so far, but the body has not ended: more may come.
    expect(open.body.atEnd?.()).toBe(false);
    await open.body.cancel();
    await upstream.close();

    upstream = await startFakeUpstream(() => ({ chunks: ['data: 1\n\n', 'data: 2\n\n'] }));
    const whole = await fetchUpstream(`${upstream.url}/x`, { headers: {} }, options());
    let text = '';
    for (;;) {
      const next = await whole.body.read();
      if (next.done) break;
      text += Buffer.from(next.value).toString();
      // At its end exactly when the next read can only say so.
      if (whole.body.atEnd?.()) {
        expect(await whole.body.read()).toEqual({ done: true });
        break;
      }
    }
    expect(text).toBe('data: 1\n\ndata: 2\n\n');
    expect(whole.body.atEnd?.()).toBe(true);
  });

  it('ends quietly when cancelled, and reads nothing after', async () => {
    upstream = await startFakeUpstream(() => ({ chunks: ['data: 1\n\n'], hang: true }));
    const response = await fetchUpstream(`${upstream.url}/x`, { headers: {} }, options());
    expect(await response.body.read()).toMatchObject({ done: false });
    await response.body.cancel(new Error('client left'));
    expect(await response.body.read()).toEqual({ done: true });
    const deadline = Date.now() + 1000;
    while (upstream.requests[0]?.closedEarlyAt === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(upstream.requests[0]?.closedEarlyAt).toBeDefined();
  });
});

describe('retryDelayMs', () => {
  it('grows exponentially with full jitter, capped at 4 s', () => {
    expect(retryDelayMs(0, () => 0.999)).toBe(249);
    expect(retryDelayMs(2, () => 0.5)).toBe(500);
    expect(retryDelayMs(10, () => 0.999)).toBe(3996);
    expect(retryDelayMs(3, () => 0)).toBe(0);
  });
});
