/** Capture and replay: a request's upstream stream, captured by the server, replays to the answer the client got. */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestCli } from '../helpers/cli.js';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { closeServersAfterEach } from '../helpers/servers.js';

const servers = closeServersAfterEach();

const transcript = loadFixtureBytes('openai-responses', 'codex-output-missing.sse');
const token = accessToken('capture-secret', 3600);

async function setup(extra: Record<string, unknown> = {}) {
  servers.upstream = await startFakeUpstream(fakeCodexBackend({ transcript, seed: 21 }));
  const dir = mkdtempSync(join(tmpdir(), 'ccproxy-capture-'));
  const home = createCodexHome({ accessToken: token });
  servers.proxy = await startProxy({
    config: { capture: { dir, ...extra } },
    env: {
      CODEX_HOME: home.dir,
      CCPROXY_CODEX_BASE_URL: `${servers.upstream.url}/backend-api/codex`,
      SECURITY__AUTH_TOKEN: 'proxy-key-for-capture',
    },
  });
  return { dir, running: servers.proxy };
}

async function post(url: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer proxy-key-for-capture' },
    body: JSON.stringify(body),
  });
}

async function pairs(dir: string, running: TestProxy, count: number): Promise<string[]> {
  await running.close();
  servers.proxy = undefined;
  const names = readdirSync(dir).sort();
  expect(names).toHaveLength(count * 2);
  return names.filter((name) => name.endsWith('.sse')).map((name) => join(dir, name));
}

