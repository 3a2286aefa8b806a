import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestCli, type TestCli } from '../../../test/helpers/cli.js';
import { makeJwt } from '../../../test/helpers/codex-home.js';
import { type FakeUpstream, startFakeUpstream } from '../../../test/helpers/fake-upstream.js';

const NOW = Date.UTC(2026, 5, 1);
const HOUR = 3600 * 1000;

const secrets = {
  codexAccess: (exp: number) => makeJwt({ sub: 'codex-user', exp: Math.floor(exp / 1000) }),
  codexRefresh: 'rt_codex_refresh_secret_value',
  claudeAccess: 'sk-ant-oat01-claude-access-secret',
  claudeRefresh: 'sk-ant-ort01-claude-refresh-secret',
  github: 'gho_github_token_secret_value_00',
};

let github: FakeUpstream | undefined;
const servers: FakeUpstream[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  github = undefined;
});

function writeJson(path: string, data: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(data), { mode: 0o600 });
}

/** Signs every provider in with credentials expiring at `expiresAt`. */
function signIn(cli: TestCli, expiresAt: number): void {
  writeJson(join(cli.home, '.codex', 'auth.json'), {
    OPENAI_API_KEY: null,
    tokens: {
      id_token: makeJwt({
        email: 'dev@example.com',
        'https://api.openai.com/auth': { chatgpt_account_id: 'acct-1', chatgpt_plan_type: 'plus' },
      }),
      access_token: secrets.codexAccess(expiresAt),
      refresh_token: secrets.codexRefresh,
      account_id: 'acct-1',
    },
    last_refresh: new Date(NOW).toISOString(),
  });
  writeJson(join(cli.dataDir, 'claude.json'), {
    claudeAiOauth: {
      accessToken: secrets.claudeAccess,
      refreshToken: secrets.claudeRefresh,
      expiresAt,
      scopes: ['user:inference', 'user:profile'],
      subscriptionType: 'max',
    },
  });
  writeJson(join(cli.dataDir, 'copilot.json'), {
    github_token: secrets.github,
    token_type: 'bearer',
    scope: 'read:user',
    created_at: new Date(NOW).toISOString(),
  });
}

async function statusCli(userStatus = 200, env: Record<string, string> = {}) {
  github = await startFakeUpstream(() =>
    userStatus === 200
      ? { body: { login: 'octocat' } }
      : { status: userStatus, body: { message: 'Bad credentials' } },
  );
  servers.push(github);
  return createTestCli({
    now: () => NOW,
    env: { CCPROXY_COPILOT_GITHUB_API_URL: github.url, ...env },
  });
}

function expectNoSecret(cli: TestCli, expiresAt: number): void {
  const output = cli.stdout() + cli.stderr();
  for (const secret of [
    secrets.codexAccess(expiresAt),
    secrets.codexRefresh,
    secrets.claudeAccess,
    secrets.claudeRefresh,
    secrets.github,
    'sk-ant-api03-env-key-secret',
  ]) {
    expect(output).not.toContain(secret);
  }
}

