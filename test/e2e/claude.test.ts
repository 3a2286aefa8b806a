/** The Claude provider end to end: the real server, the official SDKs, a fake Anthropic API on loopback. */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { anthropicError, fakeAnthropicApi, IDENTITY } from '../helpers/fake-anthropic.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureJson } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';
import { closeServersAfterEach } from '../helpers/servers.js';

const servers = closeServersAfterEach();

function credentialsFile(
  accessToken: string,
  expiresInMs: number,
  extra: Record<string, unknown> = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'ccproxy-claude-'));
  const path = join(dir, '.credentials.json');
  writeFileSync(
    path,
    JSON.stringify({
      claudeAiOauth: {
        accessToken,
        refreshToken: 'sk-ant-ort01-initial-refresh',
        expiresAt: Date.now() + expiresInMs,
        scopes: ['user:inference', 'user:profile'],
        subscriptionType: 'max',
      },
      ...extra,
    }),
    { mode: 0o600 },
  );
  return {
    path,
    read: () => JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>,
  };
}

async function oauthSetup(
  options: {
    transcript?: string;
    token?: string;
    expiresInMs?: number;
    accepted?: Set<string>;
  } = {},
) {
  const accepted = options.accepted ?? new Set([options.token ?? 'sk-ant-oat01-valid']);
  servers.upstream = await startFakeUpstream();
  const api = fakeAnthropicApi({
    transcript: options.transcript ?? 'thinking-text-tool',
    auth: { mode: 'oauth', acceptToken: (t) => accepted.has(t) },
  });
  const server = servers.upstream;
  server.handle(async (request, response) => {
    if (request.path === '/v1/oauth/token') {
      await new Promise((resolve) => setTimeout(resolve, 40));
      accepted.add('sk-ant-oat01-refreshed');
      return {
        body: {
          access_token: 'sk-ant-oat01-refreshed',
          refresh_token: 'sk-ant-ort01-rotated',
          expires_in: 28800,
          token_type: 'Bearer',
        },
      };
    }
    return api(request, response);
  });
  const credentials = credentialsFile(
    options.token ?? 'sk-ant-oat01-valid',
    options.expiresInMs ?? 3_600_000,
    { mcpOAuth: { keep: true } },
  );
  servers.proxy = await startProxy({
    env: {
      CCPROXY_CLAUDE_BASE_URL: server.url,
      CCPROXY_CLAUDE_TOKEN_URL: `${server.url}/v1/oauth/token`,
      CCPROXY_CLAUDE_CREDENTIALS_FILE: credentials.path,
      SECURITY__AUTH_TOKEN: 'proxy-access-key-123',
    },
  });
  return { server, running: servers.proxy, credentials, accepted };
}

const KEY = 'proxy-access-key-123';
const messagesOf = (server: FakeUpstream) =>
  server.requests.filter((r) => r.path === '/v1/messages');

