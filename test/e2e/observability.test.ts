/** Logs, the access log and metrics, asserted after real requests through the server. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { accessLine, startProxy, type TestProxy } from '../helpers/proxy.js';

let upstream: FakeUpstream;
let proxy: TestProxy;
let accessFile: string;
beforeAll(async () => {
  upstream = await startFakeUpstream(
    fakeCodexBackend({
      transcript: loadFixtureBytes('openai-responses', 'codex-output-missing.sse'),
    }),
  );
  accessFile = join(mkdtempSync(join(tmpdir(), 'ccproxy-access-')), 'access.jsonl');
  proxy = await startProxy({
    config: { plugins: { access_log: { file: accessFile } } },
    env: {
      CODEX_HOME: createCodexHome({ accessToken: accessToken('obs', 3600) }).dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
    },
  });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${proxy.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('logs and the access log', () => {
  it('take the client’s x-request-id, return it, and put it on every line of the request', async () => {
    const response = await post(
      '/codex/v1/chat/completions',
      { model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hi' }] },
      { 'x-request-id': 'req-from-client-1' },
    );
    expect(response.headers.get('x-request-id')).toBe('req-from-client-1');
    await response.text();
    const lines = proxy.logs().filter((l) => l.request_id === 'req-from-client-1');
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['request', 'upstream request', 'upstream response', 'access']),
    );
    const generated = await post('/codex/v1/responses', { model: 'gpt-5.1-codex', input: 'hi' });
    expect(generated.headers.get('x-request-id')).toMatch(/^req_[A-Za-z0-9]{20}$/);
  });

  it('write one access line per request when its body ends, with every field', async () => {
    const response = await post(
      '/codex/v1/messages',
      {
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      },
      { 'x-request-id': 'req-stream-1' },
    );
    await response.text();
    const access = await accessLine(proxy, 'req-stream-1');
    expect(access).toMatchObject({
      method: 'POST',
      route: '/codex/v1/messages',
      client_format: 'anthropic-messages',
      provider: 'codex',
      upstream_format: 'openai-responses',
      model: 'claude-sonnet-4-6',
      upstream_model: 'gpt-5.6-sol',
      stream: true,
      mode: 'translate',
      status: 200,
      finish_reason: 'tool-calls',
      input_tokens: 2259,
      output_tokens: 187,
      cached_tokens: 2176,
      reasoning_tokens: 64,
      unknown_events: 0,
    });
    expect(access.ttfb_ms).toEqual(expect.any(Number));
    expect(access.duration_ms).toEqual(expect.any(Number));
    expect(access.duration_ms as number).toBeGreaterThanOrEqual(access.ttfb_ms as number);
    expect(access.warnings).toEqual(expect.any(Number));
    // The file is appended asynchronously: wait for the line.
    let fileLine: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !fileLine; i++) {
      const lines = readFileSync(accessFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '');
      fileLine = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line.request_id === 'req-stream-1');
      if (!fileLine) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(fileLine).toMatchObject({
      route: '/codex/v1/messages',
      status: 200,
      output_tokens: 187,
    });
  });

  it('write one access line for each of many requests answered in the same turn', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `req-burst-${i}`);
    // Answered together, so several end in one turn of the event loop and are logged together.
    const responses = await Promise.all(
      ids.map((id) =>
        post(
          '/codex/v1/chat/completions',
          { model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hi' }] },
          { 'x-request-id': id },
        ),
      ),
    );
    await Promise.all(responses.map((response) => response.text()));
    for (const id of ids) {
      expect(await accessLine(proxy, id)).toMatchObject({ request_id: id, status: 200 });
    }
    const lines = proxy
      .logs()
      .filter((l) => l.msg === 'access' && ids.includes(String(l.request_id)));
    expect(lines).toHaveLength(ids.length);
  });

  it('scrub what the client sent (request id, model) in the access line and the access file', async () => {
    const key = 'sk-ant-api03-leakedKeyValue1234';
    const response = await post(
      '/codex/v1/chat/completions',
      { model: `gpt-5.1-codex ${key}`, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-request-id': `req-leak-${key}` },
    );
    await response.text();
    let logged: Record<string, unknown> | undefined;
    let fileLine: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !(logged && fileLine); i++) {
      const isLeakLine = (line: Record<string, unknown>) =>
        String(line.request_id ?? '').startsWith('req-leak-');
      logged = proxy
        .logs()
        .find((l) => l.msg === 'access' && isLeakLine(l.access as Record<string, unknown>));
      fileLine = readFileSync(accessFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find(isLeakLine);
      if (!(logged && fileLine)) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const line of [logged?.access, fileLine]) {
      expect(line).toMatchObject({ request_id: 'req-leak-[REDACTED]' });
      expect(JSON.stringify(line)).not.toContain('leakedKeyValue');
    }
  });

  it('carry conversion warnings: logged with their path, and counted in the access line', async () => {
    // Responses has no stop sequences: converting a Chat request for Codex drops them, and says so.
    const response = await post(
      '/codex/v1/chat/completions',
      { model: 'gpt-5.1-codex', stop: ['END'], messages: [{ role: 'user', content: 'hi' }] },
      { 'x-request-id': 'req-warn-1' },
    );
    expect(response.status).toBe(200);
    await response.text();
    const access = await accessLine(proxy, 'req-warn-1');
    const logged = proxy
      .logs()
      .find((l) => l.request_id === 'req-warn-1' && l.msg === 'conversion warnings');
    expect(logged?.level).toBe('warn');
    const warnings = logged?.warnings as string[] | undefined;
    expect(warnings).toEqual(
      expect.arrayContaining(['stop: Stop sequences cannot be sent to Responses']),
    );
    expect(access.warnings).toBe(warnings?.length);
  });

  it('record errors with their code', async () => {
    const response = await post(
      '/codex/v1/chat/completions',
      { model: 'gpt-5.1-codex' },
      { 'x-request-id': 'req-bad-1' },
    );
    expect(response.status).toBe(400);
    expect(await accessLine(proxy, 'req-bad-1')).toMatchObject({
      status: 400,
      error_code: 'invalid_request',
    });
  });
});

describe('metrics', () => {
  it('count requests, tokens and time to first byte, and return the in-flight gauge to zero', async () => {
    await (
      await post('/codex/v1/responses', { model: 'gpt-5.1-codex', input: 'hi', stream: true })
    ).text();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
    expect(metrics).toMatch(
      /proxy_requests_total\{route="\/codex\/v1\/responses",provider="codex",client_format="openai-responses",status="200"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /proxy_requests_total\{route="\/codex\/v1\/chat\/completions",provider="codex",client_format="openai-chat",status="400"\} 1/,
    );
    expect(metrics).toMatch(/proxy_tokens_total\{provider="codex",direction="output"\} \d{3,}/);
    expect(metrics).toMatch(/proxy_tokens_total\{provider="codex",direction="reasoning"\} \d+/);
    expect(metrics).toMatch(
      /proxy_time_to_first_byte_seconds_count\{route="\/codex\/v1\/responses",provider="codex",stream="true"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /proxy_request_duration_seconds_bucket\{le="\+Inf",route="\/codex\/v1\/messages",provider="codex",stream="true"\} 1/,
    );
    expect(metrics).toMatch(/proxy_in_flight_streams\{provider="codex"\} 0/);
  });
});