describe('ccproxy auth status', () => {
  it('shows present credentials as JSON, with accounts, plans and expiry but no secret', async () => {
    const cli = await statusCli();
    const expiresAt = NOW + 2 * HOUR;
    signIn(cli, expiresAt);
    expect(await cli.run(['auth', 'status', '--json'])).toBe(0);
    expect(JSON.parse(cli.stdout())).toEqual({
      providers: [
        {
          provider: 'codex',
          state: 'present',
          source: join(cli.home, '.codex', 'auth.json'),
          refreshable: true,
          expiresAt: new Date(expiresAt).toISOString(),
          account: 'dev@example.com',
          plan: 'plus',
        },
        {
          provider: 'claude',
          state: 'present',
          source: join(cli.dataDir, 'claude.json'),
          refreshable: true,
          expiresAt: new Date(expiresAt).toISOString(),
          plan: 'max',
        },
        {
          provider: 'copilot',
          state: 'present',
          source: join(cli.dataDir, 'copilot.json'),
          account: 'octocat',
        },
      ],
    });
    expect(github!.requests[0]!.headers.authorization).toBe(`token ${secrets.github}`);
    expectNoSecret(cli, expiresAt);
  });

  it('shows present credentials as a table', async () => {
    const cli = await statusCli();
    const expiresAt = NOW + 2 * HOUR;
    signIn(cli, expiresAt);
    expect(await cli.run(['auth', 'status'])).toBe(0);
    const iso = new Date(expiresAt).toISOString();
    const lines = cli.stdout().trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^PROVIDER\s+STATE\s+ACCOUNT\s+PLAN\s+EXPIRES\s+SOURCE$/);
    expect(lines[1]!.split(/\s{2,}/)).toEqual([
      'codex',
      'present',
      'dev@example.com',
      'plus',
      iso,
      join(cli.home, '.codex', 'auth.json'),
    ]);
    expect(lines[2]!.split(/\s{2,}/)).toEqual([
      'claude',
      'present',
      '-',
      'max',
      iso,
      join(cli.dataDir, 'claude.json'),
    ]);
    expect(lines[3]!.split(/\s{2,}/)).toEqual([
      'copilot',
      'present',
      'octocat',
      '-',
      '-',
      join(cli.dataDir, 'copilot.json'),
    ]);
    expectNoSecret(cli, expiresAt);
  });

  it('shows expired and rejected credentials', async () => {
    const cli = await statusCli(401);
    const expiresAt = NOW - HOUR;
    signIn(cli, expiresAt);
    expect(await cli.run(['auth', 'status', '--json'])).toBe(0);
    const { providers } = JSON.parse(cli.stdout()) as {
      providers: Array<Record<string, unknown>>;
    };
    expect(providers.map((entry) => [entry.provider, entry.state, entry.refreshable])).toEqual([
      ['codex', 'expired', true],
      ['claude', 'expired', true],
      ['copilot', 'invalid', undefined],
    ]);
    expect(providers[2]!.detail).toBe('GitHub rejected the token');

    const table = await statusCli(401);
    signIn(table, expiresAt);
    expect(await table.run(['auth', 'status'])).toBe(0);
    expect(table.stdout()).toMatch(/^codex\s+expired \(refreshable\)\s+dev@example\.com/m);
    expect(table.stdout()).toMatch(/^claude\s+expired \(refreshable\)/m);
    expect(table.stdout()).toMatch(/^copilot\s+invalid/m);
    expect(table.stdout()).toContain('copilot: GitHub rejected the token');
    expectNoSecret(table, expiresAt);
  });

  it('shows missing credentials and how to sign in', async () => {
    const cli = await statusCli();
    expect(await cli.run(['auth', 'status'])).toBe(0);
    expect(cli.stdout()).toMatch(/^codex\s+missing\s+-\s+-\s+-\s+\S+\.codex\/auth\.json$/m);
    expect(cli.stdout()).toMatch(/^claude\s+missing\s+.*\.claude\/\.credentials\.json$/m);
    expect(cli.stdout()).toContain(
      'Sign in with: ccproxy auth login codex, ccproxy auth login claude, ccproxy auth login copilot',
    );
    const json = await statusCli();
    expect(await json.run(['auth', 'status', '--json'])).toBe(0);
    expect(
      (JSON.parse(json.stdout()) as { providers: Array<{ state: string }> }).providers.map(
        (entry) => entry.state,
      ),
    ).toEqual(['missing', 'missing', 'missing']);
    expect(github!.requests).toHaveLength(0);
  });

  it('names environment variables as the source, never their values', async () => {
    const cli = await statusCli(200, {
      ANTHROPIC_API_KEY: 'sk-ant-api03-env-key-secret',
      GH_TOKEN: secrets.github,
    });
    expect(await cli.run(['auth', 'status', '--json'])).toBe(0);
    const { providers } = JSON.parse(cli.stdout()) as {
      providers: Array<Record<string, unknown>>;
    };
    expect(providers[1]).toEqual({
      provider: 'claude',
      state: 'present',
      source: 'ANTHROPIC_API_KEY',
      detail: 'Anthropic API key',
    });
    expect(providers[2]).toEqual({
      provider: 'copilot',
      state: 'present',
      source: 'GH_TOKEN',
      account: 'octocat',
    });
    expectNoSecret(cli, 0);
  });

  it('does not fail when GitHub is unreachable', async () => {
    const cli = await statusCli();
    signIn(cli, NOW + HOUR);
    await github!.close();
    expect(await cli.run(['auth', 'status'])).toBe(0);
    expect(cli.stdout()).toMatch(/^copilot\s+present/m);
    expect(cli.stdout()).toContain('copilot: GitHub unreachable; token not checked');
  });

  it('reads endpoints and paths from --config and exits with 2 on a bad config', async () => {
    const cli = await statusCli();
    const config = join(cli.home, 'ccproxy.toml');
    const codexHome = join(cli.home, 'elsewhere');
    writeFileSync(config, `[plugins.codex]\ncodex_home = "${codexHome}"\n`);
    expect(await cli.run(['auth', 'status', '--json', '--config', config])).toBe(0);
    expect(
      (JSON.parse(cli.stdout()) as { providers: Array<{ source: string }> }).providers[0]!.source,
    ).toBe(join(codexHome, 'auth.json'));

    const bad = await statusCli();
    const badConfig = join(bad.home, 'bad.toml');
    writeFileSync(badConfig, '[plugins.codex]\ncallback_port = "x"\n');
    expect(await bad.run(['auth', 'status', '--config', badConfig])).toBe(2);
    expect(bad.stderr()).toMatch(
      /^ccproxy: Invalid configuration: "plugins\.codex\.callback_port"[^\n]*\n$/,
    );
  });
});
