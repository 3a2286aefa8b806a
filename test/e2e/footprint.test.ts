/**
 * What a real `ccproxy serve` loads of its libraries while it answers: only the parts it uses
 * (issue 13: every module kept loaded is live heap, which the old generation may grow past by
 * `server.heap_growth_percent`, so peak RSS).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
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

const RECORDER = join(import.meta.dirname, '..', 'helpers', 'record-modules.cjs');

describe('serve footprint', () => {
  it('answers through undici’s agent and prom-client’s metrics without loading their indexes or pino-pretty', async () => {
    const transcript = loadFixtureBytes('openai-responses', 'text.sse');
    upstream = await startFakeUpstream(() => ({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [transcript],
    }));
    const home = mkdtempSync(join(tmpdir(), 'ccproxy-footprint-'));
    const modulesFile = join(home, 'modules.txt');
    const serve = await startServe(['--port', '0'], {
      HOME: home,
      XDG_CONFIG_HOME: join(home, 'c'),
      XDG_DATA_HOME: join(home, 'd'),
      CODEX_HOME: createCodexHome({ accessToken: accessToken('f', 3600) }).dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
      NODE_OPTIONS: `--require "${RECORDER}"`,
      CCPROXY_TEST_MODULES_FILE: modulesFile,
    });
    const answer = await fetch(`${serve.url}/codex/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-5.1-codex', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).not.toBe('');
    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    expect(metrics).toContain('proxy_requests_total');
    expect(await serve.stop('SIGTERM')).toBe(0);

    const loaded = readFileSync(modulesFile, 'utf8')
      .split('\n')
      .map((path) => path.replaceAll('\\', '/'));
    const from = (name: string) => loaded.filter((path) => path.includes(`/node_modules/${name}/`));
    // The parts in use are loaded (the recording works) ...
    expect(from('undici').some((path) => path.endsWith('/lib/dispatcher/agent.js'))).toBe(true);
    expect(from('prom-client').some((path) => path.endsWith('/lib/counter.js'))).toBe(true);
    expect(from('pino').length).toBeGreaterThan(0);
    // ... and not the indexes that load everything else, nor the pretty printer.
    expect(from('undici').filter((path) => path.endsWith('/undici/index.js'))).toEqual([]);
    expect(from('prom-client').filter((path) => path.endsWith('/prom-client/index.js'))).toEqual(
      [],
    );
    expect(from('@opentelemetry/api')).toEqual([]);
    expect(from('pino-pretty')).toEqual([]);
  });
});
