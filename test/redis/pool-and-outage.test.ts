/**
 * Replicas sharing Redis: a pool's cooldowns and plan usage seen by every replica; Redis killed
 * mid-run gives 503s in each client's format, and everything recovers, credentials intact, once
 * it is back.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { createRedisState } from '../../src/state/redis-state.js';
import { createTestCli } from '../helpers/cli.js';
import { accessToken, makeJwt } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeReply, type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { openaiClient } from '../helpers/sdk-clients.js';

const ACCOUNTS = ['default', 'work'] as const;
type Account = (typeof ACCOUNTS)[number];

let redis: TestRedis;
let upstream: FakeUpstream;
const proxies: TestProxy[] = [];
beforeEach(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
  await upstream?.close();
  await redis.close();
});

function authJson(token: string): string {
  return JSON.stringify({
    tokens: {
      access_token: token,
      refresh_token: 'rt_redis_pool_refresh_value',
      id_token: makeJwt({ email: 'team@example.com' }),
      account_id: 'acct-team',
    },
  });
}

/** Two accounts imported into Redis, a fake backend, and `count` replicas. */
async function setup(count: number, behaviour: (account: Account) => FakeReply | undefined) {
  const tokens = {
    default: accessToken('team-default', 3600),
    work: accessToken('team-work', 3600),
  };
  const seen: Account[] = [];
  upstream = await startFakeUpstream();
  const backend = fakeCodexBackend({
    transcript: loadFixtureBytes('openai-responses', 'text.sse'),
    headers: {
      'x-codex-primary-used-percent': '64',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-at': String(Math.floor(Date.now() / 1000) + 3600),
    },
  });
  upstream.handle((request, response) => {
    const account = ACCOUNTS.find(
      (name) => request.headers.authorization === `Bearer ${tokens[name]}`,
    );
    if (account) seen.push(account);
    return (account && behaviour(account)) ?? backend(request, response);
  });
  const env = {
    STATE__BACKEND: 'redis',
    STATE__URL: redis.url,
    PLUGINS__CODEX__ACCOUNTS: JSON.stringify(ACCOUNTS),
    CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
  };
  const cli = createTestCli({ env });
  mkdirSync(join(cli.home, '.codex'));
  writeFileSync(join(cli.home, '.codex', 'auth.json'), authJson(tokens.default));
  mkdirSync(join(cli.dataDir, 'accounts', 'codex'), { recursive: true });
  writeFileSync(join(cli.dataDir, 'accounts', 'codex', 'work.json'), authJson(tokens.work));
  expect(await cli.run(['state', 'import'])).toBe(0);
  for (let index = 0; index < count; index++) {
    const proxy = await startProxy({ env });
    await proxy.composed.sharedState?.ready(5000);
    proxies.push(proxy);
  }
  return { seen, tokens };
}

function ask(proxy: TestProxy, text: string) {
  return openaiClient(`${proxy.url}/codex/v1`).chat.completions.create({
    model: 'gpt-5.1-codex',
    messages: [{ role: 'user', content: text }],
  });
}

async function health(proxy: TestProxy) {
  return (await (await fetch(`${proxy.url}/health`)).json()) as {
    status: string;
    state?: { backend: string; status: string };
    plan_usage?: Array<{
      provider: string;
      account: string;
      windows: Array<{ usedRatio: number }>;
    }>;
  };
}

/** Polls `/health` until the shared state has the wanted status (Redis went away or came back). */
async function waitForState(proxy: TestProxy, status: 'ok' | 'unreachable') {
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await health(proxy)).state?.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`shared state never became ${status}`);
}

describe('replicas sharing Redis', () => {
  it('share cooldowns: an account one replica saw limited is skipped by the other', async () => {
    const reset = Math.floor(Date.now() / 1000) + 900;
    const { seen } = await setup(2, (account) =>
      account === 'default'
        ? {
            status: 429,
            headers: { 'retry-after': String(reset - Math.floor(Date.now() / 1000)) },
            body: { error: { type: 'usage_limit_reached', message: 'limit' } },
          }
        : undefined,
    );
    const [first, second] = proxies as [TestProxy, TestProxy];
    await ask(first, 'on the first replica');
    expect(seen).toEqual(['default', 'work']);
    await ask(second, 'on the second replica');
    await ask(second, 'and another conversation');
    expect(seen).toEqual(['default', 'work', 'work', 'work']);
  });

  it('share plan usage: what one replica heard shows on the other', async () => {
    await setup(2, () => undefined);
    const [first, second] = proxies as [TestProxy, TestProxy];
    await ask(first, 'usage please');
    const other = await health(second);
    expect(other.plan_usage?.map((entry) => [entry.account, entry.windows[0]?.usedRatio])).toEqual([
      ['default', 0.64],
    ]);
    const cli = createTestCli();
    expect(await cli.run(['status', '--url', second.url])).toBe(0);
    expect(cli.stdout()).toMatch(/^codex\s+default\s+primary \(5h\)\s+\[#{13}\.{7}\]\s+64%/m);
  });

  it('answers 503 in the client format while Redis is down and recovers when it returns', async () => {
    const { tokens } = await setup(1, () => undefined);
    const [proxy] = proxies as [TestProxy];
    await ask(proxy, 'before');

    await redis.kill();
    await waitForState(proxy, 'unreachable');
    const chat = await fetch(`${proxy.url}/codex/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(chat.status).toBe(503);
    const chatBody = (await chat.json()) as { error: { message: string } };
    expect(chatBody.error.message).toContain('Shared state (Redis) is unreachable');
    const messages = await fetch(`${proxy.url}/codex/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'gpt-5.1-codex',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    expect(messages.status).toBe(503);
    const messagesBody = (await messages.json()) as { type: string; error: { type: string } };
    expect(messagesBody.type).toBe('error');
    const down = await health(proxy);
    expect(down.status).toBe('degraded');
    expect(down.state).toEqual({ backend: 'redis', status: 'unreachable' });

    await redis.restart();
    await waitForState(proxy, 'ok');
    const answer = await ask(proxy, 'after');
    expect(answer.choices[0]?.message.content).toContain('Tide');

    // The credentials survived the crash, byte for byte.
    const state = createRedisState({
      url: redis.url,
      keyPrefix: 'ccproxy:',
      logger: createLogger({ level: 'error', format: 'json' }),
    });
    await state.ready(5000);
    const stored = await state.exportCredentials();
    await state.close();
    expect(
      stored.map((entry) => [
        entry.account,
        (entry.data as { tokens: { access_token: string } }).tokens.access_token,
      ]),
    ).toEqual([
      ['default', tokens.default],
      ['work', tokens.work],
    ]);
  });
});
