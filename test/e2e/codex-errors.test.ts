/** Codex errors end to end: honest statuses in each client's format, drift made visible, no secrets. */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';

const transcript = (name: string) => loadFixtureBytes('openai-responses', `${name}.sse`);
const token = accessToken('secret-access', 3600);

let upstream: FakeUpstream;
let proxy: TestProxy;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  const home = createCodexHome({ accessToken: token });
  proxy = await startProxy({
    env: {
      CODEX_HOME: home.dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
      HTTP__FIRST_BYTE_TIMEOUT: '1',
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});
afterEach(() => {
  upstream.requests.length = 0;
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${proxy.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const chatBody = { model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hi' }] };

describe('upstream errors keep their meaning', () => {
  it('429 stays 429 with retry-after, in each client format', async () => {
    upstream.handle(() => ({
      status: 429,
      headers: { 'retry-after': '17' },
      body: {
        error: {
          type: 'usage_limit_reached',
          message: 'The usage limit has been reached',
          resets_in_seconds: 17,
        },
      },
    }));
    const chat = await openaiClient(`${proxy.url}/codex/v1`)
      .chat.completions.create(chatBody as never)
      .catch((e: unknown) => e);
    expect(chat).toBeInstanceOf(OpenAI.RateLimitError);
    expect((chat as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe(
      '17',
    );
    expect((chat as Error).message).toContain('usage limit has been reached');

    const message = await anthropicClient(`${proxy.url}/codex`)
      .messages.create({
        model: 'gpt-5.1-codex',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .catch((e: unknown) => e);
    expect(message).toBeInstanceOf(Anthropic.RateLimitError);
    expect(
      (message as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after'),
    ).toBe('17');

    const responses = await post('/codex/v1/responses', { model: 'gpt-5.1-codex', input: 'hi' });
    expect(responses.status).toBe(429);
    expect(responses.headers.get('retry-after')).toBe('17');
    expect(await responses.json()).toMatchObject({
      error: { message: 'The usage limit has been reached' },
    });
  });

  it('an upstream 5xx becomes 502 with the upstream message', async () => {
    upstream.handle(() => ({
      status: 500,
      body: { error: { message: 'Internal backend failure', type: 'server_error' } },
    }));
    const response = await post('/codex/v1/chat/completions', chatBody);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { message: 'Internal backend failure' } });
  });

  it('an upstream 400 keeps its status and message', async () => {
    upstream.handle(() => ({
      status: 400,
      body: {
        error: {
          message: 'Unsupported parameter: foo',
          type: 'invalid_request_error',
          param: 'foo',
        },
      },
    }));
    const response = await post('/codex/v1/messages', {
      model: 'm',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Unsupported parameter: foo' },
    });
  });

  it('an unreachable upstream is 502, a silent one 504', async () => {
    const closed = await startFakeUpstream();
    const url = closed.url;
    await closed.close();
    const home = createCodexHome({ accessToken: token });
    const unreachable = await startProxy({
      env: { CODEX_HOME: home.dir, CCPROXY_CODEX_BASE_URL: `${url}/backend-api/codex` },
    });
    const refused = await fetch(`${unreachable.url}/codex/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chatBody),
    });
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /Cannot reach upstream 127\.0\.0\.1:\d+/,
    );
    await unreachable.close();

    upstream.handle(() => ({ delayMs: 3000, status: 200, body: {} }));
    const silent = await post('/codex/v1/chat/completions', chatBody);
    expect(silent.status).toBe(504);
    expect(await silent.json()).toMatchObject({ error: { type: 'timeout_error' } });
  });
});

describe('bad client requests get 400 in their own format, naming the field', () => {
  it('chat: messages missing or of the wrong type', async () => {
    const missing = await post('/codex/v1/chat/completions', { model: 'gpt-5.1-codex' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: { type: 'invalid_request_error', param: 'messages' },
    });
    const wrong = await post('/codex/v1/chat/completions', {
      model: 'gpt-5.1-codex',
      messages: 'hi',
    });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toContain(
      'messages',
    );
    expect(upstream.requests).toHaveLength(0);
  });

  it('messages: max_tokens missing; responses: model missing; any route: invalid JSON', async () => {
    const anthropic = await post('/codex/v1/messages', {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(anthropic.status).toBe(400);
    const anthropicBody = (await anthropic.json()) as {
      type: string;
      error: { type: string; message: string };
    };
    expect(anthropicBody).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    expect(anthropicBody.error.message).toContain('max_tokens');

    const responses = await post('/codex/v1/responses', { input: 'hi' });
    expect(responses.status).toBe(400);
    expect(((await responses.json()) as { error: { message: string } }).error.message).toContain(
      'model',
    );

    const broken = await post('/codex/v1/messages', '{"model": ');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
  });

  it('unknown routes are 404 in the format their path suggests', async () => {
    const response = await post('/nowhere/v1/messages', {});
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error' },
    });
  });
});

describe('errors after the first byte end the stream with the format’s own error event', () => {
  it('a chat stream gets an error chunk the SDK throws on; an Anthropic stream gets event: error', async () => {
    upstream.handle(fakeCodexBackend({ transcript: transcript('error-failed') }));
    const chatStream = openaiClient(`${proxy.url}/codex/v1`).chat.completions.stream(
      chatBody as never,
    );
    const chatError = await chatStream.finalChatCompletion().catch((e: unknown) => e);
    expect(chatError).toBeInstanceOf(OpenAI.APIError);
    expect((chatError as Error).message).toContain('You exceeded your current quota');

    const anthropicStream = anthropicClient(`${proxy.url}/codex`).messages.stream({
      model: 'gpt-5.1-codex',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const anthropicError = await anthropicStream.finalMessage().catch((e: unknown) => e);
    expect(anthropicError).toBeInstanceOf(Anthropic.APIError);
    expect((anthropicError as Error).message).toContain('You exceeded your current quota');
  });

  it('a non-streaming client of a stream that failed after content gets the error, not the partial text', async () => {
    upstream.handle(fakeCodexBackend({ transcript: transcript('error-failed') }));
    const response = await post('/codex/v1/chat/completions', chatBody);
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({
      error: { message: expect.stringContaining('You exceeded your current quota') },
    });
  });

  it('a non-streaming client of a truncated stream gets a 502, not the gathered text', async () => {
    upstream.handle(fakeCodexBackend({ transcript: transcript('truncated') }));
    const response = await post('/codex/v1/responses', { model: 'gpt-5.1-codex', input: 'hi' });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      error: { message: 'Upstream stream ended before its final event' },
    });
  });
});

describe('drift is visible and never fatal', () => {
  it('unknown upstream events: 200, one warning per type without payload, and a metric', async () => {
    upstream.handle(fakeCodexBackend({ transcript: transcript('drift-unknown') }));
    for (let i = 0; i < 2; i++) {
      const response = await post('/codex/v1/chat/completions', chatBody);
      expect(response.status).toBe(200);
    }
    const warnings = proxy.logs().filter((line) => line.msg === 'unknown upstream event type');
    const types = warnings.map((line) => line.event_type).sort();
    expect(types).toEqual([...new Set(types)]);
    expect(types).toContain('response.future_thing.delta');
    expect(
      warnings.every((line) => line.level === 'warn' && !('data' in line) && !('payload' in line)),
    ).toBe(true);
    const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
    expect(metrics).toMatch(
      /proxy_unknown_upstream_events_total\{format="openai-responses",type="response.future_thing.delta"\} [2-9]/,
    );
  });
});

describe('secrets', () => {
  it('no token, key or account id reaches the logs (debug level) or a response body', async () => {
    upstream.handle(fakeCodexBackend({ transcript: transcript('text') }));
    await post('/codex/v1/chat/completions', chatBody, {
      authorization: 'Bearer sk-client-key-should-not-leak',
    });
    // An upstream that echoes the credential in its error message (403: no refresh is tried).
    upstream.handle(() => ({
      status: 403,
      body: { error: { message: `token ${token} is not allowed here` } },
    }));
    const rejected = await post('/codex/v1/chat/completions', chatBody);
    expect(rejected.status).toBe(403);
    const text = await rejected.text();
    expect(text).toContain('is not allowed here');
    const logs = proxy.logText();
    for (const secret of [
      token,
      'rt_initial_refresh_token_value',
      'sk-client-key-should-not-leak',
    ]) {
      expect(logs).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
    expect(
      upstream.requests.some((r) => String(r.headers.authorization).includes('sk-client-key')),
    ).toBe(false);
  });
});

describe('client disconnect', () => {
  /** The upstream sends the first events of a stream, then stays open. */
  function hangAfterHead(): void {
    const head =
      transcript('text').toString('utf8').split('\n\n').slice(0, 5).join('\n\n') + '\n\n';
    upstream.handle(() => ({
      chunks: [head],
      headers: { 'content-type': 'text/event-stream' },
      hang: true,
    }));
  }

  /** Expects the upstream request `index` to be closed within a second of `abortedAt`. */
  async function expectClosedEarly(index: number, abortedAt: number): Promise<void> {
    const deadline = Date.now() + 2000;
    while (upstream.requests[index]?.closedEarlyAt === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(upstream.requests[index]?.closedEarlyAt).toBeDefined();
    expect(Date.now() - abortedAt).toBeLessThan(1000);
  }

  it('aborts the upstream request when a streaming client goes away', async () => {
    hangAfterHead();
    const seen = upstream.requests.length;
    const controller = new AbortController();
    const streaming = await fetch(`${proxy.url}/codex/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...chatBody, stream: true }),
      signal: controller.signal,
    });
    const reader = streaming.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data: ');
    const abortedAt = Date.now();
    controller.abort();
    await expectClosedEarly(seen, abortedAt);
  });

  it('aborts the upstream request when a client waiting for a whole answer goes away', async () => {
    hangAfterHead();
    const seen = upstream.requests.length;
    const controller = new AbortController();
    const waiting = fetch(`${proxy.url}/codex/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chatBody),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    // The proxy is reading the upstream's stream to build the whole answer when the client leaves.
    const started = Date.now() + 2000;
    while (upstream.requests.length === seen && Date.now() < started) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const abortedAt = Date.now();
    controller.abort();
    expect(await waiting).toBeInstanceOf(Error);
    await expectClosedEarly(seen, abortedAt);
  });
});

describe('idle upstream after the first byte', () => {
  it('ends the stream with the client format’s timeout error event', async () => {
    const head = `${transcript('text').toString('utf8').split('\n\n').slice(0, 6).join('\n\n')}\n\n`;
    const silent = await startFakeUpstream(() => ({
      chunks: [head],
      headers: { 'content-type': 'text/event-stream' },
      hang: true,
    }));
    const idle = await startProxy({
      env: {
        CODEX_HOME: createCodexHome({ accessToken: token }).dir,
        CCPROXY_CODEX_BASE_URL: `${silent.url}/backend-api/codex`,
        HTTP__IDLE_TIMEOUT: '0.3',
      },
    });
    const response = await fetch(`${idle.url}/codex/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'gpt-5.1-codex',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('event: error');
    expect(text).toContain(
      '"error":{"type":"timeout_error","message":"Upstream stream was idle for 0.3s"}',
    );
    await idle.close();
    await silent.close();
  });
});
