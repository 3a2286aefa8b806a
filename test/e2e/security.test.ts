/** The proxy's own protections: the access key on every route but /health, limits, secrets. */
import { chmodSync, mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { anthropicClient } from '../helpers/sdk-clients.js';
import { runCli, startServe } from '../helpers/spawn-cli.js';

const KEY = 'proxy-key-security-0123456789';
let upstream: FakeUpstream;
let proxy: TestProxy;
beforeAll(async () => {
  upstream = await startFakeUpstream(
    fakeCodexBackend({ transcript: loadFixtureBytes('openai-responses', 'text.sse') }),
  );
  const home = createCodexHome({ accessToken: accessToken('sec', 3600) });
  chmodSync(home.authFile, 0o644);
  proxy = await startProxy({
    env: {
      CODEX_HOME: home.dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
      CCPROXY_CLAUDE_BASE_URL: upstream.url,
      ANTHROPIC_API_KEY: 'sk-ant-sec-test',
      GH_TOKEN: 'gho_securityTestToken0000',
      CCPROXY_COPILOT_GITHUB_API_URL: upstream.url,
      SECURITY__AUTH_TOKEN: KEY,
      SERVER__MAX_BODY_BYTES: '20000',
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

const ROUTES: Array<[string, string]> = [
  ['POST', '/codex/v1/chat/completions'],
  ['POST', '/codex/v1/responses'],
  ['POST', '/codex/v1/messages'],
  ['POST', '/codex/v1/messages/count_tokens'],
  ['GET', '/codex/v1/models'],
  ['POST', '/codex/sess-1/v1/messages'],
  ['POST', '/codex/responses'],
  ['POST', '/claude/v1/messages'],
  ['GET', '/claude/v1/models'],
  ['POST', '/copilot/v1/chat/completions'],
  ['GET', '/copilot/v1/models'],
  ['GET', '/metrics'],
  ['GET', '/no/such/route'],
];

function call(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return fetch(`${proxy.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(method === 'POST' ? { body: body ?? '{}' } : {}),
  });
}

describe('the access key', () => {
  it.each(ROUTES)(
    '%s %s needs it: 401 in the client’s format without it or with a wrong one',
    async (method, path) => {
      const attempts: Array<Record<string, string>> = [
        {},
        { authorization: 'Bearer wrong-key' },
        { 'x-api-key': 'wrong-key' },
      ];
      for (const headers of attempts) {
        const response = await call(method, path, headers);
        expect(response.status).toBe(401);
        const body = (await response.json()) as Record<string, unknown>;
        if (path.includes('/messages'))
          expect(body).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
        else expect(body).toMatchObject({ error: { type: 'authentication_error' } });
      }
      expect(upstream.requests).toHaveLength(0);
    },
  );

  it('is accepted as a Bearer token or as x-api-key, and never forwarded upstream', async () => {
    expect((await call('GET', '/codex/v1/models', { authorization: `Bearer ${KEY}` })).status).toBe(
      200,
    );
    expect((await call('GET', '/codex/v1/models', { 'x-api-key': KEY })).status).toBe(200);
    const message = await anthropicClient(`${proxy.url}/codex`, KEY).messages.create({
      model: 'gpt-5.1-codex',
      max_tokens: 20,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const sent = upstream.requests.at(-1)!;
    expect(JSON.stringify(sent.headers)).not.toContain(KEY);
    expect(sent.headers['x-api-key']).toBeUndefined();
  });

  it('/health needs no key and shows no secret', async () => {
    const response = await call('GET', '/health');
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const secret of [KEY, 'sk-ant-sec-test', 'gho_securityTestToken0000'])
      expect(text).not.toContain(secret);
  });
});

describe('limits', () => {
  it('a body over the limit gets 413 in the client’s format', async () => {
    const big = JSON.stringify({
      model: 'm',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x'.repeat(30_000) }],
    });
    const anthropic = await call('POST', '/codex/v1/messages', { 'x-api-key': KEY }, big);
    expect(anthropic.status).toBe(413);
    expect(await anthropic.json()).toMatchObject({
      type: 'error',
      error: { type: 'request_too_large' },
    });
    const chat = await call('POST', '/codex/v1/chat/completions', { 'x-api-key': KEY }, big);
    expect(chat.status).toBe(413);
    expect(await chat.json()).toMatchObject({
      error: { message: expect.stringContaining('larger than 20000 bytes') },
    });
  });

  it('JSON nested too deep is 400, invalid JSON is 400', async () => {
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
    const response = await call(
      'POST',
      '/codex/v1/chat/completions',
      { 'x-api-key': KEY },
      `{"model":"m","messages":${deep}}`,
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /nests deeper than 128/,
    );
  });

  it('oversized headers are refused', async () => {
    const url = new URL(proxy.url);
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: '/health',
          headers: { 'x-filler': 'x'.repeat(70_000) },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(431);
  });
});

describe('the access key rule', () => {
  it('refuses to start with an empty key or one under 16 characters, saying why', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ccproxy-key-rule-'));
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd') };
    for (const key of ['', 'short-key']) {
      const refused = await runCli(
        ['serve', '--host', '0.0.0.0', '--port', '0', '--auth-token', key],
        env,
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /security\.auth_token.*at least 16 characters.*config generate-token.*--auth-token/s,
      );
    }
    const fromEnv = await runCli(['serve', '--port', '0'], { ...env, SECURITY__AUTH_TOKEN: '' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('SECURITY__AUTH_TOKEN');
  });
});

describe('credential files and binding', () => {
  it('warns about a credentials file other users can read', async () => {
    await call(
      'POST',
      '/codex/v1/responses',
      { 'x-api-key': KEY },
      JSON.stringify({ model: 'm', input: 'hi' }),
    );
    expect(
      proxy
        .logs()
        .some((l) => l.msg === 'credentials file is readable by other users; run chmod 600 on it'),
    ).toBe(true);
  });

  it('listens beyond loopback only with a key, or with --allow-unauthenticated (warning)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ccproxy-bind-'));
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd') };
    const refused = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], env);
    expect(refused.code).toBe(2);
    const keyed = await startServe(['--host', '0.0.0.0', '--port', '0', '--auth-token', KEY], env);
    expect(keyed.stderr()).not.toContain('WITHOUT an access key');
    expect(await keyed.stop()).toBe(0);
    const open = await startServe(
      ['--host', '0.0.0.0', '--port', '0', '--allow-unauthenticated'],
      env,
    );
    expect(open.stderr()).toContain('WITHOUT an access key');
    expect(await open.stop()).toBe(0);
  });
});
