import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  claudeCredentialPaths,
  claudeCredentialStatus,
  parseClaudeCredentials,
  removeClaudeCredentials,
  resolveClaudeCredentialsFile,
  writeClaudeCredentials,
} from './credentials.js';
import { parsePastedCode } from './login.js';

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), 'ccproxy-claude-'));
  const paths = claudeCredentialPaths({ dataDir: join(root, 'data'), home: root });
  return { root, paths };
}

function write(path: string, data: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(data));
}

const oauth = (expiresAt: number) => ({
  claudeAiOauth: {
    accessToken: 'sk-ant-oat01-secret-access',
    refreshToken: 'sk-ant-ort01-secret-refresh',
    expiresAt,
    scopes: ['user:inference'],
    subscriptionType: 'pro',
  },
});

describe('Claude credentials', () => {
  it("reads the setting first, then ccproxy's store when it exists, then Claude Code's file", () => {
    const { root, paths } = sandbox();
    expect(paths).toEqual({
      ccproxyStore: join(root, 'data', 'claude.json'),
      claudeCode: join(root, '.claude', '.credentials.json'),
    });
    expect(resolveClaudeCredentialsFile(paths)).toEqual({
      path: paths.claudeCode,
      kind: 'claude-code',
    });
    write(paths.ccproxyStore, oauth(1));
    expect(resolveClaudeCredentialsFile(paths)).toEqual({
      path: paths.ccproxyStore,
      kind: 'ccproxy',
    });
    expect(resolveClaudeCredentialsFile({ ...paths, setting: '/custom.json' })).toEqual({
      path: '/custom.json',
      kind: 'setting',
    });
  });

  it("parses Claude Code's format and ignores files without an OAuth token", () => {
    expect(parseClaudeCredentials(oauth(123))).toEqual({
      accessToken: 'sk-ant-oat01-secret-access',
      refreshToken: 'sk-ant-ort01-secret-refresh',
      expiresAtMs: 123,
      scopes: ['user:inference'],
      subscriptionType: 'pro',
    });
    expect(parseClaudeCredentials({ mcpOAuth: {} })).toBeUndefined();
    expect(parseClaudeCredentials([])).toBeUndefined();
  });

  it('writes with mode 0600 and removes only the OAuth entry when other keys remain', async () => {
    const { paths } = sandbox();
    write(paths.claudeCode, { mcpOAuth: { a: 1 } });
    await writeClaudeCredentials(paths.claudeCode, {
      accessToken: 'a',
      refreshToken: 'r',
      expiresAtMs: 5,
      scopes: ['s'],
    });
    expect(statSync(paths.claudeCode).mode & 0o777).toBe(0o600);
    expect(await removeClaudeCredentials(paths.claudeCode)).toBe('removed-entry');
    expect(JSON.parse(readFileSync(paths.claudeCode, 'utf8'))).toEqual({ mcpOAuth: { a: 1 } });
    write(paths.ccproxyStore, oauth(1));
    expect(await removeClaudeCredentials(paths.ccproxyStore)).toBe('removed-file');
    expect(await removeClaudeCredentials(paths.ccproxyStore)).toBe('absent');
  });

  it('reports status without secrets: present, expired, missing, invalid, API key', async () => {
    const { paths } = sandbox();
    const now = () => 1000;
    expect(await claudeCredentialStatus({ paths, now })).toEqual({
      state: 'missing',
      source: paths.claudeCode,
    });
    write(paths.claudeCode, oauth(2000));
    const present = await claudeCredentialStatus({ paths, now });
    expect(present).toEqual({
      state: 'present',
      source: paths.claudeCode,
      refreshable: true,
      expiresAt: new Date(2000).toISOString(),
      plan: 'pro',
    });
    expect(JSON.stringify(present)).not.toContain('sk-ant');
    write(paths.claudeCode, oauth(500));
    expect((await claudeCredentialStatus({ paths, now })).state).toBe('expired');
    writeFileSync(paths.claudeCode, '{not json');
    expect(await claudeCredentialStatus({ paths, now })).toEqual({
      state: 'invalid',
      source: paths.claudeCode,
      detail: 'unreadable credentials file',
    });
    expect(
      await claudeCredentialStatus({ paths, now, apiKey: { source: 'ANTHROPIC_API_KEY' } }),
    ).toEqual({ state: 'present', source: 'ANTHROPIC_API_KEY', detail: 'Anthropic API key' });
  });

  it('reads pasted codes in each shape users paste them', () => {
    expect(parsePastedCode('abc#def')).toEqual({ code: 'abc', state: 'def' });
    expect(parsePastedCode('  abc \n')).toEqual({ code: 'abc' });
    expect(parsePastedCode('abc#')).toEqual({ code: 'abc' });
    expect(
      parsePastedCode('https://console.anthropic.com/oauth/code/callback?code=abc&state=def'),
    ).toEqual({ code: 'abc', state: 'def' });
  });
});
