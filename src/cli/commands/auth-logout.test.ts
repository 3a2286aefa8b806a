import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestCli, type TestCli } from '../../../test/helpers/cli.js';

function writeJson(path: string, data: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(data), { mode: 0o600 });
}

const claudeOauth = { claudeAiOauth: { accessToken: 'sk-ant-oat01-x', expiresAt: 1, scopes: [] } };

function paths(cli: TestCli) {
  return {
    codex: join(cli.home, '.codex', 'auth.json'),
    claudeCode: join(cli.home, '.claude', '.credentials.json'),
    claudeStore: join(cli.dataDir, 'claude.json'),
    copilotStore: join(cli.dataDir, 'copilot.json'),
  };
}

describe('ccproxy auth logout', () => {
  it("leaves the Codex CLI's auth.json alone without --force and names codex logout", async () => {
    const cli = createTestCli();
    const { codex } = paths(cli);
    writeJson(codex, { tokens: { access_token: 'a', refresh_token: 'r' } });
    expect(await cli.run(['auth', 'logout', 'codex'])).toBe(1);
    expect(cli.stderr()).toBe(
      `ccproxy: ${codex} is the Codex CLI's login, which ccproxy shares: run "codex logout" to sign out of both, or pass --force to delete it\n`,
    );
    expect(existsSync(codex)).toBe(true);

    const forced = createTestCli();
    const forcedPaths = paths(forced);
    writeJson(forcedPaths.codex, { tokens: {} });
    expect(await forced.run(['auth', 'logout', 'codex', '--force'])).toBe(0);
    expect(existsSync(forcedPaths.codex)).toBe(false);
    expect(forced.stdout()).toBe(
      `Removed ${forcedPaths.codex}; the Codex CLI is signed out too.\n`,
    );
  });

  it('says when there is no Codex login', async () => {
    const cli = createTestCli();
    expect(await cli.run(['auth', 'logout', 'codex'])).toBe(0);
    expect(cli.stdout()).toBe(`Not signed in to Codex (${paths(cli).codex} does not exist).\n`);
  });

  it("removes ccproxy's Claude store and keeps Claude Code's file without --force", async () => {
    const cli = createTestCli();
    const { claudeCode, claudeStore } = paths(cli);
    writeJson(claudeStore, claudeOauth);
    writeJson(claudeCode, claudeOauth);
    expect(await cli.run(['auth', 'logout', 'claude'])).toBe(0);
    expect(existsSync(claudeStore)).toBe(false);
    expect(existsSync(claudeCode)).toBe(true);
    expect(cli.stdout()).toContain(`Removed ccproxy's Claude credentials (${claudeStore}).`);
    expect(cli.stdout()).toContain(
      `Note: Claude Code's credentials in ${claudeCode} are shared and left alone: run /logout in Claude Code, or pass --force to remove them.`,
    );
  });

  it("fails when only Claude Code's file holds credentials and --force is missing", async () => {
    const cli = createTestCli();
    const { claudeCode } = paths(cli);
    writeJson(claudeCode, claudeOauth);
    expect(await cli.run(['auth', 'logout', 'claude'])).toBe(1);
    expect(cli.stderr()).toBe(
      `ccproxy: Claude Code's credentials in ${claudeCode} are shared and left alone: run /logout in Claude Code, or pass --force to remove them\n`,
    );
    expect(existsSync(claudeCode)).toBe(true);
  });

  it("with --force removes only the Claude sign-in from Claude Code's file", async () => {
    const cli = createTestCli();
    const { claudeCode } = paths(cli);
    writeJson(claudeCode, { ...claudeOauth, mcpOAuth: { server: { token: 'kept' } } });
    expect(await cli.run(['auth', 'logout', 'claude', '--force'])).toBe(0);
    expect(JSON.parse(readFileSync(claudeCode, 'utf8'))).toEqual({
      mcpOAuth: { server: { token: 'kept' } },
    });
    expect(cli.stdout()).toBe(
      `Removed the Claude sign-in from ${claudeCode}; its other entries are kept.\n`,
    );
  });

  it('removes the stored Copilot token and mentions GH_TOKEN when it is still set', async () => {
    const cli = createTestCli({ env: { GH_TOKEN: 'gho_env_token_value_secret' } });
    const { copilotStore } = paths(cli);
    writeJson(copilotStore, { github_token: 'gho_stored' });
    expect(await cli.run(['auth', 'logout', 'copilot'])).toBe(0);
    expect(existsSync(copilotStore)).toBe(false);
    expect(cli.stdout()).toBe(
      `Removed the stored GitHub token (${copilotStore}).\n` +
        'Note: GH_TOKEN is still set; ccproxy keeps using that token.\n',
    );
    expect(cli.stdout()).not.toContain('gho_env');

    const again = createTestCli();
    expect(await again.run(['auth', 'logout', 'copilot'])).toBe(0);
    expect(again.stdout()).toBe('Not signed in to Copilot: no token stored.\n');
  });

  it('exits with 2 for an unknown provider', async () => {
    const cli = createTestCli();
    expect(await cli.run(['auth', 'logout', 'bard'])).toBe(2);
    expect(cli.stderr()).toContain("'bard' is invalid");
  });
});
