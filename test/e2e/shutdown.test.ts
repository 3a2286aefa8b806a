/** Graceful shutdown of a real `ccproxy serve`: requests finish, stragglers get their error event. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startServe } from '../helpers/spawn-cli.js';

let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

const transcript = loadFixtureBytes('openai-responses', 'text.sse').toString('utf8');
const events = transcript.split('\n\n').filter((e) => e.trim() !== '');

/** The rest of a streamed answer, as text. */
async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}

/** A Codex upstream that sends a stream's first events, then hangs. */
const hangingStream = () => ({
  headers: { 'content-type': 'text/event-stream' },
  chunks: [`${events.slice(0, 6).join('\n\n')}\n\n`],
  hang: true,
});

function env(url: string): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'ccproxy-shutdown-'));
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'c'),
    XDG_DATA_HOME: join(home, 'd'),
    CODEX_HOME: createCodexHome({ accessToken: accessToken('s', 3600) }).dir,
    CCPROXY_CODEX_BASE_URL: `${url}/backend-api/codex`,
    SERVER__SHUTDOWN_TIMEOUT: '1',
  };
}

describe('shutdown', () => {
  it('ends connected dashboards’ feeds at once instead of waiting for them to drain', async () => {
    upstream = await startFakeUpstream(() => ({ status: 404, body: {} }));
    // A drain timeout longer than the test's: the server must not wait for the feed.
    const serve = await startServe(['--port', '0'], {
      ...env(upstream.url),
      SERVER__SHUTDOWN_TIMEOUT: '120',
    });
    const feed = await fetch(`${serve.url}/dashboard/api/events`);
    const reader = feed.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toContain('event: hello');
    const exited = serve.stop('SIGTERM');
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(await exited).toBe(0);
  });

  it('lets a request in flight finish, then exits 0', async () => {
    upstream = await startFakeUpstream(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const [i, event] of events.entries()) {
        response.write(`${event}\n\n`);
        if (i === 3) await new Promise((resolve) => setTimeout(resolve, 400));
      }
      response.end();
      return undefined;
    });
    const serve = await startServe(['--port', '0'], env(upstream.url));
    const answer = fetch(`${serve.url}/codex/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'gpt-5.1-codex',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    }).then((response) => response.text());
    await new Promise((resolve) => setTimeout(resolve, 150));
    const exited = serve.stop('SIGTERM');
    const text = await answer;
    expect(text).toContain('"finish_reason":"stop"');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
    expect(await exited).toBe(0);
    // The JSON log goes to stderr through an asynchronous writer: its last lines are flushed
    // before the process exits, the request's access line among them.
    const access = serve
      .stderr()
      .split('\n')
      .filter((line) => line.includes('"msg":"access"'));
    expect(access).toHaveLength(1);
    expect(access[0]).toContain('"path":"/codex/v1/chat/completions"');
  });

  it('ends a stream still open after the drain timeout with the client format’s error event', async () => {
    upstream = await startFakeUpstream(hangingStream);
    const serve = await startServe(['--port', '0'], env(upstream.url));
    const response = await fetch(`${serve.url}/codex/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'gpt-5.1-codex',
        max_tokens: 50,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    const reader = response.body!.getReader();
    await reader.read();
    const started = Date.now();
    const exited = serve.stop('SIGTERM');
    const text = await readRest(reader);
    expect(text).toContain('event: error');
    expect(text).toContain('ccproxy is shutting down');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(upstream.requests[0]!.closedEarlyAt).toBeDefined();
  });

  it('holds many streams open at once without a listener-leak warning, and ends them all at shutdown', async () => {
    upstream = await startFakeUpstream(hangingStream);
    const serve = await startServe(['--port', '0'], env(upstream.url));
    // Node warns from an AbortSignal's eleventh listener: every open stream listens to shutdown.
    const streams = 24;
    const readers = await Promise.all(
      Array.from({ length: streams }, async () => {
        const response = await fetch(`${serve.url}/codex/v1/responses`, {
          method: 'POST',
          body: JSON.stringify({ model: 'gpt-5.1-codex', stream: true, input: 'hi' }),
        });
        expect(response.status).toBe(200);
        const reader = response.body!.getReader();
        await reader.read();
        return reader;
      }),
    );
    const exited = serve.stop('SIGTERM');
    const texts = await Promise.all(readers.map(readRest));
    for (const text of texts) expect(text).toContain('ccproxy is shutting down');
    expect(await exited).toBe(0);
    expect(serve.stderr()).not.toContain('MaxListenersExceededWarning');
    expect(serve.stderr()).not.toContain('memory leak');
  });
});
