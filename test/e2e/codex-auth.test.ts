/** Codex credentials through the real server: refresh when expired, on 401, once for many requests. */
import { describe, expect, it } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';
import { closeServersAfterEach } from '../helpers/servers.js';

const transcript = loadFixtureBytes('openai-responses', 'text.sse');

const servers = closeServersAfterEach();

/** A backend whose token endpoint issues `fresh` and whose API accepts only tokens in `accepted`. */
async function setup(options: {
  initial: string;
  fresh: string;
  accepted: Set<string>;
  tokenStatus?: number;
}) {
  servers.upstream = await startFakeUpstream();
  const codex = fakeCodexBackend({
    transcript,
    acceptToken: (token) => options.accepted.has(token),
  });
  servers.upstream.handle(async (request, response) => {
    if (request.path === '/oauth/token') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (options.tokenStatus)
        return {
          status: options.tokenStatus,
          body: { error: 'invalid_grant', error_description: 'Refresh token revoked' },
        };
      options.accepted.add(options.fresh);
      return {
        body: {
          access_token: options.fresh,
          refresh_token: 'rt_second_refresh_token_value',
          id_token: null,
        },
      };
    }
    return codex(request, response);
  });
  const home = createCodexHome({ accessToken: options.initial });
  servers.proxy = await startProxy({
    env: {
      CODEX_HOME: home.dir,
      CCPROXY_CODEX_BASE_URL: `${servers.upstream.url}/backend-api/codex`,
      CCPROXY_CODEX_TOKEN_URL: `${servers.upstream.url}/oauth/token`,
    },
  });
  return { home, upstream: servers.upstream, proxy: servers.proxy };
}

const tokenCalls = (server: FakeUpstream) =>
  server.requests.filter((r) => r.path === '/oauth/token').length;

describe('Codex credentials', () => {
  it('refreshes an expired token once for 50 concurrent requests and writes auth.json back (mode 0600)', async () => {
    const fresh = accessToken('fresh', 3600);
    const {
      home,
      upstream: server,
      proxy: running,
    } = await setup({ initial: accessToken('stale', -60), fresh, accepted: new Set() });
    const client = openaiClient(`${running.url}/codex/v1`);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        client.chat.completions.create({
          model: 'gpt-5.1-codex',
          messages: [{ role: 'user', content: 'hi' }],
        }),
      ),
    );
    expect(answers.every((a) => a.choices[0]!.message.content?.startsWith('Tide pools'))).toBe(
      true,
    );
    expect(tokenCalls(server)).toBe(1);
    const apiCalls = server.requests.filter((r) => r.path !== '/oauth/token');
    expect(apiCalls).toHaveLength(50);
    expect(apiCalls.every((r) => r.headers.authorization === `Bearer ${fresh}`)).toBe(true);
    expect((home.read().tokens as Record<string, unknown>).access_token).toBe(fresh);
    expect(home.mode()).toBe(0o600);
    expect(running.logs().some((line) => line.msg === 'refreshed Codex access token')).toBe(true);
  });

  it('refreshes once on an upstream 401 and retries the request', async () => {
    const fresh = accessToken('after-401', 3600);
    // The stored token looks valid but the backend rejects it (revoked server side).
    const { upstream: server, proxy: running } = await setup({
      initial: accessToken('revoked', 3600),
      fresh,
      accepted: new Set(),
    });
    const message = await anthropicClient(`${running.url}/codex`).messages.create({
      model: 'gpt-5.1-codex',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(tokenCalls(server)).toBe(1);
    const statuses = server.requests
      .filter((r) => r.path !== '/oauth/token')
      .map((r) => r.headers.authorization);
    expect(statuses).toHaveLength(2);
    expect(statuses[1]).toBe(`Bearer ${fresh}`);
  });

  it('answers 401 in the client format, asking to log in again, when the refresh token is revoked', async () => {
    const { proxy: running } = await setup({
      initial: accessToken('stale', -60),
      fresh: 'unused',
      accepted: new Set(),
      tokenStatus: 400,
    });
    const chat = await fetch(`${running.url}/codex/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).toBe(401);
    const chatBody = (await chat.json()) as { error: { message: string; type: string } };
    expect(chatBody.error.message).toMatch(/codex login/);
    expect(chatBody.error.type).toBe('authentication_error');

    const messages = await fetch(`${running.url}/codex/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-5.1-codex',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(messages.status).toBe(401);
    expect(await messages.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: expect.stringMatching(/codex login/) },
    });
    expect(running.logText()).not.toContain('rt_initial_refresh_token_value');
  });

  it('answers 401 with a login hint when there are no credentials at all', async () => {
    servers.upstream = await startFakeUpstream();
    servers.proxy = await startProxy({
      env: {
        CODEX_HOME: '/nonexistent/codex-home',
        CCPROXY_CODEX_BASE_URL: `${servers.upstream.url}/backend-api/codex`,
      },
    });
    const response = await fetch(`${servers.proxy.url}/codex/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.1-codex', input: 'hi' }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /No Codex credentials found/,
    );
    expect(servers.upstream.requests).toHaveLength(0);
  });
});