describe('capture', () => {
  it('writes the raw upstream bytes and a redacted sidecar, mode 0600; replay gives the same body', async () => {
    const { dir, running } = await setup();
    const response = await post(running.url, '/codex/v1/chat/completions', {
      model: 'gpt-5.1-codex',
      messages: [{ role: 'user', content: 'Why does the test fail?' }],
    });
    const clientBody = await response.json();
    const [sse] = await pairs(dir, running, 1);
    expect(readFileSync(sse!)).toEqual(transcript);
    expect(statSync(sse!).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const sidecar = JSON.parse(readFileSync(sse!.replace(/\.sse$/, '.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(sidecar).toMatchObject({
      version: 1,
      route: '/codex/v1/chat/completions',
      client_format: 'openai-chat',
      provider: 'codex',
      upstream_format: 'openai-responses',
      model: 'gpt-5.1-codex',
      mode: 'reassemble',
      status: 200,
      usage: { inputTokens: 2259, outputTokens: 187 },
      request: { headers: { authorization: '[REDACTED]' }, body: { model: 'gpt-5.1-codex' } },
      response: { body: clientBody },
    });
    const text = readFileSync(sse!.replace(/\.sse$/, '.json'), 'utf8');
    expect(text).not.toContain('proxy-key-for-capture');
    expect(text).not.toContain(token);

    const cli = createTestCli();
    expect(await cli.run(['replay', sse!, '--as', 'chat'])).toBe(0);
    expect(JSON.parse(cli.stdout())).toEqual(clientBody);
    expect(cli.stderr()).toMatch(/replay: openai-responses stream \(\d+ bytes\) as openai-chat/);
  });

  it('a streamed answer replays to the same events', async () => {
    const { dir, running } = await setup();
    const response = await post(running.url, '/codex/v1/messages', {
      model: 'gpt-5.1-codex',
      max_tokens: 500,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const streamed = await response.text();
    const [sse] = await pairs(dir, running, 1);
    const sidecar = JSON.parse(readFileSync(sse!.replace(/\.sse$/, '.json'), 'utf8')) as {
      response: { text: string };
    };
    expect(sidecar.response.text).toBe(streamed);
    const cli = createTestCli();
    expect(await cli.run(['replay', sse!, '--as', 'messages', '--stream'])).toBe(0);
    const events = (text: string) => text.split('\n\n').filter((block) => block.trim() !== '');
    expect(events(cli.stdout())).toEqual(events(streamed));
  });

  it('keeps at most max_files requests, dropping the oldest', async () => {
    const { dir, running } = await setup({ max_files: 2 });
    for (let i = 0; i < 4; i++) {
      const response = await post(running.url, '/codex/v1/responses', {
        model: 'gpt-5.1-codex',
        input: `question ${i}`,
      });
      await response.text();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const kept = await pairs(dir, running, 2);
    const inputs = kept.map((file) => {
      const sidecar = JSON.parse(readFileSync(file.replace(/\.sse$/, '.json'), 'utf8')) as {
        request: { body: { input: string } };
      };
      return sidecar.request.body.input;
    });
    expect(inputs).toEqual(['question 2', 'question 3']);
  });

  it('records failed requests too', async () => {
    const { dir, running } = await setup();
    servers.upstream!.handle(() => ({
      status: 429,
      headers: { 'retry-after': '9' },
      body: { error: { message: 'slow down', type: 'rate_limit_exceeded' } },
    }));
    const response = await post(running.url, '/codex/v1/responses', {
      model: 'gpt-5.1-codex',
      input: 'x',
    });
    expect(response.status).toBe(429);
    const [sse] = await pairs(dir, running, 1);
    const sidecar = JSON.parse(readFileSync(sse!.replace(/\.sse$/, '.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(sidecar).toMatchObject({
      status: 429,
      error: { code: 'upstream_rate_limited', message: 'slow down' },
      upstream: { status: 429 },
    });
    expect(readFileSync(sse!, 'utf8')).toContain('slow down');
  });
});

describe('replay', () => {
  it('detects the upstream format, reports unknown events, and prints a stream on request', async () => {
    const cli = createTestCli();
    const fixture = join(
      import.meta.dirname,
      '..',
      '..',
      'src',
      'formats',
      'openai-responses',
      '__fixtures__',
      'drift-unknown.sse',
    );
    expect(await cli.run(['replay', fixture, '--as', 'responses'])).toBe(0);
    expect(JSON.parse(cli.stdout())).toMatchObject({ object: 'response', status: 'completed' });
    expect(cli.stderr()).toContain('unknown upstream event: response.future_thing.delta');
    const stream = createTestCli();
    expect(await stream.run(['replay', fixture, '--as', 'chat', '--stream'])).toBe(0);
    expect(stream.stdout().trim().split('\n\n').at(-1)).toBe('data: [DONE]');
  });

  it('shows a stream that holds only an error as the client would get it, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccproxy-replay-'));
    const file = join(dir, 'overloaded.sse');
    writeFileSync(
      file,
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":3,"output_tokens":0}}}\n\n' +
        'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
    const cli = createTestCli();
    expect(await cli.run(['replay', file, '--as', 'chat'])).toBe(1);
    expect(JSON.parse(cli.stdout())).toEqual({
      error: { message: 'Overloaded', type: 'server_error', param: null, code: 'overloaded_error' },
    });
    expect(cli.stderr()).toContain('the client would get HTTP 503');
    const bad = createTestCli();
    expect(await bad.run(['replay', file, '--as', 'xml'])).toBe(2);
    // A name of an Object property is no format name either: the same usage error.
    const property = createTestCli();
    expect(await property.run(['replay', file, '--as', 'toString'])).toBe(2);
    expect(property.stderr()).toContain('Invalid value for --as: "toString"');
  });

  it('shows a stream that failed after content as the error the client gets, exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccproxy-replay-'));
    const file = join(dir, 'failed.sse');
    writeFileSync(file, loadFixtureBytes('openai-responses', 'error-failed.sse'));
    const cli = createTestCli();
    expect(await cli.run(['replay', file, '--as', 'messages'])).toBe(1);
    expect(JSON.parse(cli.stdout())).toEqual({
      type: 'error',
      error: {
        type: 'rate_limit_error',
        message: 'You exceeded your current quota, please check your plan and billing details.',
      },
    });
    expect(cli.stderr()).toContain('failed after content (the client would get HTTP 429)');
  });
});
