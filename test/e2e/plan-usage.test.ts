/** Plan usage reported by fake Codex and Anthropic answers reaches /metrics, /health and `ccproxy status`. */
import { describe, expect, it } from 'vitest';
import { createTestCli } from '../helpers/cli.js';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeAnthropicApi } from '../helpers/fake-anthropic.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes, loadFixtureJson } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';
import { closeServersAfterEach } from '../helpers/servers.js';

const KEY = 'proxy-access-key-usage';
const servers = closeServersAfterEach();

const nowSeconds = Math.floor(Date.now() / 1000);
const primaryReset = nowSeconds + 2 * 3600 + 30 * 60;
const secondaryReset = nowSeconds + 4 * 86400 + 3600;
const fiveHourReset = nowSeconds + 3 * 3600 + 600;
const sevenDayReset = nowSeconds + 6 * 86400 + 7200;

/** The text transcript with a `codex.rate_limits` event first, as the backend sends it. */
function codexTranscript(primaryPercent: number): string {
  const event = {
    type: 'codex.rate_limits',
    plan_type: 'pro',
    rate_limits: {
      primary: { used_percent: primaryPercent, window_minutes: 300, reset_at: primaryReset },
    },
    credits: { has_credits: true, unlimited: false, balance: '12.5' },
  };
  return `event: codex.rate_limits\ndata: ${JSON.stringify(event)}\n\n${loadFixtureBytes('openai-responses', 'text.sse').toString('utf8')}`;
}

/** Starts the proxy; the Codex answers' events report `percents` in turn (the last one after). */
async function start(percents = [42]) {
  servers.upstream = await startFakeUpstream();
  let answered = 0;
  const codex = fakeCodexBackend({
    transcript: () => codexTranscript(percents[Math.min(answered++, percents.length - 1)] ?? 0),
    headers: {
      'x-codex-primary-used-percent': '30',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-at': String(primaryReset),
      'x-codex-secondary-used-percent': '12.5',
      'x-codex-secondary-window-minutes': '10080',
      'x-codex-secondary-reset-at': String(secondaryReset),
      'x-codex-credits-has-credits': 'true',
    },
  });
  const claude = fakeAnthropicApi({
    transcript: 'text',
    auth: { mode: 'api-key', key: 'sk-ant-api03-usage-test-key' },
    headers: {
      'anthropic-ratelimit-unified-status': 'allowed',
      'anthropic-ratelimit-unified-5h-utilization': '0.25',
      'anthropic-ratelimit-unified-5h-reset': String(fiveHourReset),
      'anthropic-ratelimit-unified-5h-status': 'allowed',
      'anthropic-ratelimit-unified-7d-utilization': '0.8',
      'anthropic-ratelimit-unified-7d-reset': String(sevenDayReset),
      'anthropic-ratelimit-unified-7d-status': 'allowed_warning',
    },
  });
  servers.upstream.handle((request, response) =>
    request.path.startsWith('/backend-api/') ? codex(request, response) : claude(request, response),
  );
  const home = createCodexHome({ accessToken: accessToken('usage', 3600) });
  servers.proxy = await startProxy({
    env: {
      CODEX_HOME: home.dir,
      CCPROXY_CODEX_BASE_URL: `${servers.upstream.url}/backend-api/codex`,
      CCPROXY_CLAUDE_BASE_URL: servers.upstream.url,
      ANTHROPIC_API_KEY: 'sk-ant-api03-usage-test-key',
      SECURITY__AUTH_TOKEN: KEY,
    },
  });
  return servers.proxy;
}

