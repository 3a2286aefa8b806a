/** The Copilot provider end to end: fake GitHub and Copilot APIs on loopback, official SDK clients. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeUpstream,
  type RecordedRequest,
  startFakeUpstream,
} from '../helpers/fake-upstream.js';
import { loadFixtureBytes, loadFixtureJson } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';

let server: FakeUpstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
  proxy = undefined;
  server = undefined;
});

const GITHUB_TOKEN = 'gho_githubTokenForTests0123456789';

/** One fake playing GitHub's token exchange and the Copilot API. */
async function startCopilot(
  options: { lifetimeSeconds?: number; rejectFirst?: boolean; now?: () => number } = {},
) {
  const issued: string[] = [];
  const now = options.now ?? Date.now;
  let rejected = !options.rejectFirst;
  const fake = await startFakeUpstream(async (request: RecordedRequest) => {
    if (request.path === '/copilot_internal/v2/token') {
      if (request.headers.authorization !== `token ${GITHUB_TOKEN}`)
        return { status: 401, body: { message: 'Bad credentials' } };
      await new Promise((resolve) => setTimeout(resolve, 30));
      const token = `tid=copilot-${issued.length + 1};exp=soon`;
      issued.push(token);
      return {
        body: {
          token,
          // GitHub dates the token by its clock; the fake uses the proxy's (the test's) clock.
          expires_at: Math.floor(now() / 1000) + (options.lifetimeSeconds ?? 1800),
          refresh_in: 1500,
          endpoints: { api: fake.url },
        },
      };
    }
    const authorization = String(request.headers.authorization ?? '');
    if (!issued.some((token) => authorization === `Bearer ${token}`))
      return { status: 401, body: { error: { message: 'unauthorized' } } };
    if (!rejected && request.path === '/chat/completions') {
      rejected = true;
      return { status: 401, body: { error: { message: 'token expired' } } };
    }
    if (
      request.headers['copilot-integration-id'] !== 'vscode-chat' ||
      !request.headers['editor-version']
    ) {
      return { status: 400, body: { error: { message: 'missing editor headers' } } };
    }
    const body = request.json as { stream?: boolean } | undefined;
    const sse = (
      format: 'openai-chat' | 'openai-responses' | 'anthropic-messages',
      name: string,
    ) => ({
      headers: { 'content-type': 'text/event-stream' },
      sse: { bytes: loadFixtureBytes(format, `${name}.sse`), seed: 9 },
    });
    switch (request.path) {
      case '/models':
        return {
          body: {
            data: [
              {
                id: 'gpt-4.1',
                name: 'GPT-4.1',
                vendor: 'Azure OpenAI',
                supported_endpoints: ['/chat/completions'],
              },
              {
                id: 'gpt-5.1',
                name: 'GPT-5.1',
                vendor: 'OpenAI',
                supported_endpoints: ['/chat/completions', '/responses'],
              },
              {
                id: 'claude-sonnet-4.5',
                name: 'Claude Sonnet 4.5',
                vendor: 'Anthropic',
                supported_endpoints: ['/chat/completions', '/v1/messages'],
              },
            ],
            object: 'list',
          },
        };
      case '/chat/completions':
        return body?.stream
          ? sse('openai-chat', 'text')
          : { body: loadFixtureJson('openai-chat', 'text.expected.json') };
      case '/responses':
        return body?.stream
          ? sse('openai-responses', 'text')
          : { body: loadFixtureJson('openai-responses', 'text.expected.json') };
      case '/v1/messages':
        return body?.stream
          ? sse('anthropic-messages', 'text')
          : { body: loadFixtureJson('anthropic-messages', 'text.expected.json') };
      default:
        return { status: 404, body: { error: { message: 'not found' } } };
    }
  });
  server = fake;
  proxy = await startProxy({
    env: { GH_TOKEN: GITHUB_TOKEN, CCPROXY_COPILOT_GITHUB_API_URL: fake.url },
    ...(options.now ? { now: options.now } : {}),
  });
  return { fake, running: proxy, issued };
}

const apiCalls = (fake: FakeUpstream) =>
  fake.requests.filter((r) => r.path !== '/copilot_internal/v2/token' && r.path !== '/models');

