/**
 * Two `ccproxy serve` processes sharing one Redis: 20 concurrent requests on each with an expired
 * token → exactly one refresh reaches the token endpoint, and both replicas use the new token.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCli } from '../helpers/cli.js';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { openaiClient } from '../helpers/sdk-clients.js';
import { type ServeProcess, startServe } from '../helpers/spawn-cli.js';

let redis: TestRedis;
let upstream: FakeUpstream;
const replicas: ServeProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const replica of replicas) await replica.stop();
  await upstream?.close();
  await redis?.close();
});

describe('two replicas on one Redis', () => {
  it('refresh an expired token exactly once for 40 concurrent requests and both use it', async () => {
    const stale = accessToken('stale', -60);
    const fresh = accessToken('fresh', 3600);
    const accepted = new Set<string>();
    upstream = await startFakeUpstream();
    const backend = fakeCodexBackend({
      transcript: loadFixtureBytes('openai-responses', 'text.sse'),
      acceptToken: (token) => accepted.has(token),
    });
    upstream.handle(async (request, response) => {
      if (request.path === '/oauth/token') {
        // Slow enough that every request of both replicas arrives while it runs.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const sent = (request.json as { refresh_token?: string }).refresh_token;
        if (sent !== 'rt_initial_refresh_token_value')
          return { status: 400, body: { error: 'invalid_grant' } };
        accepted.add(fresh);
        return {
          body: {
            access_token: fresh,
            refresh_token: 'rt_second_refresh_token_value',
            id_token: null,
          },
        };
      }
      return backend(request, response);
    });

    // The single-user files go into Redis with `ccproxy state import`.
    const home = createCodexHome({ accessToken: stale });
    const env = {
      STATE__BACKEND: 'redis',
      STATE__URL: redis.url,
      CODEX_HOME: home.dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
      CCPROXY_CODEX_TOKEN_URL: `${upstream.url}/oauth/token`,
      PLUGINS__CLAUDE_API__ENABLED: 'false',
      PLUGINS__COPILOT__ENABLED: 'false',
    };
    const cli = createTestCli({ env });
    expect(await cli.run(['state', 'import'])).toBe(0);
    expect(cli.stdout()).toContain('Imported codex account "default"');
    expect(cli.stdout()).not.toContain(stale);

    // The replicas have no credential files: an empty CODEX_HOME each.
    for (let index = 0; index < 2; index++) {
      const emptyHome = mkdtempSync(join(tmpdir(), 'ccproxy-replica-'));
      replicas.push(
        await startServe(['--port', '0', '--log-level', 'debug'], {
          ...env,
          HOME: emptyHome,
          CODEX_HOME: join(emptyHome, '.codex'),
        }),
      );
    }
    const answers = await Promise.all(
      replicas.flatMap((replica) =>
        Array.from({ length: 20 }, (_, index) =>
          openaiClient(`${replica.url}/codex/v1`).chat.completions.create({
            model: 'gpt-5.1-codex',
            messages: [{ role: 'user', content: `question ${index}` }],
          }),
        ),
      ),
    );
    expect(answers).toHaveLength(40);
    for (const answer of answers) expect(answer.choices[0]?.message.content).toContain('Tide');

    expect(upstream.requests.filter((request) => request.path === '/oauth/token')).toHaveLength(1);
    const backendCalls = upstream.requests.filter((request) => request.path.startsWith('/backend'));
    expect(backendCalls).toHaveLength(40);
    for (const call of backendCalls) expect(call.headers.authorization).toBe(`Bearer ${fresh}`);

    // Importing the (now stale) file again keeps the newer tokens in Redis.
    const again = createTestCli({ env });
    expect(await again.run(['state', 'import'])).toBe(0);
    expect(again.stdout()).toContain('Kept codex account "default" already in Redis');

    // Exported back to a file, the new tokens are there, intact.
    const out = createTestCli({ env: { ...env, CODEX_HOME: join(cli.home, 'exported') } });
    expect(await out.run(['state', 'export'])).toBe(0);
    const exported = JSON.parse(readFileSync(join(cli.home, 'exported', 'auth.json'), 'utf8'));
    expect(exported.tokens.access_token).toBe(fresh);
    expect(exported.tokens.refresh_token).toBe('rt_second_refresh_token_value');

    // No replica logged a credential, at debug level.
    for (const replica of replicas) {
      const logs = replica.stderr();
      for (const secret of [stale, fresh, 'rt_initial_refresh_token_value', 'rt_second_refresh'])
        expect(logs).not.toContain(secret);
    }
  });
});