describe('Claude subscription (OAuth) through every route', () => {
  it('/claude/v1/messages, non-streaming: headers, system identity, betas merged, proxy key not forwarded', async () => {
    const { server, running } = await oauthSetup();
    const client = new Anthropic({
      baseURL: `${running.url}/claude`,
      apiKey: KEY,
      maxRetries: 0,
      defaultHeaders: { 'anthropic-beta': 'context-1m-2025-08-07' },
    });
    const message = await client.messages.create({
      model: 'claude-opus-4-1',
      max_tokens: 2048,
      system: 'Answer about tides.',
      messages: [{ role: 'user', content: 'Tides at Brest?' }],
    });
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
    const sent = messagesOf(server)[0]!;
    expect(sent.headers.authorization).toBe('Bearer sk-ant-oat01-valid');
    expect(sent.headers['x-api-key']).toBeUndefined();
    expect(String(sent.headers['anthropic-beta']).split(',')).toEqual([
      'context-1m-2025-08-07',
      'claude-code-20250219',
      'oauth-2025-04-20',
    ]);
    expect((sent.json as { system: unknown }).system).toEqual([
      { type: 'text', text: IDENTITY },
      { type: 'text', text: 'Answer about tides.' },
    ]);
    expect(JSON.stringify(sent.headers)).not.toContain(KEY);
  });

  it('/claude/v1/messages, streaming: bytes the SDK accepts, usage recorded in the access log', async () => {
    const { running } = await oauthSetup();
    const stream = new Anthropic({
      baseURL: `${running.url}/claude`,
      apiKey: KEY,
      maxRetries: 0,
    }).messages.stream({
      model: 'claude-opus-4-1',
      max_tokens: 2048,
      system: [
        { type: 'text', text: IDENTITY },
        { type: 'text', text: 'More.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [{ role: 'user', content: 'Tides at Brest?' }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({
      type: 'thinking',
      signature: expect.stringMatching(/^EqQB/),
    });
    expect(final.usage.output_tokens).toBe(214);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const access = running
      .logs()
      .find(
        (l) =>
          l.msg === 'access' &&
          (l.access as Record<string, unknown>).route === '/claude/v1/messages',
      );
    expect(access?.access).toMatchObject({
      mode: 'passthrough',
      input_tokens: 1280,
      output_tokens: 214,
      status: 200,
    });
  });

  it('/claude/v1/chat/completions and /claude/v1/responses, stream and not', async () => {
    const { running } = await oauthSetup();
    const openai = new OpenAI({ baseURL: `${running.url}/claude/v1`, apiKey: KEY, maxRetries: 0 });
    const chat = await openai.chat.completions.create({
      model: 'claude-opus-4-1',
      messages: [{ role: 'user', content: 'Tides?' }],
    });
    expect(chat.choices[0]!.message.content).toBe("Let me look up today's tides for Brest.");
    expect(chat.choices[0]!.message.tool_calls?.[0]).toMatchObject({
      id: 'toolu_01Wq8ErT7yUi6OpA5sDf4GhJ',
      function: { name: 'get_tides' },
    });
    expect(chat.choices[0]!.finish_reason).toBe('tool_calls');
    const chatStream = await openai.chat.completions
      .stream({ model: 'claude-opus-4-1', messages: [{ role: 'user', content: 'Tides?' }] })
      .finalChatCompletion();
    expect(JSON.parse(chatStream.choices[0]!.message.tool_calls![0]!.function.arguments)).toEqual({
      port: 'Brest',
      date: '2025-10-04',
    });

    const response = await openai.responses.create({ model: 'claude-opus-4-1', input: 'Tides?' });
    expect(response.output.map((item) => item.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
    ]);
    const streamed = await openai.responses
      .stream({ model: 'claude-opus-4-1', input: 'Tides?' })
      .finalResponse();
    expect(streamed.output.map((item) => item.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
    ]);
    expect(streamed.usage?.output_tokens).toBe(214);
  });

  it('keeps thinking signatures and tool ids across turns for Chat and Responses clients', async () => {
    const { server, running } = await oauthSetup();
    const openai = new OpenAI({ baseURL: `${running.url}/claude/v1`, apiKey: KEY, maxRetries: 0 });
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      {
        type: 'function',
        function: { name: 'get_tides', parameters: { type: 'object', properties: {} } },
      },
    ];
    const first = await openai.chat.completions.create({
      model: 'claude-opus-4-1',
      messages: [{ role: 'user', content: 'Tides?' }],
      tools,
    });
    const assistant = first.choices[0]!.message;
    await openai.chat.completions.create({
      model: 'claude-opus-4-1',
      tools,
      messages: [
        { role: 'user', content: 'Tides?' },
        assistant as OpenAI.Chat.Completions.ChatCompletionMessageParam,
        { role: 'tool', tool_call_id: assistant.tool_calls![0]!.id, content: 'High water 06:12' },
      ],
    });
    const second = messagesOf(server).at(-1)!.json as {
      messages: Array<{ role: string; content: Array<Record<string, unknown>> }>;
    };
    const replayed = second.messages[1]!;
    expect(replayed.role).toBe('assistant');
    expect(replayed.content[0]).toMatchObject({
      type: 'thinking',
      signature: expect.stringMatching(/^EqQB/),
    });
    expect(replayed.content.find((b) => b.type === 'tool_use')).toMatchObject({
      id: 'toolu_01Wq8ErT7yUi6OpA5sDf4GhJ',
      name: 'get_tides',
    });
    expect(second.messages[2]!.content[0]).toMatchObject({
      type: 'tool_result',
      tool_use_id: 'toolu_01Wq8ErT7yUi6OpA5sDf4GhJ',
    });

    const response = await openai.responses.create({ model: 'claude-opus-4-1', input: 'Tides?' });
    const call = response.output.find(
      (item) => item.type === 'function_call',
    ) as OpenAI.Responses.ResponseFunctionToolCall;
    await openai.responses.create({
      model: 'claude-opus-4-1',
      input: [
        { role: 'user', content: 'Tides?' },
        ...(response.output as OpenAI.Responses.ResponseInputItem[]),
        { type: 'function_call_output', call_id: call.call_id, output: 'High water 06:12' },
      ],
    });
    const third = messagesOf(server).at(-1)!.json as {
      messages: Array<{ role: string; content: Array<Record<string, unknown>> }>;
    };
    expect(third.messages[1]!.content[0]).toMatchObject({
      type: 'thinking',
      signature: expect.stringMatching(/^EqQB/),
    });
    expect(third.messages[1]!.content.find((b) => b.type === 'tool_use')).toMatchObject({
      id: 'toolu_01Wq8ErT7yUi6OpA5sDf4GhJ',
    });
  });

  it('count_tokens uses the API counter; models are listed for both client kinds', async () => {
    const { server, running } = await oauthSetup();
    const client = new Anthropic({ baseURL: `${running.url}/claude`, apiKey: KEY, maxRetries: 0 });
    const counted = await client.messages.countTokens({
      model: 'claude-opus-4-1',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(counted.input_tokens).toBe(4242);
    expect(server.requests.at(-1)!.path).toBe('/v1/messages/count_tokens');
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('claude-sonnet-4-6');
    const openaiModels = await new OpenAI({
      baseURL: `${running.url}/claude/v1`,
      apiKey: KEY,
    }).models.list();
    expect(openaiModels.data[0]).toMatchObject({ object: 'model', owned_by: 'anthropic' });
  });

  it('count_tokens: a body that is not an object is a 400, an upstream 429 stays a 429 with its wait', async () => {
    const { server, running } = await oauthSetup();
    const notObject = await fetch(`${running.url}/claude/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: '[1, 2]',
    });
    expect(notObject.status).toBe(400);
    expect(await notObject.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Request body must be a JSON object' },
    });
    expect(server.requests.some((r) => r.path === '/v1/messages/count_tokens')).toBe(false);

    server.handle(() => ({
      status: 429,
      headers: { 'retry-after': '17' },
      body: { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } },
    }));
    const client = new Anthropic({ baseURL: `${running.url}/claude`, apiKey: KEY, maxRetries: 0 });
    const error = await client.messages
      .countTokens({ model: 'claude-opus-4-1', messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimited = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimited.status).toBe(429);
    expect(rateLimited.headers?.get('retry-after')).toBe('17');
    expect(rateLimited.error).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: expect.stringContaining('Slow down') },
    });
  });

  it('keeps at most 4 cache_control markers, dropping the oldest', async () => {
    const { server, running } = await oauthSetup();
    const marker = { type: 'ephemeral' } as const;
    await new Anthropic({
      baseURL: `${running.url}/claude`,
      apiKey: KEY,
      maxRetries: 0,
    }).messages.create({
      model: 'claude-opus-4-1',
      max_tokens: 100,
      tools: [{ name: 't', input_schema: { type: 'object' }, cache_control: marker }],
      system: [{ type: 'text', text: 'S', cache_control: marker }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'a', cache_control: marker }] },
        { role: 'assistant', content: [{ type: 'text', text: 'b', cache_control: marker }] },
        { role: 'user', content: [{ type: 'text', text: 'c', cache_control: marker }] },
      ],
    });
    const sent = messagesOf(server)[0]!.json as Record<string, Array<Record<string, unknown>>>;
    expect(JSON.stringify(sent).match(/cache_control/g)).toHaveLength(4);
    expect(sent.tools![0]!.cache_control).toBeUndefined();
    expect(sent.system![1]).toMatchObject({ text: 'S', cache_control: marker });
  });
});

describe('Claude OAuth refresh', () => {
  it('refreshes an expired token once for 50 concurrent requests, writing back with mode 0600', async () => {
    const { server, running, credentials } = await oauthSetup({
      token: 'sk-ant-oat01-old',
      expiresInMs: -1000,
      transcript: 'text',
      accepted: new Set(),
    });
    const client = new Anthropic({ baseURL: `${running.url}/claude`, apiKey: KEY, maxRetries: 0 });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        client.messages.create({
          model: 'claude-sonnet-4-6',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      ),
    );
    expect(answers).toHaveLength(50);
    expect(server.requests.filter((r) => r.path === '/v1/oauth/token')).toHaveLength(1);
    expect(server.requests.find((r) => r.path === '/v1/oauth/token')!.json).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'sk-ant-ort01-initial-refresh',
      client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
    });
    const file = credentials.read();
    expect(file.claudeAiOauth).toMatchObject({
      accessToken: 'sk-ant-oat01-refreshed',
      refreshToken: 'sk-ant-ort01-rotated',
      subscriptionType: 'max',
    });
    expect(file.mcpOAuth).toEqual({ keep: true });
    expect(statSync(credentials.path).mode & 0o777).toBe(0o600);
  });

  it('refreshes once after a 401 and retries', async () => {
    const { server, running } = await oauthSetup({
      token: 'sk-ant-oat01-revoked',
      accepted: new Set(),
      transcript: 'text',
    });
    const message = await new Anthropic({
      baseURL: `${running.url}/claude`,
      apiKey: KEY,
      maxRetries: 0,
    }).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(messagesOf(server).map((r) => r.headers.authorization)).toEqual([
      'Bearer sk-ant-oat01-revoked',
      'Bearer sk-ant-oat01-refreshed',
    ]);
  });
});

describe('Claude with an API key', () => {
  it('sends x-api-key instead of a bearer token, and no identity block or OAuth betas', async () => {
    servers.upstream = await startFakeUpstream(
      fakeAnthropicApi({
        transcript: 'text',
        auth: { mode: 'api-key', key: 'sk-ant-api03-user-key' },
      }),
    );
    servers.proxy = await startProxy({
      env: {
        CCPROXY_CLAUDE_BASE_URL: servers.upstream.url,
        ANTHROPIC_API_KEY: 'sk-ant-api03-user-key',
      },
    });
    const message = await anthropicClient(`${servers.proxy.url}/claude`).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 10,
      system: 'Plain.',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const sent = servers.upstream.requests[0]!;
    expect(sent.headers['x-api-key']).toBe('sk-ant-api03-user-key');
    expect(sent.headers['anthropic-beta']).toBeUndefined();
    expect((sent.json as { system: unknown }).system).toBe('Plain.');
    expect(servers.proxy.logText()).not.toContain('sk-ant-api03-user-key');
    const health = (await (await fetch(`${servers.proxy.url}/health`)).json()) as {
      providers: { claude: Record<string, unknown> };
    };
    expect(health.providers.claude).toMatchObject({
      state: 'present',
      source: 'ANTHROPIC_API_KEY',
    });
  });
});

describe('Claude errors', () => {
  it('overloaded (529) and rate limits (429 + retry-after) keep their meaning in every client format', async () => {
    servers.upstream = await startFakeUpstream();
    let status = 529;
    servers.upstream.handle(() =>
      status === 529
        ? {
            status: 529,
            body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
          }
        : {
            status: 429,
            headers: { 'retry-after': '30' },
            body: {
              type: 'error',
              error: {
                type: 'rate_limit_error',
                message: 'Number of requests has exceeded your rate limit',
              },
            },
          },
    );
    servers.proxy = await startProxy({
      env: {
        CCPROXY_CLAUDE_BASE_URL: servers.upstream.url,
        ANTHROPIC_API_KEY: 'sk-ant-api03-k',
        HTTP__MAX_RETRIES: '0',
      },
    });
    const body = {
      model: 'claude-sonnet-4-6',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
    };
    const anthropic = await fetch(`${servers.proxy.url}/claude/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(anthropic.status).toBe(529);
    expect(await anthropic.json()).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    const chat = await openaiClient(`${servers.proxy.url}/claude/v1`)
      .chat.completions.create({
        model: 'claude-sonnet-4-6',
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch((e: unknown) => e);
    expect((chat as InstanceType<typeof OpenAI.APIError>).status).toBe(503);

    status = 429;
    const limited = await anthropicClient(`${servers.proxy.url}/claude`)
      .messages.create(body as never)
      .catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(
      (limited as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after'),
    ).toBe('30');
    const responses = await fetch(`${servers.proxy.url}/claude/v1/responses`, {
      method: 'POST',
      body: JSON.stringify({ model: 'claude-sonnet-4-6', input: 'x' }),
    });
    expect(responses.status).toBe(429);
    expect(responses.headers.get('retry-after')).toBe('30');
  });

  it('an error event mid-stream reaches each client as its format’s error', async () => {
    servers.upstream = await startFakeUpstream(
      fakeAnthropicApi({ transcript: 'error-mid-stream', auth: { mode: 'api-key', key: 'k' } }),
    );
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    const anthropicError = await anthropicClient(`${servers.proxy.url}/claude`)
      .messages.stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x' }],
      })
      .finalMessage()
      .catch((e: unknown) => e);
    expect(anthropicError).toBeInstanceOf(Anthropic.APIError);
    const chatError = await openaiClient(`${servers.proxy.url}/claude/v1`)
      .chat.completions.stream({
        model: 'claude-sonnet-4-6',
        messages: [{ role: 'user', content: 'x' }],
      })
      .finalChatCompletion()
      .catch((e: unknown) => e);
    expect(chatError).toBeInstanceOf(OpenAI.APIError);
    expect((chatError as Error).message).toMatch(/Overloaded/i);
  });

  it('a body the proxy cannot read goes to Claude on /claude; the upstream judges it', async () => {
    servers.upstream = await startFakeUpstream((request) => {
      const body = request.json as { messages?: Array<{ content?: unknown }> };
      return anthropicError(
        400,
        'invalid_request_error',
        `messages.0.content: Input should be a valid list (got ${String(body.messages?.[0]?.content)})`,
      );
    });
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    const sent = {
      model: 'claude-sonnet-4-6',
      max_tokens: 5,
      messages: [{ role: 'user', content: 42 }],
      some_future_field: { on: true },
    };
    const bad = await fetch(`${servers.proxy.url}/claude/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(sent),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('messages.0.content');
    expect(servers.upstream.requests).toHaveLength(1);
    expect(servers.upstream.requests[0]?.json).toEqual(sent);
  });

  it('a field of the wrong type is a 400 naming it, before any upstream call', async () => {
    servers.upstream = await startFakeUpstream(
      fakeAnthropicApi({ transcript: 'text', auth: { mode: 'api-key', key: 'k' } }),
    );
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    const bad = await fetch(`${servers.proxy.url}/claude/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ model: 5, max_tokens: 5, messages: [] }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toBe('Invalid request: "model" must be a string');
    // On a converting route the proxy must read the body whole, so it says what is wrong.
    const chat = await fetch(`${servers.proxy.url}/claude/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'claude-sonnet-4-6',
        messages: [{ role: 'user', content: 4 }],
      }),
    });
    expect(chat.status).toBe(400);
    const chatBody = (await chat.json()) as { error: { message: string; param: string } };
    expect(chatBody.error.param).toBe('messages[0].content');
    expect(servers.upstream.requests).toHaveLength(0);
  });
});

describe('freeform (custom) tools over Claude', () => {
  const patch =
    '*** Begin Patch\n*** Update File: tides.py\n@@\n-    return h\n+    return -h\n*** End Patch';
  const events = [
    {
      type: 'message_start',
      message: {
        id: 'msg_01Patch',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-6',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 40, output_tokens: 1 },
      },
    },
    {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: 'toolu_01Patch', name: 'apply_patch', input: {} },
    },
    {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'input_json_delta', partial_json: '' },
    },
    ...JSON.stringify({ input: patch })
      .match(/.{1,9}/gs)!
      .map((piece) => ({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: piece },
      })),
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 30 },
    },
    { type: 'message_stop' },
  ];
  const sse = events
    .map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
    .join('');
  const final = {
    id: 'msg_01Patch',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-6',
    content: [
      { type: 'tool_use', id: 'toolu_01Patch', name: 'apply_patch', input: { input: patch } },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 40, output_tokens: 30 },
  };

  it('a Responses client that declared apply_patch as custom gets custom_tool_call back, stream and not', async () => {
    servers.upstream = await startFakeUpstream((request) =>
      (request.json as { stream?: boolean }).stream
        ? { headers: { 'content-type': 'text/event-stream' }, sse: { bytes: sse, seed: 5 } }
        : { body: final },
    );
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    const openai = openaiClient(`${servers.proxy.url}/claude/v1`);
    const tools: OpenAI.Responses.Tool[] = [
      { type: 'custom', name: 'apply_patch', description: 'Apply a patch' },
    ];
    const created = await openai.responses.create({
      model: 'claude-sonnet-4-6',
      input: 'fix the sign',
      tools,
    });
    expect(created.output).toEqual([
      expect.objectContaining({
        type: 'custom_tool_call',
        call_id: 'toolu_01Patch',
        name: 'apply_patch',
        input: patch,
      }),
    ]);
    const streamed = await openai.responses
      .stream({ model: 'claude-sonnet-4-6', input: 'fix the sign', tools })
      .finalResponse();
    expect(streamed.output).toEqual([
      expect.objectContaining({ type: 'custom_tool_call', input: patch }),
    ]);
    const sentTool = (
      servers.upstream.requests[0]!.json as { tools: Array<Record<string, unknown>> }
    ).tools[0]!;
    expect(sentTool).toMatchObject({
      name: 'apply_patch',
      input_schema: { type: 'object', properties: { input: { type: 'string' } } },
    });
  });
});

describe("the Codex CLI's additional_tools over Claude", () => {
  it('offers the tools of the default namespace to Claude, and drops the others with a warning', async () => {
    servers.upstream = await startFakeUpstream(() => ({
      body: loadFixtureJson('anthropic-messages', 'text.expected.json'),
    }));
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    // As the Codex CLI 0.169 sends it with its default model (gpt-6.1-sol): no `tools`, the tools
    // in an `additional_tools` input item, grouped in namespaces.
    const additionalTools = {
      type: 'additional_tools',
      id: 'at_01',
      role: 'developer',
      tools: [
        {
          type: 'namespace',
          name: 'functions',
          description: '',
          tools: [
            { type: 'custom', name: 'exec', description: 'Run JavaScript that calls tools' },
            {
              type: 'function',
              name: 'wait',
              strict: false,
              parameters: { type: 'object', properties: { cell_id: { type: 'string' } } },
            },
          ],
        },
        {
          type: 'namespace',
          name: 'clock',
          description: '',
          tools: [{ type: 'function', name: 'sleep', parameters: { type: 'object' } }],
        },
      ],
    };
    const response = await openaiClient(`${servers.proxy.url}/claude/v1`).responses.create({
      model: 'claude-sonnet-4-6',
      input: [
        additionalTools,
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      ] as unknown as OpenAI.Responses.ResponseInput,
    });
    expect(response.status).toBe('completed');
    const sent = servers.upstream.requests[0]!.json as { tools: Array<{ name: string }> };
    expect(sent.tools.map((tool) => tool.name)).toEqual(['exec', 'wait']);
    const access = servers.proxy.logs().find((line) => line.msg === 'access')?.access as {
      warnings: number;
    };
    expect(access.warnings).toBeGreaterThan(0);
  });
});
