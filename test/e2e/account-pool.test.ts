/**
 * Account pools through the real server: three fake Codex accounts behind one route, failover
 * before the first byte, resting until the upstream's reset, all resting → 429 with the soonest
 * `retry-after` in the client's format, sticky sessions and headroom.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestCli } from '../helpers/cli.js';
import { accessToken, makeJwt } from '../helpers/codex-home.js';
import { fakeAnthropicApi } from '../helpers/fake-anthropic.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeReply, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';
import { closeServersAfterEach } from '../helpers/servers.js';

const transcript = loadFixtureBytes('openai-responses', 'text.sse');
const ACCOUNTS = ['default', 'work', 'spare'] as const;
type Account = (typeof ACCOUNTS)[number];

const servers = closeServersAfterEach();

function authJson(token: string): string {
  return JSON.stringify({
    tokens: {
      access_token: token,
      refresh_token: `rt_${token.slice(-12).replace(/[^A-Za-z0-9]/g, 'x')}_refresh`,
      id_token: makeJwt({ email: 'pool@example.com' }),
      account_id: 'acct-pool',
    },
    last_refresh: new Date().toISOString(),
  });
}

/** What each account's upstream answers (default: the text transcript). */
type Behaviour = (account: Account) => FakeReply | undefined;

async function startPool(options: {
  behaviour?: Behaviour;
  strategy?: 'headroom' | 'round_robin';
  usage?: Partial<Record<Account, number>>;
  tokenEndpoint?: (refreshToken: string) => FakeReply;
}) {
  const tokens = Object.fromEntries(
    ACCOUNTS.map((account) => [account, accessToken(`pool-${account}`, 3600)]),
  ) as Record<Account, string>;
  const home = mkdtempSync(join(tmpdir(), 'ccproxy-pool-'));
  mkdirSync(join(home, '.codex'));
  writeFileSync(join(home, '.codex', 'auth.json'), authJson(tokens.default), { mode: 0o600 });
  const named = join(home, '.local', 'share', 'ccproxy', 'accounts', 'codex');
  mkdirSync(named, { recursive: true });
  writeFileSync(join(named, 'work.json'), authJson(tokens.work), { mode: 0o600 });
  writeFileSync(join(named, 'spare.json'), authJson(tokens.spare), { mode: 0o600 });
  const seen: Account[] = [];
  servers.upstream = await startFakeUpstream();
  const backend = fakeCodexBackend({
    transcript,
    headers: (request): Record<string, string> => {
      const account = accountOf(String(request.headers.authorization));
      const used = account ? options.usage?.[account] : undefined;
      return used === undefined
        ? {}
        : {
            'x-codex-primary-used-percent': String(used),
            'x-codex-primary-window-minutes': '300',
          };
    },
  });
  function accountOf(authorization: string): Account | undefined {
    return ACCOUNTS.find((account) => authorization === `Bearer ${tokens[account]}`);
  }
  servers.upstream.handle((request, response) => {
    if (request.path === '/oauth/token') {
      const refresh = String((request.json as { refresh_token?: string }).refresh_token);
      return options.tokenEndpoint?.(refresh) ?? { status: 500, body: {} };
    }
    const account = accountOf(String(request.headers.authorization));
    if (account) seen.push(account);
    const special = account ? options.behaviour?.(account) : undefined;
    return special ?? backend(request, response);
  });
  servers.proxy = await startProxy({
    home,
    config: {
      plugins: {
        codex: {
          accounts: [...ACCOUNTS],
          account_strategy: options.strategy ?? 'headroom',
        },
      },
    },
    env: {
      CCPROXY_CODEX_BASE_URL: `${servers.upstream.url}/backend-api/codex`,
      CCPROXY_CODEX_TOKEN_URL: `${servers.upstream.url}/oauth/token`,
    },
  });
  return { proxy: servers.proxy, seen, tokens };
}