describe('Copilot', () => {
  it('serves Chat clients from /chat/completions, stream and not, with the editor headers', async () => {
    const { fake, running } = await startCopilot();
    const client = openaiClient(`${running.url}/copilot/v1`);
    const completion = await client.chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'bread?' }],
    });
    expect(completion.choices[0]!.message.content).toMatch(/^Bread rises/);
    const streamed = await client.chat.completions
      .stream({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'bread?' }] })
      .finalChatCompletion();
    expect(streamed.choices[0]!.message.content).toBe(completion.choices[0]!.message.content);
    const sent = apiCalls(fake);
    expect(sent.map((r) => r.path)).toEqual(['/chat/completions', '/chat/completions']);
    expect(sent[0]!.headers).toMatchObject({
      'x-initiator': 'user',
      'openai-intent': 'conversation-panel',
      'x-github-api-version': '2025-04-01',
    });
    expect((sent[1]!.json as { stream_options: unknown }).stream_options).toEqual({
      include_usage: true,
    });
  });

  it('uses the client’s own API when Copilot serves the model there, so nothing is translated twice', async () => {
    const { fake, running } = await startCopilot();
    await openaiClient(`${running.url}/copilot/v1`).models.list();
    const anthropic = anthropicClient(`${running.url}/copilot`);
    const claude = await anthropic.messages.create({
      model: 'claude-sonnet-4.5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'poem' }],
    });
    expect(claude.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringMatching(/^Sure!/),
    });
    const gpt = await anthropic.messages.create({
      model: 'gpt-4.1',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'bread' }],
    });
    expect(gpt.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringMatching(/^Bread rises/),
    });
    const responses = openaiClient(`${running.url}/copilot/v1`);
    const viaResponses = await responses.responses
      .stream({ model: 'gpt-5.1', input: 'tide pools' })
      .finalResponse();
    expect(viaResponses.output_text).toMatch(/^Tide pools/);
    const viaChat = await responses.responses.create({ model: 'gpt-4.1', input: 'bread' });
    expect(viaChat.output_text).toMatch(/^Bread rises/);
    expect(apiCalls(fake).map((r) => r.path)).toEqual([
      '/v1/messages',
      '/chat/completions',
      '/responses',
      '/chat/completions',
    ]);
    const messagesCall = apiCalls(fake)[0]!;
    expect(messagesCall.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('exchanges the GitHub token once for concurrent requests, again when it expires, and after a 401', async () => {
    // 121 s of lifetime against the 120 s refresh margin: the token is good for about a second
    // of the proxy's clock, which the test moves forward instead of waiting.
    let clock = Date.now();
    const { fake, running, issued } = await startCopilot({
      lifetimeSeconds: 121,
      now: () => clock,
    });
    const client = openaiClient(`${running.url}/copilot/v1`);
    const ask = () =>
      client.chat.completions.create({
        model: 'gpt-4.1',
        messages: [{ role: 'user', content: 'x' }],
      });
    await Promise.all(Array.from({ length: 20 }, ask));
    expect(issued).toHaveLength(1);
    clock += 2000;
    await Promise.all(Array.from({ length: 20 }, ask));
    expect(issued).toHaveLength(2);
    expect(
      fake.requests.filter((r) => r.path === '/copilot_internal/v2/token')[0]!.headers[
        'editor-version'
      ],
    ).toBeTruthy();
  });

  it('exchanges again after the Copilot API answers 401, then retries', async () => {
    const { fake, running, issued } = await startCopilot({ rejectFirst: true });
    const completion = await openaiClient(`${running.url}/copilot/v1`).chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(completion.choices[0]!.message.content).toMatch(/^Bread/);
    expect(issued).toHaveLength(2);
    expect(apiCalls(fake).map((r) => r.headers.authorization)).toEqual([
      `Bearer ${issued[0]}`,
      `Bearer ${issued[1]}`,
    ]);
  });

  it('marks follow-ups after tool results as agent-initiated', async () => {
    const { fake, running } = await startCopilot();
    await openaiClient(`${running.url}/copilot/v1`).chat.completions.create({
      model: 'gpt-4.1',
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'w', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
    });
    expect(apiCalls(fake)[0]!.headers['x-initiator']).toBe('agent');
  });

  it('lists Copilot’s models', async () => {
    const { running } = await startCopilot();
    const models = await openaiClient(`${running.url}/copilot/v1`).models.list();
    expect(models.data.map((m) => m.id)).toEqual(['gpt-4.1', 'gpt-5.1', 'claude-sonnet-4.5']);
    const anthropicModels = await anthropicClient(`${running.url}/copilot`).models.list();
    expect(anthropicModels.data[2]).toMatchObject({
      type: 'model',
      id: 'claude-sonnet-4.5',
      display_name: 'Claude Sonnet 4.5',
    });
  });

  it('without a GitHub login, answers 401 in the client’s format with the way to sign in', async () => {
    server = await startFakeUpstream();
    const home = mkdtempSync(join(tmpdir(), 'ccproxy-nocopilot-'));
    proxy = await startProxy({ env: { CCPROXY_COPILOT_GITHUB_API_URL: server.url }, home });
    const chat = await openaiClient(`${proxy.url}/copilot/v1`)
      .chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(chat).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((chat as Error).message).toMatch(/ccproxy auth login copilot/);
    const anthropic = await fetch(`${proxy.url}/copilot/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'claude-sonnet-4.5',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
    expect(server.requests).toHaveLength(0);
  });

  it('reads the login stored by `ccproxy auth login copilot`', async () => {
    const fake = await startFakeUpstream((request) =>
      request.path === '/copilot_internal/v2/token'
        ? {
            body: {
              token: 'tid=stored',
              expires_at: Math.floor(Date.now() / 1000) + 1800,
              endpoints: { api: fake.url },
            },
          }
        : { body: loadFixtureJson('openai-chat', 'text.expected.json') },
    );
    server = fake;
    const home = mkdtempSync(join(tmpdir(), 'ccproxy-copilot-store-'));
    const dataDir = join(home, '.local', 'share', 'ccproxy');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      join(dataDir, 'copilot.json'),
      JSON.stringify({
        github_token: 'gho_storedToken0123456789',
        token_type: 'bearer',
        scope: 'read:user',
        created_at: '2026-11-01T00:00:00Z',
      }),
      { mode: 0o600 },
    );
    proxy = await startProxy({ env: { CCPROXY_COPILOT_GITHUB_API_URL: fake.url }, home });
    await openaiClient(`${proxy.url}/copilot/v1`).chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(fake.requests[0]!.headers.authorization).toBe('token gho_storedToken0123456789');
  });
});
