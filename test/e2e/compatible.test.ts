/** OpenAI-compatible providers from `[providers.NAME]`: every client format, keys from the environment. */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/resolve.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes, loadFixtureJson } from '../helpers/fixtures.js';
import { accessLine, startProxy } from '../helpers/proxy.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';
import { closeServersAfterEach } from '../helpers/servers.js';

const servers = closeServersAfterEach();

/** A Chat Completions API under `/api/v1` that wants `Bearer sk-or-test`. */
async function startChatApi() {
  servers.upstream = await startFakeUpstream((request) => {
    if (request.headers.authorization !== 'Bearer sk-or-test') {
      return { status: 401, body: { error: { message: 'No auth credentials found', code: 401 } } };
    }
    if (request.path === '/api/v1/models')
      return { body: { data: [{ id: 'deepseek/deepseek-chat', owned_by: 'deepseek' }] } };
    if (request.path !== '/api/v1/chat/completions')
      return { status: 404, body: { error: { message: 'not found' } } };
    const body = request.json as { stream?: boolean };
    return body.stream
      ? {
          headers: { 'content-type': 'text/event-stream' },
          sse: { bytes: loadFixtureBytes('openai-chat', 'text-then-tools.sse'), seed: 4 },
        }
      : { body: loadFixtureJson('openai-chat', 'text-then-tools.expected.json') };
  });
  return servers.upstream;
}

const config = (url: string) => ({
  providers: {
    openrouter: {
      base_url: `${url}/api/v1`,
      api_key_env: 'OPENROUTER_API_KEY',
      // `constructor` is in no body: it must not be taken for a field every body has.
      exclude_params: ['parallel_tool_calls', 'constructor'],
      headers: { 'HTTP-Referer': 'https://example.com/ccproxy' },
    },
  },
});