function ask(running: TestProxy, text: string, session?: string) {
  const base = session ? `${running.url}/codex/${session}/v1` : `${running.url}/codex/v1`;
  return openaiClient(base).chat.completions.create({
    model: 'gpt-5.1-codex',
    messages: [{ role: 'user', content: text }],
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function limited(resetAt: number, extra: Record<string, string> = {}): FakeReply {
  return {
    status: 429,
    headers: {
      'x-codex-primary-used-percent': '100',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-at': String(resetAt),
      ...extra,
    },
    body: { error: { type: 'usage_limit_reached', message: 'The usage limit has been reached' } },
  };
}

describe('account pools', () => {
  it('moves a 429 to the next account and rests the limited one until its reset', async () => {
    const reset = nowSeconds() + 600;
    const { proxy: running, seen } = await startPool({
      behaviour: (account) => (account === 'default' ? limited(reset) : undefined),
    });
    const answer = await ask(running, 'first');
    expect(answer.choices[0]?.message.content).toContain('Tide pools');
    expect(seen).toEqual(['default', 'work']);

    // The limited account is skipped until its reset: new conversations never reach it.
    await ask(running, 'second');
    await ask(running, 'third');
    expect(seen.filter((account) => account === 'default')).toHaveLength(1);
    // Each request's record names the account that served it (the dashboard's account column).
    const feed = running.composed.dashboard!;
    await expect.poll(() => feed.recent().length).toBe(3);
    expect(feed.recent().map((request) => request.account)).toEqual(['work', 'work', 'work']);
    expect(seen.slice(1)).toEqual(['work', 'work', 'work']);

    const health = (await (await fetch(`${running.url}/health`)).json()) as {
      providers: { codex: { accounts: Record<string, { restingUntil?: string }> } };
    };
    expect(health.providers.codex.accounts.default?.restingUntil).toBe(
      new Date(reset * 1000).toISOString(),
    );
    expect(health.providers.codex.accounts.work?.restingUntil).toBeUndefined();

    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain(
      'proxy_account_failovers_total{provider="codex",account="default",reason="rate_limited"} 1',
    );
    expect(metrics).toContain(
      `proxy_account_resting_until_seconds{provider="codex",account="default",reason="rate_limited"} ${reset}`,
    );
    const cli = createTestCli();
    expect(await cli.run(['status', '--url', running.url])).toBe(0);
    expect(cli.stdout()).toMatch(
      /^codex\s+default \(resting \d+m\)\s+primary \(5h\)\s+\[#{20}\]\s+100%/m,
    );
  });

  it('answers 429 with the soonest retry-after, in the client format, when every account rests', async () => {
    const now = nowSeconds();
    const resets: Record<Account, number> = {
      default: now + 900,
      work: now + 300,
      spare: now + 600,
    };
    const { proxy: running, seen } = await startPool({
      behaviour: (account) => limited(resets[account]),
    });
    const chat = await fetch(`${running.url}/codex/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).toBe(429);
    const wait = Number(chat.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(300);
    expect(wait).toBeGreaterThan(240);
    const chatBody = (await chat.json()) as { error: { type: string; message: string } };
    expect(chatBody.error.type).toBe('rate_limit_error');
    expect(seen).toEqual(['default', 'work', 'spare']);

    // Now nothing goes upstream: the pool answers at once, here in the Anthropic format.
    const messages = await fetch(`${running.url}/codex/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'gpt-5.1-codex',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(messages.status).toBe(429);
    expect(Number(messages.headers.get('retry-after'))).toBeLessThanOrEqual(300);
    const body = (await messages.json()) as {
      type: string;
      error: { type: string; message: string };
    };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('rate_limit_error');
    expect(body.error.message).toContain('Every codex account is resting');
    expect(seen).toHaveLength(3);
  });

  it('keeps each conversation on one account (sticky), spreading new ones round robin', async () => {
    const { proxy: running, seen } = await startPool({ strategy: 'round_robin' });
    const sessions = ['session-a', 'session-b', 'session-c'];
    const byRound: Account[][] = [];
    for (let round = 0; round < 3; round++) {
      const before = seen.length;
      for (const session of sessions) await ask(running, `turn ${round}`, session);
      byRound.push(seen.slice(before) as Account[]);
    }
    expect(new Set(byRound[0])).toEqual(new Set(ACCOUNTS));
    expect(byRound[1]).toEqual(byRound[0]);
    expect(byRound[2]).toEqual(byRound[0]);
  });

  it('sends a new conversation to the account with the most headroom', async () => {
    const { proxy: running, seen } = await startPool({
      usage: { default: 90, work: 10, spare: 50 },
    });
    for (const text of ['one', 'two', 'three', 'four']) await ask(running, text);
    // Unknown usage counts as none: each account is tried once, then the emptiest wins.
    expect(seen).toEqual(['default', 'work', 'spare', 'work']);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain(
      'proxy_plan_used_ratio{provider="codex",account="spare",window="primary"} 0.5',
    );
  });

  it('fails over on credentials a refresh does not cure, and on a 5xx', async () => {
    const { proxy: running, seen } = await startPool({
      behaviour: (account) =>
        account === 'default'
          ? { status: 401, body: { error: { message: 'Invalid token', code: 'invalid_api_key' } } }
          : account === 'work'
            ? { status: 500, body: { error: { message: 'boom' } } }
            : undefined,
      tokenEndpoint: () => ({ status: 400, body: { error: 'invalid_grant' } }),
    });
    const answer = await ask(running, 'hello');
    expect(answer.choices[0]?.message.content).toContain('Tide pools');
    expect(seen).toEqual(['default', 'work', 'spare']);
    // The refused account rests; the 5xx one does not.
    await ask(running, 'again');
    expect(seen.slice(3)).toEqual(['work', 'spare']);
  });
});

describe('a Codex account pool over a broken connection', () => {
  it('moves to the next account when one cannot be reached before the first byte', async () => {
    const { proxy: running, seen, tokens } = await startPool({});
    servers.upstream?.handle((request, response) => {
      if (request.headers.authorization === `Bearer ${tokens.default}`) {
        seen.push('default');
        // The connection drops before any answer (a reset, a crashed backend).
        response.socket?.destroy();
        return undefined;
      }
      seen.push('work');
      return fakeCodexBackend({ transcript })(request, response);
    });
    seen.length = 0;
    const answer = await ask(running, 'over a broken line');
    expect(answer.choices[0]?.message.content).toContain('Tide pools');
    // The same account is retried first ([http] max_retries = 2), then the next one answers.
    expect(seen).toEqual(['default', 'default', 'default', 'work']);
  });
});

describe('a Claude account pool', () => {
  it('rests a rejected subscription until its unified window resets and serves from the next', async () => {
    const tokens = { default: 'sk-ant-oat01-pool-default', work: 'sk-ant-oat01-pool-work' };
    const reset = Math.floor(Date.now() / 1000) + 1800;
    const home = mkdtempSync(join(tmpdir(), 'ccproxy-claude-pool-'));
    const oauth = (token: string) =>
      JSON.stringify({
        claudeAiOauth: {
          accessToken: token,
          refreshToken: `${token}-refresh`,
          expiresAt: Date.now() + 3_600_000,
          scopes: ['user:inference'],
          subscriptionType: 'max',
        },
      });
    mkdirSync(join(home, '.claude'));
    writeFileSync(join(home, '.claude', '.credentials.json'), oauth(tokens.default), {
      mode: 0o600,
    });
    const named = join(home, '.local', 'share', 'ccproxy', 'accounts', 'claude');
    mkdirSync(named, { recursive: true });
    writeFileSync(join(named, 'work.json'), oauth(tokens.work), { mode: 0o600 });
    const seen: string[] = [];
    servers.upstream = await startFakeUpstream();
    const api = fakeAnthropicApi({
      transcript: 'text',
      auth: { mode: 'oauth', acceptToken: (token) => Object.values(tokens).includes(token) },
    });
    servers.upstream.handle((request, response) => {
      const authorization = String(request.headers.authorization);
      const account = authorization === `Bearer ${tokens.default}` ? 'default' : 'work';
      seen.push(account);
      if (account === 'default')
        return {
          status: 429,
          headers: {
            'anthropic-ratelimit-unified-status': 'rejected',
            'anthropic-ratelimit-unified-5h-status': 'rejected',
            'anthropic-ratelimit-unified-5h-utilization': '1.0',
            'anthropic-ratelimit-unified-5h-reset': String(reset),
          },
          body: { type: 'error', error: { type: 'rate_limit_error', message: 'limited' } },
        };
      return api(request, response);
    });
    servers.proxy = await startProxy({
      home,
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url },
    });
    const message = await anthropicClient(`${servers.proxy.url}/claude`).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(seen).toEqual(['default', 'work']);
    const health = (await (await fetch(`${servers.proxy.url}/health`)).json()) as {
      providers: { claude: { accounts: Record<string, { restingUntil?: string; plan?: string }> } };
    };
    expect(health.providers.claude.accounts.default).toMatchObject({
      restingUntil: new Date(reset * 1000).toISOString(),
      plan: 'max',
    });
    expect(servers.proxy.composed.planUsage.get('claude', 'default')?.windows[0]).toMatchObject({
      name: '5h',
      usedRatio: 1,
      status: 'rejected',
    });
  });
});
