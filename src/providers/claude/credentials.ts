/**
 * Claude OAuth credentials: Claude Code's `~/.claude/.credentials.json` or ccproxy's own store
 * (`{dataDir}/claude.json`), both in Claude Code's format, and their status without secrets.
 */
import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readCredentialFile, writeCredentialFile } from '../../auth/credential-file.js';
import { getArray, getNumber, getRecord, getString, isRecord } from '../../util/json.js';
import type { CredentialStatus } from '../provider.js';

/** The key Claude Code keeps its claude.ai OAuth tokens under. */
export const CLAUDE_OAUTH_KEY = 'claudeAiOauth';

/** Claude OAuth tokens as Claude Code stores them. */
export interface ClaudeOAuthCredentials {
  accessToken: string;
  refreshToken?: string;
  /** Access-token expiry in ms (`expiresAt`). */
  expiresAtMs?: number;
  scopes: string[];
  /** `pro`, `max`, ... when Claude Code recorded it. */
  subscriptionType?: string;
}

/** Where a Claude credentials file comes from. */
export type ClaudeCredentialsKind = 'setting' | 'ccproxy' | 'claude-code';

/** The candidate files, in reading order. */
export interface ClaudeCredentialPaths {
  /** The `credentials_file` setting (`CCPROXY_CLAUDE_CREDENTIALS_FILE`), when set. */
  setting?: string;
  /** ccproxy's own store, `{dataDir}/claude.json`. */
  ccproxyStore: string;
  /** Claude Code's file, `~/.claude/.credentials.json`. */
  claudeCode: string;
}

/** The candidate files for a config's `credentials_file`, ccproxy's data directory and a home. */
export function claudeCredentialPaths(options: {
  credentialsFile?: string | undefined;
  dataDir: string;
  home?: string | undefined;
}): ClaudeCredentialPaths {
  return {
    ...(options.credentialsFile ? { setting: options.credentialsFile } : {}),
    ccproxyStore: join(options.dataDir, 'claude.json'),
    claudeCode: join(options.home || homedir(), '.claude', '.credentials.json'),
  };
}

/**
 * The file to read Claude credentials from: the `credentials_file` setting when set, else
 * ccproxy's store when it exists, else Claude Code's file (which may not exist yet).
 */
export function resolveClaudeCredentialsFile(
  paths: ClaudeCredentialPaths,
  exists: (path: string) => boolean = existsSync,
): { path: string; kind: ClaudeCredentialsKind } {
  if (paths.setting) return { path: paths.setting, kind: 'setting' };
  if (exists(paths.ccproxyStore)) return { path: paths.ccproxyStore, kind: 'ccproxy' };
  return { path: paths.claudeCode, kind: 'claude-code' };
}

/** Parses a credentials file's content; `undefined` when it holds no claude.ai OAuth token. */
export function parseClaudeCredentials(data: unknown): ClaudeOAuthCredentials | undefined {
  if (!isRecord(data)) return undefined;
  const oauth = getRecord(data, CLAUDE_OAUTH_KEY);
  if (!oauth) return undefined;
  const accessToken = getString(oauth, 'accessToken');
  if (!accessToken) return undefined;
  const refreshToken = getString(oauth, 'refreshToken');
  const expiresAtMs = getNumber(oauth, 'expiresAt');
  const subscriptionType = getString(oauth, 'subscriptionType');
  const scopes = (getArray(oauth, 'scopes') ?? []).filter(
    (scope): scope is string => typeof scope === 'string',
  );
  return {
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    ...(expiresAtMs !== undefined ? { expiresAtMs } : {}),
    scopes,
    ...(subscriptionType ? { subscriptionType } : {}),
  };
}

/** Reads and parses a credentials file; `undefined` when it is absent or holds no OAuth token. */
export async function readClaudeCredentials(
  path: string,
): Promise<ClaudeOAuthCredentials | undefined> {
  const content = await readCredentialFile(path);
  return content ? parseClaudeCredentials(content.data) : undefined;
}

/**
 * Writes tokens into a credentials file atomically with mode 0600. Other top-level keys (Claude
 * Code keeps MCP server logins there) and other fields of the OAuth entry are kept.
 */
export async function writeClaudeCredentials(
  path: string,
  credentials: ClaudeOAuthCredentials,
): Promise<void> {
  const existing = await readCredentialFile(path).catch(() => undefined);
  await writeCredentialFile(path, mergeClaudeCredentials(existing?.data, credentials));
}

/** A credentials file's content with the tokens replaced and everything else kept. */
export function mergeClaudeCredentials(
  existing: unknown,
  credentials: ClaudeOAuthCredentials,
): Record<string, unknown> {
  const file = isRecord(existing) ? { ...existing } : {};
  const previous = getRecord(file, CLAUDE_OAUTH_KEY) ?? {};
  file[CLAUDE_OAUTH_KEY] = {
    ...previous,
    accessToken: credentials.accessToken,
    refreshToken: credentials.refreshToken ?? null,
    expiresAt: credentials.expiresAtMs ?? null,
    scopes: credentials.scopes,
    subscriptionType: credentials.subscriptionType ?? previous.subscriptionType ?? null,
  };
  return file;
}

/**
 * Removes the OAuth entry from a credentials file: the whole file when nothing else is in it,
 * otherwise only the entry, so other logins kept in the same file survive.
 */
export async function removeClaudeCredentials(
  path: string,
): Promise<'removed-file' | 'removed-entry' | 'absent'> {
  const existing = await readCredentialFile(path).catch((error: unknown) => {
    // A corrupt file holds nothing worth keeping.
    if (error instanceof SyntaxError) return { data: undefined };
    throw error;
  });
  if (!existing) return 'absent';
  const data = isRecord(existing.data) ? existing.data : {};
  const rest = Object.fromEntries(Object.entries(data).filter(([key]) => key !== CLAUDE_OAUTH_KEY));
  if (Object.keys(rest).length === 0) {
    await unlink(path);
    return 'removed-file';
  }
  if (!(CLAUDE_OAUTH_KEY in data)) return 'absent';
  await writeCredentialFile(path, rest);
  return 'removed-entry';
}

/** Options of `claudeCredentialStatus`. */
export interface ClaudeStatusOptions {
  paths: ClaudeCredentialPaths;
  /** Set when an API key is configured: it is used instead of OAuth. */
  apiKey?: { source: string } | undefined;
  /** Wall-clock milliseconds. */
  now(): number;
  exists?(path: string): boolean;
}

/** Where the Claude provider's credentials come from and their state, never a token. */
export async function claudeCredentialStatus(
  options: ClaudeStatusOptions,
): Promise<CredentialStatus> {
  if (options.apiKey) {
    return { state: 'present', source: options.apiKey.source, detail: 'Anthropic API key' };
  }
  const { path } = resolveClaudeCredentialsFile(options.paths, options.exists);
  let credentials: ClaudeOAuthCredentials | undefined;
  try {
    credentials = await readClaudeCredentials(path);
  } catch {
    return { state: 'invalid', source: path, detail: 'unreadable credentials file' };
  }
  if (!credentials) return { state: 'missing', source: path };
  const expired = credentials.expiresAtMs !== undefined && options.now() >= credentials.expiresAtMs;
  return {
    state: expired ? 'expired' : 'present',
    source: path,
    refreshable: credentials.refreshToken !== undefined,
    ...(credentials.expiresAtMs !== undefined
      ? { expiresAt: new Date(credentials.expiresAtMs).toISOString() }
      : {}),
    ...(credentials.subscriptionType ? { plan: credentials.subscriptionType } : {}),
  };
}
