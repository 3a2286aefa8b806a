/**
 * What a web page can make a browser do against a local proxy: cross-site requests (Origin),
 * DNS rebinding (Host), and reading `/health`; each is refused in the client's format before
 * anything goes upstream.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { openaiClient } from '../helpers/sdk-clients.js';

const KEY = 'proxy-key-web-guards-0123456789';
let upstream: FakeUpstream;
let open: TestProxy;
let keyed: TestProxy;
let home: ReturnType<typeof createCodexHome>;

function codexEnv(): Record<string, string> {
  return {
    CODEX_HOME: home.dir,
    CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
    CCPROXY_CLAUDE_BASE_URL: upstream.url,
    ANTHROPIC_API_KEY: 'sk-ant-web-guards-test',
  };
}

beforeAll(async () => {
  upstream = await startFakeUpstream(
    fakeCodexBackend({ transcript: loadFixtureBytes('openai-responses', 'text.sse') }),
  );
  home = createCodexHome({ accessToken: accessToken('guards', 3600) });
  open = await startProxy({
    env: codexEnv(),
    config: {
      server: { allowed_hosts: ['proxy.internal'] },
      security: { allowed_origins: ['https://app.example.com'] },
    },
  });
  keyed = await startProxy({ env: { ...codexEnv(), SECURITY__AUTH_TOKEN: KEY } });
});
afterAll(async () => {
  await open.close();
  await keyed.close();
  await upstream.close();
});

const CHAT_BODY = JSON.stringify({
  model: 'gpt-5.1-codex',
  messages: [{ role: 'user', content: 'spend my subscription' }],
});

/** A raw HTTP request, so that `Host` can be anything (fetch sets it from the URL). */
function raw(
  base: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

describe('cross-site requests (Origin)', () => {
  it('a simple cross-site POST is 403 in the client’s format and never reaches the upstream', async () => {
    const before = upstream.requests.length;
    const chat = await fetch(`${open.url}/codex/v1/chat/completions`, {
      method: 'POST',
      // text/plain: a "simple" request a page can send without a preflight.
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: CHAT_BODY,
    });
    expect(chat.status).toBe(403);
    expect(chat.headers.get('access-control-allow-origin')).toBeNull();
    expect(await chat.json()).toMatchObject({
      error: { type: 'permission_error', message: expect.stringContaining('https://evil.example') },
    });
    const messages = await fetch(`${open.url}/codex/v1/messages`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: JSON.stringify({
        model: 'm',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    expect(messages.status).toBe(403);
    expect(await messages.json()).toMatchObject({
      type: 'error',
      error: { type: 'permission_error' },
    });
    const health = await fetch(`${open.url}/health`, { headers: { origin: 'null' } });
    expect(health.status).toBe(403);
    expect(upstream.requests.length).toBe(before);
  });

  it('requests without Origin (CLIs, SDKs) and from loopback or configured origins are served', async () => {
    const client = openaiClient(`${open.url}/codex/v1`);
    const completion = await client.chat.completions.create({
      model: 'gpt-5.1-codex',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]!.message.content).toBeTruthy();
    for (const origin of [
      'http://localhost:5173',
      'http://127.0.0.1:3000',
      'http://[::1]:8080',
      'https://app.example.com',
    ]) {
      const response = await fetch(`${open.url}/codex/v1/chat/completions`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: CHAT_BODY,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
      await response.arrayBuffer();
    }
  });

  it('the CORS preflight is answered for allowed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${open.url}/codex/v1/chat/completions`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type, x-stainless-os',
        },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    // DELETE /<provider>/v1/responses/{id} is one of the routes a page may call.
    expect(allowed.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(allowed.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type, x-stainless-os',
    );
    const loopback = await preflight('http://localhost:3000');
    expect(loopback.status).toBe(204);
    const refused = await preflight('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('the preflight needs no access key, the request that follows does', async () => {
    const preflight = await fetch(`${keyed.url}/codex/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    const unauthenticated = await fetch(`${keyed.url}/codex/v1/chat/completions`, {
      method: 'POST',
      headers: { origin: 'http://localhost:3000', 'content-type': 'application/json' },
      body: CHAT_BODY,
    });
    expect(unauthenticated.status).toBe(401);
  });
});

describe('DNS rebinding (Host)', () => {
  const ROUTES: Array<[string, string]> = [
    ['GET', '/health'],
    ['GET', '/metrics'],
    ['POST', '/codex/v1/chat/completions'],
    ['POST', '/codex/v1/responses'],
    ['POST', '/codex/v1/messages'],
    ['POST', '/codex/v1/messages/count_tokens'],
    ['GET', '/codex/v1/models'],
    ['POST', '/claude/v1/messages'],
    ['OPTIONS', '/codex/v1/chat/completions'],
    ['GET', '/no/such/route'],
  ];

  it.each(ROUTES)('%s %s is refused with 421 for a foreign Host', async (method, path) => {
    const port = new URL(open.url).port;
    const before = upstream.requests.length;
    for (const host of [`evil.example:${port}`, 'evil.example', `localhost.evil.example:${port}`]) {
      const response = await raw(open.url, {
        method,
        path,
        headers: { host, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: CHAT_BODY } : {}),
      });
      expect(response.status).toBe(421);
      const body = JSON.parse(response.body) as Record<string, unknown>;
      expect(JSON.stringify(body)).toContain('permission_error');
      expect(JSON.stringify(body)).not.toContain('dev@example.com');
    }
    expect(upstream.requests.length).toBe(before);
  });

  it('loopback names with the bound port, and configured names, are served', async () => {
    const port = new URL(open.url).port;
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'localhost',
      `proxy.internal:${port}`,
      'proxy.internal',
    ]) {
      const response = await raw(open.url, { path: '/health', headers: { host } });
      expect(response.status).toBe(200);
    }
    const otherPort = await raw(open.url, { path: '/health', headers: { host: 'localhost:1' } });
    expect(otherPort.status).toBe(421);
  });
});

describe('/health', () => {
  it('on a keyless loopback server, shows accounts to loopback requests', async () => {
    const health = (await (await fetch(`${open.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', providers: { codex: expect.any(Object) } });
  });

  it('with a key: status, version and plugins only without it; accounts with it', async () => {
    const anonymous = (await (await fetch(`${keyed.url}/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(Object.keys(anonymous).sort()).toEqual(['plugins', 'status', 'version']);
    const text = JSON.stringify(anonymous);
    expect(text).not.toContain('dev@example.com');
    expect(text).not.toContain(home.dir);
    const wrongKey = (await (
      await fetch(`${keyed.url}/health`, { headers: { authorization: 'Bearer not-the-key' } })
    ).json()) as Record<string, unknown>;
    expect(wrongKey.providers).toBeUndefined();
    const authorized = (await (
      await fetch(`${keyed.url}/health`, { headers: { 'x-api-key': KEY } })
    ).json()) as Record<string, unknown>;
    expect(authorized).toMatchObject({ status: 'ok', providers: { codex: expect.any(Object) } });
  });
});