describe('plan usage', () => {
  it('records Codex headers and the codex.rate_limits event, and Anthropic unified headers', async () => {
    const running = await start([42, 43, 44]);
    const answer = await openaiClient(`${running.url}/codex/v1`, KEY).chat.completions.create({
      model: 'gpt-5.1-codex',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(answer.choices[0]?.message.content).toContain('Tide pools');
    await anthropicClient(`${running.url}/claude`, KEY).messages.create({
      model: 'test-model',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });

    // The in-process read interface (what a dashboard reads).
    const snapshot = running.composed.planUsage.snapshot();
    expect(snapshot.map((entry) => `${entry.provider}/${entry.account}`)).toEqual([
      'claude/default',
      'codex/default',
    ]);
    const codex = snapshot[1]!;
    // The stream's event (42 %) came after the headers (30 %) and wins.
    expect(codex.windows).toEqual([
      { name: 'primary', usedRatio: 0.42, windowMinutes: 300, resetsAt: primaryReset * 1000 },
      {
        name: 'secondary',
        usedRatio: 0.125,
        windowMinutes: 10080,
        resetsAt: secondaryReset * 1000,
      },
    ]);
    expect(codex.plan).toBe('pro');
    expect(codex.credits).toEqual({ hasCredits: true, unlimited: false, balance: '12.5' });
    expect(snapshot[0]!.windows).toEqual([
      {
        name: '5h',
        usedRatio: 0.25,
        windowMinutes: 300,
        resetsAt: fiveHourReset * 1000,
        status: 'allowed',
      },
      {
        name: '7d',
        usedRatio: 0.8,
        windowMinutes: 10080,
        resetsAt: sevenDayReset * 1000,
        status: 'allowed_warning',
      },
    ]);

    const metrics = await (
      await fetch(`${running.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })
    ).text();
    expect(metrics).toContain(
      'proxy_plan_used_ratio{provider="codex",account="default",window="primary"} 0.42',
    );
    expect(metrics).toContain(
      'proxy_plan_used_ratio{provider="claude",account="default",window="7d"} 0.8',
    );
    expect(metrics).toContain(
      `proxy_plan_resets_at_seconds{provider="codex",account="default",window="secondary"} ${secondaryReset}`,
    );

    const authorized = (await (
      await fetch(`${running.url}/health`, { headers: { 'x-api-key': KEY } })
    ).json()) as { plan_usage?: Array<{ provider: string; windows: Array<{ resetsAt: string }> }> };
    expect(authorized.plan_usage?.map((entry) => entry.provider)).toEqual(['claude', 'codex']);
    expect(authorized.plan_usage?.[1]?.windows[0]?.resetsAt).toBe(
      new Date(primaryReset * 1000).toISOString(),
    );
    const anonymous = (await (await fetch(`${running.url}/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(anonymous.plan_usage).toBeUndefined();

    // The event is read on every kind of route: a Responses stream forwarded as it is (43 %),
    // and a Chat stream converted from it (44 %).
    const primaryUsed = () => running.composed.planUsage.snapshot()[1]?.windows[0]?.usedRatio;
    const openai = openaiClient(`${running.url}/codex/v1`, KEY);
    const events = await openai.responses.create({
      model: 'gpt-5.1-codex',
      input: 'hi',
      stream: true,
    });
    const types: string[] = [];
    for await (const event of events) types.push(event.type);
    expect(types.at(-1)).toBe('response.completed');
    expect(types.filter((type) => type.startsWith('codex.'))).toEqual([]);
    expect(primaryUsed()).toBe(0.43);
    const chunks = await openai.chat.completions.create({
      model: 'gpt-5.1-codex',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('Tide pools');
    expect(primaryUsed()).toBe(0.44);
  });

  it('`ccproxy status` prints a bar, percent, window and time to reset per account', async () => {
    const running = await start();
    await openaiClient(`${running.url}/codex/v1`, KEY).responses.create({
      model: 'gpt-5.1-codex',
      input: 'hi',
    });
    await anthropicClient(`${running.url}/claude`, KEY).messages.create({
      model: 'test-model',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const cli = createTestCli({
      env: { SECURITY__AUTH_TOKEN: KEY },
      now: () => nowSeconds * 1000,
    });
    expect(await cli.run(['status', '--url', running.url])).toBe(0);
    const lines = cli.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PROVIDER\s+ACCOUNT\s+WINDOW\s+USAGE\s+USED\s+RESETS IN$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['claude', 'default', '5h', '[#####...............]', '25%', '3h 10m'],
      ['claude', 'default', '7d', '[################....]', '80%', '6d 2h'],
      ['codex', 'default', 'primary (5h)', '[########............]', '42%', '2h 30m'],
      ['codex', 'default', 'secondary (7d)', '[###.................]', '13%', '4d 1h'],
    ]);

    const json = createTestCli({ env: { SECURITY__AUTH_TOKEN: KEY } });
    expect(await json.run(['status', '--url', running.url, '--json'])).toBe(0);
    expect(JSON.parse(json.stdout()).accounts).toHaveLength(2);

    const keyless = createTestCli();
    expect(await keyless.run(['status', '--url', running.url])).toBe(1);
    expect(keyless.stderr()).toContain('did not share plan usage');
    expect(keyless.stderr()).not.toContain(KEY);
  });

  it('records Copilot quotas from GitHub after the token exchange', async () => {
    servers.upstream = await startFakeUpstream((request) => {
      if (request.path === '/copilot_internal/v2/token')
        return {
          body: {
            token: 'tid=copilot-quota;exp=soon',
            expires_at: Math.floor(Date.now() / 1000) + 1800,
            endpoints: { api: servers.upstream?.url },
          },
        };
      if (request.path === '/copilot_internal/user')
        return {
          body: {
            copilot_plan: 'individual',
            quota_reset_date: '2026-12-31',
            quota_snapshots: {
              chat: { entitlement: 0, percent_remaining: 100, unlimited: true },
              premium_interactions: {
                entitlement: 300,
                remaining: 75,
                percent_remaining: 25,
                unlimited: false,
              },
            },
          },
        };
      if (request.path === '/chat/completions')
        return { body: loadFixtureJson('openai-chat', 'text.expected.json') };
      return { status: 404, body: {} };
    });
    servers.proxy = await startProxy({
      env: {
        GH_TOKEN: 'gho_quotaTestToken0123456789',
        CCPROXY_COPILOT_GITHUB_API_URL: servers.upstream.url,
      },
    });
    await openaiClient(`${servers.proxy.url}/copilot/v1`).chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hi' }],
    });
    // The quota call does not hold up the request: wait for it to land.
    for (
      let attempt = 0;
      attempt < 100 && servers.proxy.composed.planUsage.snapshot().length === 0;
      attempt++
    )
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(servers.proxy.composed.planUsage.snapshot()).toMatchObject([
      {
        provider: 'copilot',
        account: 'default',
        plan: 'individual',
        windows: [
          { name: 'premium_interactions', usedRatio: 0.75, resetsAt: Date.parse('2026-12-31') },
        ],
      },
    ]);
  });
});
