/** The dashboard plugin over real sockets: access rules, security headers, the feed's cost. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { type StartProxyOptions, startProxy, type TestProxy } from '../helpers/proxy.js';
import { openaiClient } from '../helpers/sdk-clients.js';

let upstream: FakeUpstream | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  proxy = undefined;
  upstream = undefined;
});

async function start(
  options: StartProxyOptions = {},
  upstreamHeaders: Record<string, string> = {},
): Promise<TestProxy> {
  upstream = await startFakeUpstream(
    fakeCodexBackend({
      transcript: loadFixtureBytes('openai-responses', 'reasoning.sse'),
      headers: upstreamHeaders,
    }),
  );
  proxy = await startProxy({
    ...options,
    env: {
      CODEX_HOME: createCodexHome({ accessToken: accessToken('dash', 3600) }).dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
      ...options.env,
    },
  });
  return proxy;
}

/** A GET with a chosen Host header (fetch does not let one set it). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function chat(baseURL: string, apiKey = 'test-key'): Promise<void> {
  await openaiClient(`${baseURL}/codex/v1`, apiKey).chat.completions.create({
    model: 'gpt-5.1-codex',
    messages: [{ role: 'user', content: 'hi' }],
  });
}

describe('dashboard on a keyless loopback server', () => {
  it('serves the page and its assets with a strict CSP and no inline script or style', async () => {
    const { url } = await start();
    const page = await fetch(`${url}/dashboard`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    // Every script is a file; no style attributes or blocks; nothing from another origin.
    expect(html).toMatch(/<script type="module" src="\/dashboard\/assets\/dashboard\.js">/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/https?:\/\//);
    for (const [asset, type] of [
      ['dashboard.js', 'text/javascript'],
      ['dashboard.css', 'text/css'],
      ['favicon.svg', 'image/svg+xml'],
    ]) {
      const response = await fetch(`${url}/dashboard/assets/${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect(response.headers.get('content-security-policy')).toBe(csp);
    }
    expect((await fetch(`${url}/dashboard/assets/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${url}/dashboard/assets/index.ts`)).status).toBe(404);
  });

  it('refuses a Host that is not a loopback name (DNS rebinding)', async () => {
    const { url, server } = await start();
    const port = server.port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) {
      expect((await get(`${url}/dashboard/api/snapshot`, { host })).status).toBe(200);
    }
    for (const host of [
      `evil.example:${port}`,
      'attacker.test',
      `127.0.0.1.evil.example:${port}`,
    ]) {
      // The server-wide Host guard answers first (421); the dashboard's own check stays behind it.
      const response = await get(`${url}/dashboard`, { host });
      expect(response.status).toBe(421);
      expect((await get(`${url}/dashboard/api/events`, { host })).status).toBe(421);
    }
  });

  it('publishes nothing while nobody watches, and each request once while a dashboard is connected', async () => {
    const { url, composed } = await start();
    const feed = composed.dashboard!;
    await chat(url);
    await chat(url);
    await expect.poll(() => feed.recent().length).toBe(2);
    expect(feed.subscribers()).toBe(0);
    expect(feed.published()).toBe(0);

    const abort = new AbortController();
    const events = await fetch(`${url}/dashboard/api/events`, { signal: abort.signal });
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    expect(events.headers.get('content-security-policy')).toContain("default-src 'self'");
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: hello')) text += (await reader.read()).value ?? '';
    expect(feed.subscribers()).toBe(1);

    await chat(url);
    while (!text.includes('event: request')) text += (await reader.read()).value ?? '';
    const data = /event: request\ndata: (.*)\n/.exec(text)![1]!;
    const record = JSON.parse(data) as Record<string, unknown>;
    expect(record).toMatchObject({
      provider: 'codex',
      clientFormat: 'openai-chat',
      upstreamFormat: 'openai-responses',
      mode: 'reassemble',
      model: 'gpt-5.1-codex',
      status: 200,
      inputTokens: 96,
      outputTokens: 412,
      reasoningTokens: 352,
    });
    expect(feed.published()).toBe(1);
    abort.abort();
    await expect.poll(() => feed.subscribers()).toBe(0);

    const snapshot = (await (await fetch(`${url}/dashboard/api/snapshot`)).json()) as {
      requests: unknown[];
      usage: { totals: Record<string, { requests: number; inputTokens: number }> };
      planUsage: unknown[];
    };
    expect(snapshot.requests).toHaveLength(3);
    expect(snapshot.usage.totals.codex).toMatchObject({ requests: 3, inputTokens: 3 * 96 });
    expect(snapshot.planUsage).toEqual([]);
  });

  it('pushes plan usage to connected dashboards as a usage event when an answer reports it', async () => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const { url, composed } = await start(
      {},
      {
        'x-codex-primary-used-percent': '42',
        'x-codex-primary-window-minutes': '300',
        'x-codex-primary-reset-at': String(reset),
      },
    );
    const abort = new AbortController();
    const events = await fetch(`${url}/dashboard/api/events`, { signal: abort.signal });
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('event: hello')) text += (await reader.read()).value ?? '';
    expect(composed.dashboard!.subscribers()).toBe(1);

    await chat(url);
    while (!/event: usage\ndata: .*\n\n/.test(text)) text += (await reader.read()).value ?? '';
    const data = /event: usage\ndata: (.*)\n/.exec(text)![1]!;
    expect(JSON.parse(data)).toMatchObject({
      now: expect.any(String),
      planUsage: [
        {
          provider: 'codex',
          account: 'default',
          windows: [
            { usedRatio: 0.42, windowMinutes: 300, resetsAt: new Date(reset * 1000).toISOString() },
          ],
        },
      ],
    });
    abort.abort();
  });

  it('keeps its own requests out of the feed and the access log', async () => {
    const { url, composed } = await start();
    await fetch(`${url}/dashboard`).then((r) => r.text());
    await fetch(`${url}/dashboard/api/snapshot`).then((r) => r.text());
    await chat(url);
    await expect.poll(() => composed.dashboard!.recent().length).toBe(1);
    expect(composed.dashboard!.recent()[0]!.path).toBe('/codex/v1/chat/completions');
    const paths = proxy!
      .logs()
      .filter((line) => line.msg === 'access')
      .map((line) => (line.access as { path: string }).path);
    expect(paths).not.toContain('/dashboard');
  });

  it('names the capture files and the replay command when capture is on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccproxy-dash-capture-'));
    const { url, composed } = await start({ config: { capture: { dir } } });
    await chat(url);
    await expect.poll(() => composed.dashboard!.recent().length).toBe(1);
    const [request] = composed.dashboard!.recent();
    expect(request!.capture).toMatch(new RegExp(`^${dir}/\\d{8}T\\d{6}\\.\\d{3}Z-`));
    expect(request!.replay).toBe(`ccproxy replay ${request!.capture}.sse --as chat`);
    await expect
      .poll(() => readdirSync(dir).sort())
      .toEqual([
        `${request!.capture!.slice(dir.length + 1)}.json`,
        `${request!.capture!.slice(dir.length + 1)}.sse`,
      ]);
  });

  it('is gone with --disable-plugin dashboard', async () => {
    const { url, composed } = await start({ pluginFlags: { disable: ['dashboard'] } });
    expect(composed.dashboard).toBeUndefined();
    expect(composed.plugins).not.toContain('dashboard');
    expect((await fetch(`${url}/dashboard`)).status).toBe(404);
    expect((await fetch(`${url}/dashboard/api/events`)).status).toBe(404);
  });
});

describe('dashboard with an access key', () => {
  const KEY = 'dash-key-0123456789abcdef';
  const keyed = () => start({ env: { SECURITY__AUTH_TOKEN: KEY } });

  it('shows the login form without the key and refuses the API', async () => {
    const { url } = await keyed();
    const page = await fetch(`${url}/dashboard`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('action="/dashboard/login"');
    expect(html).toContain('<p id="login-error" hidden>');
    expect((await fetch(`${url}/dashboard/api/snapshot`)).status).toBe(401);
    expect((await fetch(`${url}/dashboard/api/events`)).status).toBe(401);
    // The key in the URL is never taken.
    expect((await fetch(`${url}/dashboard/api/snapshot?key=${KEY}`)).status).toBe(401);
    expect((await fetch(`${url}/dashboard/api/snapshot?access_token=${KEY}`)).status).toBe(401);
    // Assets carry no secrets; the login page needs them.
    expect((await fetch(`${url}/dashboard/assets/dashboard.css`)).status).toBe(200);
  });

  it('takes the key in a header', async () => {
    const { url } = await keyed();
    const bearer = await fetch(`${url}/dashboard/api/snapshot`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(bearer.status).toBe(200);
    expect(((await bearer.json()) as { auth: string }).auth).toBe('key');
    const apiKey = await fetch(`${url}/dashboard/api/snapshot`, { headers: { 'x-api-key': KEY } });
    expect(apiKey.status).toBe(200);
    const wrong = await fetch(`${url}/dashboard/api/snapshot`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
  });

  it('logs in with the form: an HttpOnly SameSite=Strict cookie that opens the dashboard only', async () => {
    const { url } = await keyed();
    const login = (key: string, headers: Record<string, string> = {}) =>
      fetch(`${url}/dashboard/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ key }).toString(),
      });
    const wrong = await login('not-the-key');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('<p id="login-error">');

    for (const origin of ['https://evil.example', 'null', 'not a url']) {
      const crossSite = await login(KEY, { origin });
      expect(crossSite.status).toBe(403);
      expect(crossSite.headers.get('set-cookie')).toBeNull();
    }

    const right = await login(KEY);
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/dashboard');
    const cookie = right.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^ccproxy_dashboard=[A-Za-z0-9_-]+; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/dashboard');
    expect(cookie).not.toContain(KEY);
    const session = cookie.split(';')[0]!;

    const snapshot = await fetch(`${url}/dashboard/api/snapshot`, { headers: { cookie: session } });
    expect(snapshot.status).toBe(200);
    const page = await (await fetch(`${url}/dashboard`, { headers: { cookie: session } })).text();
    expect(page).toContain('id="request-rows"');
    // The cookie is not a key for the proxy's API.
    const api = await fetch(`${url}/codex/v1/models`, { headers: { cookie: session } });
    expect(api.status).toBe(401);
    // A forged cookie is refused.
    const forged = await fetch(`${url}/dashboard/api/snapshot`, {
      headers: { cookie: 'ccproxy_dashboard=AAAA' },
    });
    expect(forged.status).toBe(401);

    const logout = await fetch(`${url}/dashboard/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session },
    });
    expect(logout.headers.get('set-cookie')).toContain('Max-Age=0');
  });

  it('still asks for the key on the API routes, and for the dashboard when the plugin is off', async () => {
    await upstream?.close();
    const { url } = await start({
      env: { SECURITY__AUTH_TOKEN: KEY },
      pluginFlags: { disable: ['dashboard'] },
    });
    expect((await fetch(`${url}/dashboard`)).status).toBe(401);
    await expect(chat(url, 'wrong')).rejects.toMatchObject({ status: 401 });
    await chat(url, KEY);
  });
});