describe('[providers.NAME]', () => {
  it('logs the usage and finish reason of a Chat answer it forwards as it came, refusals included', async () => {
    servers.upstream = await startFakeUpstream((request) => {
      const { model } = request.json as { model: string };
      return { body: loadFixtureJson('openai-chat', `${model}.expected.json`) };
    });
    servers.proxy = await startProxy({
      config: config(servers.upstream.url),
      env: { OPENROUTER_API_KEY: 'sk-or-test' },
    });
    const cases = [
      // Read for its outcome only (no refusal can hide behind its finish).
      [
        'text-then-tools',
        { finish_reason: 'tool-calls', input_tokens: 210, output_tokens: 34, cached_tokens: 128 },
      ],
      // A `stop` with a refusal in the message: decoded in full, which reads the refusal.
      ['refusal', { finish_reason: 'refusal', input_tokens: 57, output_tokens: 12 }],
    ] as const;
    for (const [model, logged] of cases) {
      const requestId = `req-outcome-${model}`;
      const response = await fetch(`${servers.proxy.url}/openrouter/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
      });
      // The upstream's own text, byte for byte.
      expect(await response.text()).toBe(
        JSON.stringify(loadFixtureJson('openai-chat', `${model}.expected.json`)),
      );
      expect(await accessLine(servers.proxy, requestId)).toMatchObject({
        status: 200,
        ...logged,
      });
    }
  });

  it('serves every client format from a Chat Completions API, stream and not', async () => {
    const api = await startChatApi();
    servers.proxy = await startProxy({
      config: config(api.url),
      env: { OPENROUTER_API_KEY: 'sk-or-test' },
    });
    const chat = await openaiClient(`${servers.proxy.url}/openrouter/v1`).chat.completions.create({
      model: 'deepseek/deepseek-chat',
      messages: [{ role: 'user', content: 'x' }],
      parallel_tool_calls: false,
    });
    expect(chat.choices[0]!.finish_reason).toBe('tool_calls');
    const sent = api.requests[0]!;
    expect(sent.json).not.toHaveProperty('parallel_tool_calls');
    expect(sent.headers['http-referer']).toBe('https://example.com/ccproxy');
    const excluded = servers.proxy
      .logs()
      .filter((line) => JSON.stringify(line).includes('excludes'));
    expect(JSON.stringify(excluded)).toContain('parallel_tool_calls');
    expect(JSON.stringify(excluded)).not.toContain('constructor');

    const streamed = await openaiClient(`${servers.proxy.url}/openrouter/v1`)
      .chat.completions.stream({
        model: 'deepseek/deepseek-chat',
        messages: [{ role: 'user', content: 'x' }],
      })
      .finalChatCompletion();
    expect(streamed.choices[0]!.message.tool_calls?.length).toBeGreaterThan(0);
    expect((api.requests[1]!.json as { stream_options: unknown }).stream_options).toEqual({
      include_usage: true,
    });

    const message = await anthropicClient(`${servers.proxy.url}/openrouter`)
      .messages.stream({
        model: 'deepseek/deepseek-chat',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'x' }],
      })
      .finalMessage();
    expect(message.content.map((b) => b.type)).toContain('tool_use');
    expect(message.stop_reason).toBe('tool_use');

    const response = await openaiClient(`${servers.proxy.url}/openrouter/v1`).responses.create({
      model: 'deepseek/deepseek-chat',
      input: 'x',
    });
    expect(response.output.some((item) => item.type === 'function_call')).toBe(true);

    const models = await openaiClient(`${servers.proxy.url}/openrouter/v1`).models.list();
    expect(models.data.map((m) => m.id)).toEqual(['deepseek/deepseek-chat']);
  });

  it('forwards a Chat body the proxy cannot read whole, for the API to judge', async () => {
    const api = await startChatApi();
    servers.proxy = await startProxy({
      config: config(api.url),
      env: { OPENROUTER_API_KEY: 'sk-or-test' },
    });
    // A message shape ccproxy does not know (a content type it cannot read) and a new field:
    // on the same format they are the upstream's business, so the request goes through.
    const sent = {
      model: 'deepseek/deepseek-chat',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: { kind: 'rich', parts: ['x'] } },
        { role: 'user', content: 'y' },
        { role: 'system', content: 'later instruction' },
      ],
      provider: { sort: 'throughput' },
    };
    const completion = await openaiClient(
      `${servers.proxy.url}/openrouter/v1`,
    ).chat.completions.create(
      sent as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
    );
    expect(completion.choices[0]?.message.content).not.toBe('');
    const forwarded = api.requests.find((r) => r.path === '/api/v1/chat/completions')?.json;
    expect(forwarded).toEqual(sent);
  });

  it('a missing key variable gives 401 naming the variable, never a value', async () => {
    const api = await startChatApi();
    servers.proxy = await startProxy({ config: config(api.url), env: {} });
    const error = await openaiClient(`${servers.proxy.url}/openrouter/v1`)
      .chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as Error).message).toContain('OPENROUTER_API_KEY');
    expect(api.requests).toHaveLength(0);
    expect(
      servers.proxy.logs().some((l) => /OPENROUTER_API_KEY .* is not set/.test(String(l.msg))),
    ).toBe(true);
  });

  it('a key the API rejects gives 401 in the client’s format', async () => {
    const api = await startChatApi();
    servers.proxy = await startProxy({
      config: config(api.url),
      env: { OPENROUTER_API_KEY: 'sk-or-wrong' },
    });
    const response = await fetch(`${servers.proxy.url}/openrouter/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'No auth credentials found' },
    });
    expect(servers.proxy.logText()).not.toContain('sk-or-wrong');
  });

  it('an Anthropic-format API gets x-api-key and anthropic-version', async () => {
    servers.upstream = await startFakeUpstream((request) =>
      request.headers['x-api-key'] === 'sk-ant-compat' &&
      request.headers['anthropic-version'] === '2023-06-01' &&
      request.path === '/v1/messages'
        ? { body: loadFixtureJson('anthropic-messages', 'text.expected.json') }
        : {
            status: 401,
            body: { type: 'error', error: { type: 'authentication_error', message: 'bad' } },
          },
    );
    servers.proxy = await startProxy({
      config: {
        providers: {
          minimax: {
            base_url: servers.upstream.url,
            api_key_env: 'COMPAT_KEY',
            format: 'anthropic-messages',
            models: ['m1'],
          },
        },
      },
      env: { COMPAT_KEY: 'sk-ant-compat' },
    });
    const chat = await openaiClient(`${servers.proxy.url}/minimax/v1`).chat.completions.create({
      model: 'm1',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(chat.choices[0]!.message.content).toMatch(/^Sure!/);
    expect(
      (await openaiClient(`${servers.proxy.url}/minimax/v1`).models.list()).data.map((m) => m.id),
    ).toEqual(['m1']);
  });

  it('reads the key once, and again at each request while it is missing', async () => {
    const api = await startChatApi();
    const env: Record<string, string> = {};
    servers.proxy = await startProxy({ config: config(api.url), env });
    const client = openaiClient(`${servers.proxy.url}/openrouter/v1`);
    const ask = () =>
      client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    await expect(ask()).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('OPENROUTER_API_KEY'),
    });
    expect(api.requests).toHaveLength(0);
    env.OPENROUTER_API_KEY = 'sk-or-test';
    expect((await ask()).choices[0]!.finish_reason).toBe('tool_calls');
    // Taken once found: the environment is not read again.
    env.OPENROUTER_API_KEY = 'sk-or-changed';
    expect((await ask()).choices[0]!.finish_reason).toBe('tool_calls');
    expect(api.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer sk-or-test',
      'Bearer sk-or-test',
    ]);
  });

  it('rejects a provider name that clashes with a built-in route, naming the key', async () => {
    await expect(
      startProxy({ config: { providers: { codex: { base_url: 'http://127.0.0.1:1' } } } }),
    ).rejects.toThrow(ConfigError);
    await expect(
      startProxy({ config: { providers: { 'bad name': { base_url: 'http://127.0.0.1:1' } } } }),
    ).rejects.toThrow(/"providers\.bad name"/);
  });
});

