/**
 * Copilot's GitHub login in the shared state: imported once from the first replica's file, a second
 * replica with no file serves Copilot with it; `state import`/`export` carry every Copilot account.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCli } from '../helpers/cli.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureJson } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { openaiClient } from '../helpers/sdk-clients.js';

const LOGINS = {
  default: 'gho_sharedCopilotLoginDefault0123',
  work: 'gho_sharedCopilotLoginWork45678901',
} as const;

let redis: TestRedis;
let upstream: FakeUpstream | undefined;
const proxies: TestProxy[] = [];
beforeEach(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
  await upstream?.close();
  upstream = undefined;
  await redis.close();
});

function storeJson(githubToken: string): string {
  return JSON.stringify({
    github_token: githubToken,
    token_type: 'bearer',
    scope: 'read:user',
    created_at: '2026-11-30T10:00:00.000Z',
  });
}

/** A HOME whose ccproxy data directory holds the Copilot logins given. */
function homeWith(logins: Partial<Record<keyof typeof LOGINS, string>>): {
  home: string;
  dataDir: string;
} {
  const home = mkdtempSync(join(tmpdir(), 'ccproxy-copilot-replica-'));
  const dataDir = join(home, '.local', 'share', 'ccproxy');
  mkdirSync(join(dataDir, 'accounts', 'copilot'), { recursive: true });
  if (logins.default) writeFileSync(join(dataDir, 'copilot.json'), logins.default);
  if (logins.work) writeFileSync(join(dataDir, 'accounts', 'copilot', 'work.json'), logins.work);
  return { home, dataDir };
}

/** GitHub's token exchange and Copilot's chat API, accepting only the shared logins. */
async function startFakeCopilot() {
  const issued = new Map<string, string>();
  const fake = await startFakeUpstream((request) => {
    if (request.path === '/copilot_internal/v2/token') {
      const login = Object.values(LOGINS).find(
        (token) => request.headers.authorization === `token ${token}`,
      );
      if (!login) return { status: 401, body: { message: 'Bad credentials' } };
      const token = `tid=copilot-${issued.size + 1};exp=later`;
      issued.set(token, login);
      return {
        body: {
          token,
          expires_at: Math.floor(Date.now() / 1000) + 1800,
          refresh_in: 1500,
          endpoints: { api: fake.url },
        },
      };
    }
    const bearer = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!issued.has(bearer)) return { status: 401, body: { error: { message: 'unauthorized' } } };
    if (request.path === '/chat/completions')
      return { body: loadFixtureJson('openai-chat', 'text.expected.json') };
    return { status: 404, body: { error: { message: 'not found' } } };
  });
  upstream = fake;
  return fake;
}

describe('Copilot on replicas sharing Redis', () => {
  it('a replica with no local login serves Copilot with the one imported from another', async () => {
    const fake = await startFakeCopilot();
    const env = {
      STATE__BACKEND: 'redis',
      STATE__URL: redis.url,
      CCPROXY_COPILOT_GITHUB_API_URL: fake.url,
      PLUGINS__CODEX__ENABLED: 'false',
      PLUGINS__CLAUDE_API__ENABLED: 'false',
    };
    // The first replica's machine has the login file; it goes into Redis with `state import`.
    const first = homeWith({ default: storeJson(LOGINS.default) });
    const cli = createTestCli({
      env: { ...env, XDG_DATA_HOME: join(first.home, '.local', 'share') },
    });
    expect(await cli.run(['state', 'import'])).toBe(0);
    expect(cli.stdout()).toContain('Imported copilot account "default"');
    expect(cli.stdout()).not.toContain(LOGINS.default);

    const second = homeWith({});
    for (const home of [second.home, first.home]) {
      const proxy = await startProxy({ env, home });
      await proxy.composed.sharedState?.ready(5000);
      proxies.push(proxy);
    }
    expect(existsSync(join(second.dataDir, 'copilot.json'))).toBe(false);

    // The replica without a file first: its exchange can only have used the login in Redis.
    for (const proxy of proxies) {
      const answer = await openaiClient(`${proxy.url}/copilot/v1`).chat.completions.create({
        model: 'gpt-4.1',
        messages: [{ role: 'user', content: 'hello' }],
      });
      expect(answer.choices[0]?.message.content).toBeTruthy();
      expect(answer.choices[0]?.finish_reason).toBe('stop');
    }
    const exchanges = fake.requests.filter((r) => r.path === '/copilot_internal/v2/token');
    // Each replica exchanged the shared login for its own short-lived Copilot token.
    expect(exchanges.map((r) => r.headers.authorization)).toEqual([
      `token ${LOGINS.default}`,
      `token ${LOGINS.default}`,
    ]);
    expect(fake.requests.filter((r) => r.path === '/chat/completions')).toHaveLength(2);

    // /health names where the login is read from, never the login itself.
    const health = await (await fetch(`${proxies[0]?.url}/health`)).text();
    expect(health).toContain('redis:');
    expect(health).not.toContain(LOGINS.default);
  });

  it('state import and export carry every Copilot account, intact', async () => {
    const env = {
      STATE__BACKEND: 'redis',
      STATE__URL: redis.url,
      PLUGINS__COPILOT__ACCOUNTS: JSON.stringify(['default', 'work']),
    };
    const source = homeWith({ default: storeJson(LOGINS.default), work: storeJson(LOGINS.work) });
    const importer = createTestCli({
      env: { ...env, XDG_DATA_HOME: join(source.home, '.local', 'share') },
    });
    expect(await importer.run(['state', 'import'])).toBe(0);
    expect(importer.stdout()).toContain('Imported copilot account "default"');
    expect(importer.stdout()).toContain('Imported copilot account "work"');

    // A newer login on disk does not replace the one in Redis without --replace.
    writeFileSync(
      join(source.dataDir, 'copilot.json'),
      storeJson('gho_newerLoginOnDisk0000000000'),
    );
    const again = createTestCli({
      env: { ...env, XDG_DATA_HOME: join(source.home, '.local', 'share') },
    });
    expect(await again.run(['state', 'import'])).toBe(0);
    expect(again.stdout()).toContain('Kept copilot account "default" already in Redis');

    const target = homeWith({});
    const exporter = createTestCli({
      env: { ...env, XDG_DATA_HOME: join(target.home, '.local', 'share') },
    });
    expect(await exporter.run(['state', 'export'])).toBe(0);
    expect(exporter.stdout()).toContain('Exported copilot account "default"');
    expect(exporter.stdout()).toContain('Exported copilot account "work"');
    for (const output of [importer.stdout(), again.stdout(), exporter.stdout()])
      for (const login of Object.values(LOGINS)) expect(output).not.toContain(login);
    const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
    expect(read(join(target.dataDir, 'copilot.json'))).toEqual(
      JSON.parse(storeJson(LOGINS.default)),
    );
    expect(read(join(target.dataDir, 'accounts', 'copilot', 'work.json'))).toEqual(
      JSON.parse(storeJson(LOGINS.work)),
    );
  });
});
