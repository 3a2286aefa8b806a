/** `ccproxy auth login|status|logout --account NAME`: named accounts of an account pool. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestCli, type TestCli } from '../../../test/helpers/cli.js';
import { accessToken, makeJwt } from '../../../test/helpers/codex-home.js';
import { type FakeUpstream, startFakeUpstream } from '../../../test/helpers/fake-upstream.js';

let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

function writeCodexAccount(cli: TestCli, name: string | undefined, email: string): string {
  const file =
    name === undefined
      ? join(cli.home, '.codex', 'auth.json')
      : join(cli.dataDir, 'accounts', 'codex', `${name}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({
      tokens: {
        access_token: accessToken(email, 3600),
        refresh_token: 'rt_named_account_refresh',
        id_token: makeJwt({ email }),
        account_id: 'acct-1',
      },
    }),
    { mode: 0o600 },
  );
  return file;
}

describe('named accounts', () => {
  it('auth status lists every account, or one with --account', async () => {
    const cli = createTestCli();
    writeCodexAccount(cli, undefined, 'main@example.com');
    const work = writeCodexAccount(cli, 'work', 'work@example.com');
    expect(await cli.run(['auth', 'status', '--json'])).toBe(0);
    const entries = JSON.parse(cli.stdout()).providers as Array<Record<string, unknown>>;
    expect(
      entries.map((entry) => [entry.provider, entry.accountName, entry.account, entry.state]),
    ).toEqual([
      ['codex', undefined, 'main@example.com', 'present'],
      ['claude', undefined, undefined, 'missing'],
      ['copilot', undefined, undefined, 'missing'],
      ['codex', 'work', 'work@example.com', 'present'],
    ]);
    expect(entries[3]?.source).toBe(work);

    const table = createTestCli({ env: cli.io.env as Record<string, string> });
    expect(await table.run(['auth', 'status', '--account', 'work'])).toBe(0);
    const rows = table.stdout().trimEnd().split('\n').slice(1);
    expect(rows[0]).toMatch(/^codex:work\s+present\s+work@example\.com/);
    expect(rows.slice(0, 3).map((row) => row.split(/\s{2,}/).slice(0, 2))).toEqual([
      ['codex:work', 'present'],
      ['claude:work', 'missing'],
      ['copilot:work', 'missing'],
    ]);
    expect(table.stdout()).toContain('ccproxy auth login claude --account work');
  });

  it('auth logout --account removes only that account, without --force', async () => {
    const cli = createTestCli();
    const main = writeCodexAccount(cli, undefined, 'main@example.com');
    const work = writeCodexAccount(cli, 'work', 'work@example.com');
    expect(await cli.run(['auth', 'logout', 'codex', '--account', 'work'])).toBe(0);
    expect(cli.stdout()).toContain('Removed the Codex account "work"');
    expect(existsSync(work)).toBe(false);
    expect(existsSync(main)).toBe(true);
  });

  it('rejects account names that are not file names', async () => {
    const cli = createTestCli();
    expect(await cli.run(['auth', 'status', '--account', '../x'])).toBe(2);
    expect(cli.stderr()).toContain('not a valid account name');
    expect(await cli.run(['auth', 'login', 'claude', '--account', 'a', '--store', 'claude'])).toBe(
      2,
    );
  });

  it('auth login copilot --account NAME stores the token in that account’s file', async () => {
    upstream = await startFakeUpstream((request) => {
      if (request.path === '/login/device/code')
        return {
          body: {
            device_code: 'dc',
            user_code: 'ABCD-1234',
            verification_uri: 'https://github.com/login/device',
            expires_in: 900,
            interval: 1,
          },
        };
      if (request.path === '/login/oauth/access_token')
        return { body: { access_token: 'gho_namedAccountToken1234', token_type: 'bearer' } };
      if (request.path === '/user') return { body: { login: 'octo-work' } };
      return { status: 404, body: {} };
    });
    const cli = createTestCli({
      env: {
        CCPROXY_COPILOT_GITHUB_URL: upstream.url,
        CCPROXY_COPILOT_GITHUB_API_URL: upstream.url,
      },
    });
    expect(await cli.run(['auth', 'login', 'copilot', '--account', 'work', '--no-browser'])).toBe(
      0,
    );
    const file = join(cli.dataDir, 'accounts', 'copilot', 'work.json');
    expect(readFileSync(file, 'utf8')).toContain('gho_namedAccountToken1234');
    expect(existsSync(join(cli.dataDir, 'copilot.json'))).toBe(false);
  });
});