describe('the model an answer names', () => {
  /** A Chat API that answers every model with the dated name the fixtures carry. */
  async function startDatedApi() {
    servers.upstream = await startFakeUpstream((request) => {
      const body = request.json as { stream?: boolean };
      return body.stream
        ? {
            headers: { 'content-type': 'text/event-stream' },
            sse: { bytes: loadFixtureBytes('openai-chat', 'text.sse'), seed: 9, maxChunk: 97 },
          }
        : { body: loadFixtureJson('openai-chat', 'text.expected.json') };
    });
    servers.proxy = await startProxy({
      config: {
        providers: {
          up: {
            base_url: `${servers.upstream.url}/v1`,
            api_key_env: 'UP_KEY',
            model_mappings: [{ match: 'fast', target: 'gpt-4.1-mini' }],
          },
        },
      },
      env: { UP_KEY: 'sk-up-test-key' },
    });
    return `${servers.proxy.url}/up/v1`;
  }
  const dated = 'gpt-4.1-mini-2025-04-14';

  async function modelsSeen(base: string, model: string): Promise<Set<string>> {
    const client = openaiClient(base);
    const messages = [{ role: 'user' as const, content: 'x' }];
    const seen = new Set<string>();
    seen.add((await client.chat.completions.create({ model, messages })).model);
    const stream = await client.chat.completions.create({ model, messages, stream: true });
    for await (const chunk of stream) seen.add(chunk.model);
    return seen;
  }

  it('is the upstream’s own on a same-format route whose model went up unchanged', async () => {
    const base = await startDatedApi();
    expect([...(await modelsSeen(base, 'gpt-4.1-mini'))]).toEqual([dated]);
    expect(
      servers.upstream!.requests.every(
        (sent) => (sent.json as { model: string }).model === 'gpt-4.1-mini',
      ),
    ).toBe(true);
  });

  it('is the client’s when a mapping sent another model, or the formats differ', async () => {
    const base = await startDatedApi();
    expect([...(await modelsSeen(base, 'fast'))]).toEqual(['fast']);
    expect((servers.upstream!.requests[0]!.json as { model: string }).model).toBe('gpt-4.1-mini');
    const message = await anthropicClient(base.replace(/\/v1$/, '')).messages.create({
      model: 'gpt-4.1-mini',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(message.model).toBe('gpt-4.1-mini');
  });
});
