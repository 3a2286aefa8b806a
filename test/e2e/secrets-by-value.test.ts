/**
 * Secrets are scrubbed by value, not only by shape: a token that looks like nothing known (no
 * JWT, `sk-`, `Bearer` or GitHub prefix) and that an upstream echoes in its error text reaches
 * neither the client nor the debug log nor a capture file, because the proxy registered it when
 * it loaded it.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodexHome } from '../helpers/codex-home.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { openaiClient } from '../helpers/sdk-clients.js';
import { registerSecret } from '../helpers/secrets.js';

// Shaped like no known secret pattern: only its value gives it away. The proxy's log check
// (`startProxy`'s close) looks for them too.
const CODEX_TOKEN = registerSecret('codex-access-1-plain-opaque');
const COMPATIBLE_KEY = registerSecret('plain-upstream-key-777');

let upstream: FakeUpstream;
let proxy: TestProxy;
let captureDir: string;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  captureDir = mkdtempSync(join(tmpdir(), 'ccproxy-capture-secrets-'));
  const home = createCodexHome({ accessToken: CODEX_TOKEN });
  proxy = await startProxy({
    logLevel: 'debug',
    config: {
      capture: { dir: captureDir },
      providers: {
        plain: { base_url: `${upstream.url}/v1`, api_key_env: 'PLAIN_KEY', models: ['m1'] },
      },
    },
    env: {
      CODEX_HOME: home.dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
      PLAIN_KEY: COMPATIBLE_KEY,
    },
  });
});
afterAll(async () => {
  // Checks the whole debug log for both secrets (and every known shape).
  await proxy.close();
  await upstream.close();
});

/** Echoes the credential the upstream received in its error text. */
function echoCredential(request: { headers: Record<string, string | string[] | undefined> }) {
  return String(request.headers.authorization ?? '').replace(/^Bearer /, '');
}

describe('secrets registered by value', () => {
  it('an upstream error echoing the Codex token reaches the client without it', async () => {
    upstream.handle((request) => ({
      status: 403,
      body: {
        error: { message: `token ${echoCredential(request)} lacks scope`, code: 'no_scope' },
      },
    }));
    const client = openaiClient(`${proxy.url}/codex/v1`);
    const error = (await client.chat.completions
      .create({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )) as { status: number; message: string };
    expect(error.status).toBe(403);
    expect(error.message).toContain('lacks scope');
    expect(error.message).toContain('[REDACTED]');
    expect(error.message).not.toContain(CODEX_TOKEN);
    expect(proxy.logText()).toContain('lacks scope');
  });

  it('a same-format stream’s failure event echoing the token reaches the client without it', async () => {
    upstream.handle((request) => ({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [
        `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } })}\n\n`,
        `event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', response: { id: 'resp_1', status: 'failed', output: [], error: { code: 'server_error', message: `credential ${echoCredential(request)} was revoked` } } })}\n\n`,
      ],
    }));
    const response = await fetch(`${proxy.url}/codex/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.1-codex', input: 'hi', stream: true }),
    });
    const text = await response.text();
    expect(text).toContain('was revoked');
    expect(text).not.toContain(CODEX_TOKEN);
  });

  it('a successful same-format stream is forwarded untouched, secret-looking text included', async () => {
    const text = 'Send it as Bearer abcdefghijklmnop with sk-exampleexample';
    const message = { id: 'msg_1', type: 'message', role: 'assistant', status: 'completed' };
    const part = { type: 'output_text', text, annotations: [] };
    const events = [
      {
        type: 'response.created',
        response: { id: 'resp_2', status: 'in_progress', error: null, output: [] },
      },
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { ...message, status: 'in_progress', content: [] },
      },
      {
        type: 'response.output_text.delta',
        item_id: 'msg_1',
        output_index: 0,
        content_index: 0,
        delta: text,
      },
      { type: 'response.output_item.done', output_index: 0, item: { ...message, content: [part] } },
      {
        type: 'response.completed',
        response: {
          id: 'resp_2',
          status: 'completed',
          error: null,
          output: [{ ...message, content: [part] }],
        },
      },
    ];
    upstream.handle(() => ({
      headers: { 'content-type': 'text/event-stream' },
      chunks: events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
    }));
    const response = await fetch(`${proxy.url}/codex/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.1-codex', input: 'hi', stream: true }),
    });
    const body = await response.text();
    const completed = body.split('\n\n').find((event) => event.includes('response.completed'));
    expect(completed).toContain(text);
  });

  it('a key read from the environment is scrubbed from a compatible upstream’s error', async () => {
    upstream.handle((request) => ({
      status: 401,
      body: { error: { message: `invalid key ${echoCredential(request)}`, type: 'auth' } },
    }));
    const response = await fetch(`${proxy.url}/plain/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toContain('invalid key');
    expect(text).not.toContain(COMPATIBLE_KEY);
  });

  it('capture files hold neither secret', async () => {
    await proxy.composed.close();
    const files = readdirSync(captureDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(join(captureDir, file), 'utf8');
      expect(text).not.toContain(CODEX_TOKEN);
      expect(text).not.toContain(COMPATIBLE_KEY);
    }
  });

  it('error codes are logged as they are, not redacted', () => {
    const lines = proxy.logs().filter((line) => typeof line.code === 'string');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.map((line) => line.code)).toContain('upstream_authentication');
    for (const line of lines) expect(line.code).not.toBe('[REDACTED]');
  });
});
