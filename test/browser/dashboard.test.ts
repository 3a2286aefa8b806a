/**
 * The dashboard in Debian's chromium: it loads clean, shows requests made through the proxy by
 * the official SDK as they finish, failures with their error, plan usage, the key form, and it
 * picks the feed up again after the server restarts.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlanUsageStore } from '../../src/server/dashboard/plan-usage.js';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeAnthropicApi } from '../helpers/fake-anthropic.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';
import { launchChromium, type TestBrowser, watchProblems } from './chromium.js';
import { FAILING_MODEL, LIMIT_MESSAGE, startDashboardProxy, startUpstreams } from './setup.js';

let browser: TestBrowser;
let upstream: FakeUpstream;
const proxies: TestProxy[] = [];
const ownUpstreams: FakeUpstream[] = [];
beforeAll(async () => {
  browser = await launchChromium();
  upstream = await startUpstreams();
});
afterAll(async () => {
  await browser?.close();
  await upstream?.close();
});
afterEach(async () => {
  for (const page of browser.context.pages()) await page.close();
  for (const proxy of proxies.splice(0)) await proxy.close();
  for (const own of ownUpstreams.splice(0)) await own.close();
});

async function proxyWith(options: Parameters<typeof startDashboardProxy>[1] = {}) {
  const proxy = await startDashboardProxy(upstream, options);
  proxies.push(proxy);
  return proxy;
}

/** Opens the dashboard and waits until its feed is connected. */
async function openDashboard(url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${url}/dashboard`);
  await page.waitForSelector('#connection.conn-live');
  return page;
}

function chat(url: string, model: string, requestId: string) {
  return openaiClient(`${url}/codex/v1`).chat.completions.create(
    { model, messages: [{ role: 'user', content: 'hi' }] },
    { headers: { 'x-request-id': requestId } },
  );
}

const cell = (page: Page, id: string, field: string) =>
  page.textContent(`tr[data-id="${id}"] [data-field="${field}"]`);

describe('dashboard in chromium', () => {
  it('loads with no console errors and no failed requests', async () => {
    const { url } = await proxyWith();
    const page = await browser.newPage();
    const problems = watchProblems(page);
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`${url}/dashboard`);
    await page.waitForSelector('#connection.conn-live');
    await page.waitForSelector('#health tr[data-provider="codex"]');
    expect(problems.list()).toEqual([]);
    // Everything came from the proxy itself: no CDN, no web fonts.
    expect(requests.every((address) => address.startsWith(url))).toBe(true);
    expect(await page.textContent('#version')).toMatch(/^\d+\.\d+\.\d+/);
    expect(await page.textContent('#plugins')).toContain('dashboard');
    expect(await page.textContent('#health tr[data-provider="codex"] [data-field="state"]')).toBe(
      'present',
    );
    // The token expires in 3 h and is refreshed 300 s (refresh_skew_seconds) before.
    expect(
      await page.textContent('#health tr[data-provider="codex"] [data-field="refresh"]'),
    ).toMatch(/^automatic, in 2 h 5[45] min$/);
  });

  it('shows a request made through the proxy within a second, with its formats, model, status and tokens', async () => {
    const { url } = await proxyWith();
    const page = await openDashboard(url);
    const problems = watchProblems(page);
    await chat(url, 'gpt-5.1-codex', 'req-browser-ok');
    // The promise: it appears within one second of the answer.
    await page.waitForSelector('tr[data-id="req-browser-ok"]', { timeout: 1000 });
    expect(await cell(page, 'req-browser-ok', 'provider')).toBe('codex');
    expect(await cell(page, 'req-browser-ok', 'formats')).toBe('Chat→Responses');
    expect(await cell(page, 'req-browser-ok', 'mode')).toBe('reassemble');
    expect(await cell(page, 'req-browser-ok', 'model')).toBe('gpt-5.1-codex');
    expect(await cell(page, 'req-browser-ok', 'status')).toBe('200');
    expect(await cell(page, 'req-browser-ok', 'input')).toBe('96');
    expect(await cell(page, 'req-browser-ok', 'output')).toBe('412');
    expect(await cell(page, 'req-browser-ok', 'reasoning')).toBe('352');
    expect(await page.textContent('#totals tr[data-provider="codex"] [data-field="output"]')).toBe(
      '412',
    );
    expect(await page.locator('#chart rect[data-provider="codex"]').count()).toBe(1);

    // Filters and pause.
    await page.selectOption('#filter-status', 'failed');
    expect(await page.locator('tr[data-id="req-browser-ok"]').count()).toBe(0);
    await page.selectOption('#filter-status', '');
    await page.fill('#filter-model', 'claude');
    expect(await page.locator('tr[data-id="req-browser-ok"]').count()).toBe(0);
    await page.fill('#filter-model', 'codex');
    expect(await page.locator('tr[data-id="req-browser-ok"]').count()).toBe(1);
    await page.click('#pause');
    await chat(url, 'gpt-5.1-codex', 'req-while-paused');
    // A selector, not a string predicate: Playwright polls a string with eval, which the
    // dashboard's Content-Security-Policy refuses (the check failed whenever it had to poll).
    await page.locator('#pause', { hasText: /^Resume \(1 new\)$/ }).waitFor();
    expect(await page.locator('tr[data-id="req-while-paused"]').count()).toBe(0);
    await page.click('#pause');
    await page.waitForSelector('tr[data-id="req-while-paused"]');
    expect(problems.list()).toEqual([]);
  });

  it('shows a failed upstream as failed, with its error in the detail', async () => {
    const { url } = await proxyWith();
    const page = await openDashboard(url);
    await expect(chat(url, FAILING_MODEL, 'req-browser-failed')).rejects.toMatchObject({
      status: 429,
    });
    await page.waitForSelector('tr[data-id="req-browser-failed"].failed', { timeout: 1000 });
    expect(await cell(page, 'req-browser-failed', 'status')).toMatch(/^429/);
    const code = await cell(page, 'req-browser-failed', 'error-code');
    expect(code).toBeTruthy();
    await page.click('tr[data-id="req-browser-failed"]');
    await page.waitForSelector('#detail:not([hidden])');
    const error = await page.textContent('#detail-error');
    expect(error).toContain(LIMIT_MESSAGE);
    expect(error).toContain(code!);
    await page.selectOption('#filter-status', 'ok');
    expect(await page.locator('tr[data-id="req-browser-failed"]').count()).toBe(0);
  });

  it('shows the request detail with warnings in words and the replay command when capture is on', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'ccproxy-browser-capture-'));
    const { url } = await proxyWith({ config: { capture: { dir } } });
    const page = await openDashboard(url);
    await openaiClient(`${url}/codex/v1`).chat.completions.create(
      {
        model: 'gpt-5.1-codex',
        messages: [{ role: 'user', content: 'hi' }],
        stop: ['END'],
      },
      { headers: { 'x-request-id': 'req-browser-detail' } },
    );
    await page.click('tr[data-id="req-browser-detail"]');
    await page.waitForSelector('#detail:not([hidden])');
    const warnings = await page.textContent('#detail-warnings');
    expect(await cell(page, 'req-browser-detail', 'warnings')).not.toBe('0');
    expect(warnings).toContain('Stop sequences cannot be sent to Responses');
    const command = await page.textContent('#replay-command');
    expect(command).toMatch(
      new RegExp(`^ccproxy replay ${dir}/\\S+-req-browser-detail\\.sse --as chat$`),
    );
  });

  it('shows plan usage bars from the plan-usage source, and "not reported yet" without', async () => {
    const plain = await proxyWith();
    const empty = await openDashboard(plain.url);
    expect(await empty.textContent('#plan-usage')).toContain('Not reported yet');

    const planUsage = createPlanUsageStore();
    const resets = new Date(Date.now() + (2 * 60 + 15) * 60_000).toISOString();
    planUsage.report('codex', 'dev@example.com', [
      { usedRatio: 0.42, windowMinutes: 300, resetsAt: resets },
      { usedRatio: 0.87, windowMinutes: 10080 },
    ]);
    const { url } = await proxyWith({ planUsage });
    const page = await openDashboard(url);
    const account = '[data-provider="codex"][data-account="dev@example.com"]';
    await page.waitForSelector(account);
    expect(await page.textContent(`${account} [data-window="300"] [data-field="percent"]`)).toBe(
      '42%',
    );
    expect(await page.textContent(`${account} [data-window="300"]`)).toMatch(
      /5-hour.*resets in 2 h 1[45] min/,
    );
    expect(await page.textContent(`${account} [data-window="10080"]`)).toMatch(/Weekly.*87%/);
    const width = await page.$eval(
      `${account} [data-window="300"] .bar-fill`,
      (bar) => (bar as unknown as { style: { width: string } }).style.width,
    );
    expect(width).toBe('42%');
    expect(await page.locator('#plan-empty').count()).toBe(0);
  });

  it('shows the plan usage a fake Codex upstream reports in its headers, and which pool account served each request', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    // Half a minute past the shown minute, so the text does not depend on when the page renders.
    const primaryReset = nowSeconds + (2 * 60 + 15) * 60 + 30;
    const secondaryReset = nowSeconds + 3 * 86_400 + 4 * 3600 + 30;
    const tokens = {
      default: accessToken('plan-default', 3600),
      work: accessToken('plan-work', 3600),
    };
    const used = { default: { primary: 42, secondary: 87 }, work: { primary: 17, secondary: 5 } };
    const accountOf = (authorization: unknown) =>
      authorization === `Bearer ${tokens.work}` ? ('work' as const) : ('default' as const);
    const codex = await startFakeUpstream(
      fakeCodexBackend({
        transcript: loadFixtureBytes('openai-responses', 'reasoning.sse'),
        headers: (request) => {
          const account = used[accountOf(request.headers.authorization)];
          return {
            'x-codex-primary-used-percent': String(account.primary),
            'x-codex-primary-window-minutes': '300',
            'x-codex-primary-reset-at': String(primaryReset),
            'x-codex-secondary-used-percent': String(account.secondary),
            'x-codex-secondary-window-minutes': '10080',
            'x-codex-secondary-reset-at': String(secondaryReset),
          };
        },
      }),
    );
    ownUpstreams.push(codex);
    // Two Codex accounts: `default` in CODEX_HOME, `work` as a named account.
    const home = mkdtempSync(join(tmpdir(), 'ccproxy-browser-pool-'));
    const work = createCodexHome({ accessToken: tokens.work });
    const named = join(home, '.local', 'share', 'ccproxy', 'accounts', 'codex');
    mkdirSync(named, { recursive: true });
    writeFileSync(join(named, 'work.json'), JSON.stringify(work.read()), { mode: 0o600 });
    const proxy = await startProxy({
      home,
      config: { plugins: { codex: { accounts: ['default', 'work'] } } },
      env: {
        CODEX_HOME: createCodexHome({ accessToken: tokens.default }).dir,
        CCPROXY_CODEX_BASE_URL: `${codex.url}/backend-api/codex`,
      },
    });
    proxies.push(proxy);
    const page = await openDashboard(proxy.url);
    const problems = watchProblems(page);
    expect(await page.textContent('#plan-usage')).toContain('Not reported yet');

    // No usage known yet: the first account in the configured order answers.
    await chat(proxy.url, 'gpt-5.1-codex', 'req-plan-first');
    const first = '[data-provider="codex"][data-account="default"]';
    // Pushed on the feed: no wait for the page's 15 s snapshot poll.
    await page.waitForSelector(`${first} [data-window="300"]`, { timeout: 2000 });
    expect(await page.textContent(`${first} [data-window="300"] [data-field="percent"]`)).toBe(
      '42%',
    );
    expect(await page.textContent(`${first} [data-window="300"]`)).toMatch(
      /5-hour.*resets in 2 h 1[45] min/,
    );
    expect(await page.textContent(`${first} [data-window="10080"]`)).toMatch(
      /Weekly.*87%.*resets in 3 d 4 h/,
    );
    const width = await page.$eval(
      `${first} [data-window="300"] .bar-fill`,
      (bar) => (bar as unknown as { style: { width: string } }).style.width,
    );
    expect(width).toBe('42%');
    expect(await page.locator('#plan-empty').count()).toBe(0);
    await page.waitForSelector('tr[data-id="req-plan-first"]');
    expect(await cell(page, 'req-plan-first', 'account')).toBe('default');

    // `default` has used 42 %: a new conversation goes to the account with more headroom.
    await openaiClient(`${proxy.url}/codex/v1`).chat.completions.create(
      { model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'another conversation' }] },
      { headers: { 'x-request-id': 'req-plan-second' } },
    );
    const second = '[data-provider="codex"][data-account="work"]';
    await page.waitForSelector(`${second} [data-window="300"]`, { timeout: 2000 });
    expect(await page.textContent(`${second} [data-window="300"] [data-field="percent"]`)).toBe(
      '17%',
    );
    expect(await page.textContent(`${second} [data-window="10080"] [data-field="percent"]`)).toBe(
      '5%',
    );
    await page.waitForSelector('tr[data-id="req-plan-second"]');
    expect(await cell(page, 'req-plan-second', 'account')).toBe('work');
    expect(problems.list()).toEqual([]);
  });

  it('shows the plan usage a fake Anthropic upstream reports in its unified rate-limit headers', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const fiveHourReset = nowSeconds + 47 * 60 + 30;
    const weeklyReset = nowSeconds + 5 * 86_400 + 6 * 3600 + 30;
    const key = 'sk-ant-api03-browser-plan-usage';
    const anthropic = await startFakeUpstream(
      fakeAnthropicApi({
        transcript: 'text',
        auth: { mode: 'api-key', key },
        headers: {
          'anthropic-ratelimit-unified-status': 'allowed',
          'anthropic-ratelimit-unified-5h-status': 'allowed_warning',
          'anthropic-ratelimit-unified-5h-utilization': '0.86',
          'anthropic-ratelimit-unified-5h-reset': String(fiveHourReset),
          'anthropic-ratelimit-unified-7d-status': 'allowed',
          'anthropic-ratelimit-unified-7d-utilization': '0.24',
          'anthropic-ratelimit-unified-7d-reset': String(weeklyReset),
        },
      }),
    );
    ownUpstreams.push(anthropic);
    const proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: anthropic.url, ANTHROPIC_API_KEY: key },
    });
    proxies.push(proxy);
    const page = await openDashboard(proxy.url);
    expect(await page.textContent('#plan-usage')).toContain('Not reported yet');

    await anthropicClient(`${proxy.url}/claude`)
      .messages.stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .finalMessage();
    const account = '[data-provider="claude"][data-account="default"]';
    await page.waitForSelector(`${account} [data-window="300"]`, { timeout: 2000 });
    expect(await page.textContent(`${account} [data-window="300"] [data-field="percent"]`)).toBe(
      '86%',
    );
    expect(await page.textContent(`${account} [data-window="300"]`)).toMatch(
      /5-hour.*resets in 4[67] min/,
    );
    expect(
      await page.$eval(`${account} [data-window="300"] .bar-fill`, (bar) => bar.className),
    ).toContain('high');
    expect(await page.textContent(`${account} [data-window="10080"]`)).toMatch(
      /Weekly.*24%.*resets in 5 d 6 h/,
    );
  });

  it('asks for the key with a form, refuses a wrong one and opens with the right one', async () => {
    const key = 'browser-dash-key-0123456789';
    const { url } = await proxyWith({ env: { SECURITY__AUTH_TOKEN: key } });
    const page = await browser.newPage();
    await page.goto(`${url}/dashboard`);
    await page.waitForSelector('#login-form');
    expect(await page.isVisible('#login-error')).toBe(false);

    await page.fill('#key', 'not-the-key');
    const [refused] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/dashboard/login')),
      page.click('#login-submit'),
    ]);
    expect(refused.status()).toBe(401);
    await page.waitForSelector('#login-error');
    expect(await page.isVisible('#login-error')).toBe(true);
    expect(await browser.context.cookies(`${url}/dashboard`)).toEqual([]);

    await page.fill('#key', key);
    await page.click('#login-submit');
    await page.waitForSelector('#connection.conn-live');
    expect(page.url()).toBe(`${url}/dashboard`);
    const [cookie] = await browser.context.cookies(`${url}/dashboard`);
    expect(cookie).toMatchObject({ name: 'ccproxy_dashboard', httpOnly: true, sameSite: 'Strict' });
    expect(cookie!.value).not.toContain(key);
    expect(await page.evaluate('document.cookie')).toBe('');
    await chat(url, 'gpt-5.1-codex', 'req-behind-key').catch(() => {});
    expect(await page.isVisible('#logout-form')).toBe(true);
    await page.click('#logout-form button');
    await page.waitForSelector('#login-form');
    expect(await browser.context.cookies(`${url}/dashboard`)).toEqual([]);
  });

  it('picks the feed up again after the server restarts', async () => {
    const first = await proxyWith();
    const port = first.server.port;
    const page = await openDashboard(first.url);
    await first.close();
    proxies.splice(proxies.indexOf(first), 1);
    await page.waitForSelector('#connection.conn-reconnecting');
    const second = await proxyWith({ port });
    await page.waitForSelector('#connection.conn-live');
    await chat(second.url, 'gpt-5.1-codex', 'req-after-restart');
    await page.waitForSelector('tr[data-id="req-after-restart"]');
    expect(await cell(page, 'req-after-restart', 'status')).toBe('200');
  });
});

const screenshot = process.env.DASHBOARD_SCREENSHOT;

describe.runIf(screenshot)('README screenshot', () => {
  it('writes the README screenshot', async () => {
    const planUsage = createPlanUsageStore();
    const now = Date.now();
    planUsage.report('codex', 'dev@example.com', [
      { usedRatio: 0.38, windowMinutes: 300, resetsAt: new Date(now + 162 * 60_000).toISOString() },
      {
        usedRatio: 0.71,
        windowMinutes: 10080,
        resetsAt: new Date(now + 3.2 * 86_400_000).toISOString(),
      },
    ]);
    planUsage.report('claude', 'team@example.com', [
      { usedRatio: 0.86, windowMinutes: 300, resetsAt: new Date(now + 47 * 60_000).toISOString() },
      {
        usedRatio: 0.24,
        windowMinutes: 10080,
        resetsAt: new Date(now + 5.6 * 86_400_000).toISOString(),
      },
    ]);
    // The history is made by real requests; a movable clock spreads them over the last hour.
    let offset = 0;
    const { url } = await proxyWith({ planUsage, now: () => Date.now() - offset });
    const codex = openaiClient(`${url}/codex/v1`);
    const claude = anthropicClient(`${url}/claude`);
    const router = openaiClient(`${url}/openrouter/v1`);
    for (let minute = 58; minute >= 0; minute -= 1) {
      offset = minute * 60_000;
      const burst = (minute * 7) % 5;
      for (let i = 0; i < burst; i++) {
        await codex.chat.completions.create({
          model: 'gpt-5.1-codex',
          messages: [{ role: 'user', content: 'hi' }],
        });
      }
      if (minute % 3 === 0) {
        await claude.messages
          .stream({
            model: 'claude-sonnet-4-6',
            max_tokens: 1024,
            messages: [{ role: 'user', content: 'hi' }],
          })
          .finalMessage();
      }
      if (minute % 4 === 1) {
        await router.chat.completions.create({
          model: 'deepseek/deepseek-chat',
          messages: [{ role: 'user', content: 'hi' }],
          stream: false,
        });
      }
      if (minute === 2) await chat(url, FAILING_MODEL, 'req_limited').catch(() => {});
      if (minute === 1) {
        await codex.chat.completions.create({
          model: 'gpt-5.1-codex',
          messages: [{ role: 'user', content: 'hi' }],
          stop: ['END'],
        });
      }
    }
    const page = await openDashboard(url);
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.waitForSelector('#request-rows tr', { state: 'attached' });
    const file = resolve(screenshot!);
    mkdirSync(dirname(file), { recursive: true });
    await page.screenshot({ path: file, fullPage: false });
  });
});
