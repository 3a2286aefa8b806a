/**
 * The Redis state backend with Redis away (no server needed): requests that need the shared
 * state fail at once with 503 in the client's format, `/health` says so, and the state commands
 * say they cannot reach it. (Recovery with a real Redis is in test/redis/.)
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTestCli } from '../helpers/cli.js';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startProxy } from '../helpers/proxy.js';
import { closeServersAfterEach } from '../helpers/servers.js';

const servers = closeServersAfterEach();

/** A loopback URL nothing listens on. */
async function deadRedisUrl(): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  return `redis://127.0.0.1:${port}`;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Redis state backend, Redis unreachable', () => {
  it('answers 503 in each client format, without calling the upstream, and /health says so', async () => {
    servers.upstream = await startFakeUpstream(() => ({ status: 500, body: {} }));
    const home = createCodexHome({ accessToken: accessToken('unused', 3600) });
    servers.proxy = await startProxy({
      config: { plugins: { codex: { accounts: ['default', 'work'] } } },
      env: {
        STATE__BACKEND: 'redis',
        STATE__URL: await deadRedisUrl(),
        CODEX_HOME: home.dir,
        CCPROXY_CODEX_BASE_URL: `${servers.upstream.url}/backend-api/codex`,
        CCPROXY_CLAUDE_BASE_URL: servers.upstream.url,
      },
    });
    const chat = await post(`${servers.proxy.url}/codex/v1/chat/completions`, {
      model: 'gpt-5.1-codex',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(chat.status).toBe(503);
    expect(chat.body.error).toMatchObject({
      message: expect.stringContaining('Shared state (Redis) is unreachable'),
    });
    const messages = await post(
      `${servers.proxy.url}/claude/v1/messages`,
      { model: 'claude-sonnet-4-6', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
      { 'anthropic-version': '2023-06-01' },
    );
    expect(messages.status).toBe(503);
    expect(messages.body.type).toBe('error');
    const responses = await post(`${servers.proxy.url}/codex/v1/responses`, {
      model: 'gpt-5.1-codex',
      previous_response_id: 'resp_123',
      input: 'next',
    });
    expect(responses.status).toBe(503);
    const kept = await fetch(`${servers.proxy.url}/codex/v1/responses/resp_123`);
    expect(kept.status).toBe(503);
    expect(servers.upstream.requests).toHaveLength(0);

    const health = (await (await fetch(`${servers.proxy.url}/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(health.status).toBe('degraded');
    expect(health.state).toEqual({ backend: 'redis', status: 'unreachable' });
    const providers = health.providers as Record<string, { state: string; detail?: string }>;
    expect(providers.claude).toMatchObject({
      state: 'invalid',
      detail: expect.stringContaining('unreachable'),
    });
    const metrics = await fetch(`${servers.proxy.url}/metrics`);
    expect(metrics.status).toBe(200);
  });

  it('state import and export say they cannot reach Redis; without Redis configured, how to', async () => {
    const url = await deadRedisUrl();
    const cli = createTestCli({ env: { STATE__BACKEND: 'redis', STATE__URL: url } });
    expect(await cli.run(['state', 'import'])).toBe(1);
    expect(cli.stderr()).toContain('Cannot reach Redis');
    expect(cli.stderr()).not.toContain(url);
    expect(await cli.run(['state', 'export'])).toBe(1);
    const memory = createTestCli();
    expect(await memory.run(['state', 'export'])).toBe(2);
    expect(memory.stderr()).toContain('STATE__BACKEND=redis');
  });
});
