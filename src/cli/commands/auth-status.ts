/** `ccproxy auth status`: where each provider's credentials come from and their state, no secrets. */

import { accountNameProblem, DEFAULT_ACCOUNT, listNamedAccounts } from '../../accounts/accounts.js';
import { claudeCredentialStatus } from '../../providers/claude/credentials.js';
import { CODEX_TOKEN_URL, createCodexAuth } from '../../providers/codex/auth.js';
import { copilotCredentialStatus, GITHUB_API_URL } from '../../providers/copilot/credentials.js';
import type { CredentialStatus } from '../../providers/provider.js';
import { UsageError } from '../io.js';
import {
  AUTH_PROVIDERS,
  type AuthContext,
  type AuthProvider,
  contextForAccount,
  describeSettingSource,
} from './auth-context.js';

/** One provider's line of `auth status`. */
export interface AuthStatusEntry extends CredentialStatus {
  provider: AuthProvider;
  /** The account name, for accounts other than `default`. */
  accountName?: string;
}

/** Options of `auth status`. */
export interface AuthStatusOptions {
  json: boolean;
  /** Only this account (default: `default` and every stored account). */
  account?: string;
}

/**
 * Collects the status of every provider's accounts (`default`, then each stored named account,
 * or only `account`); network problems never make it fail.
 */
export async function collectAuthStatus(
  context: AuthContext,
  account?: string,
): Promise<AuthStatusEntry[]> {
  const names = account
    ? [account]
    : [
        DEFAULT_ACCOUNT,
        ...new Set(
          AUTH_PROVIDERS.flatMap((provider) => listNamedAccounts(context.dataDir, provider)),
        ),
      ];
  const entries: AuthStatusEntry[] = [];
  for (const name of [...new Set(names)].sort((a, b) =>
    a === DEFAULT_ACCOUNT ? -1 : b === DEFAULT_ACCOUNT ? 1 : a.localeCompare(b),
  )) {
    const problem = accountNameProblem(name);
    if (problem) throw new UsageError(problem);
    const stored = (provider: AuthProvider) =>
      name === DEFAULT_ACCOUNT ||
      account !== undefined ||
      listNamedAccounts(context.dataDir, provider).includes(name);
    const found = await collectAccountStatus(contextForAccount(context, name));
    for (const entry of found) {
      if (!stored(entry.provider)) continue;
      entries.push(name === DEFAULT_ACCOUNT ? entry : { ...entry, accountName: name });
    }
  }
  return entries;
}

async function collectAccountStatus(context: AuthContext): Promise<AuthStatusEntry[]> {
  const { config, io } = context;
  const named = context.account !== DEFAULT_ACCOUNT;
  const codex = config.plugins.codex;
  const claude = config.plugins.claude_api;
  const copilot = config.plugins.copilot;
  const [codexStatus, claudeStatus, copilotStatus] = await Promise.all([
    createCodexAuth({
      authFile: context.codexAuthFile,
      tokenUrl: codex.token_url ?? CODEX_TOKEN_URL,
      fetch: io.fetch,
      now: io.now,
      skewMs: 0,
      maxAgeMs: codex.max_token_age_seconds * 1000,
    }).status(),
    claudeCredentialStatus({
      paths: context.claudePaths,
      apiKey:
        claude.api_key && !named
          ? { source: describeSettingSource(context.sources, 'plugins.claude_api.api_key') }
          : undefined,
      now: io.now,
    }),
    copilotCredentialStatus({
      githubToken: named ? undefined : copilot.github_token,
      githubTokenSource: describeSettingSource(context.sources, 'plugins.copilot.github_token'),
      storeFile: context.copilotStoreFile,
      githubApiUrl: copilot.github_api_url ?? GITHUB_API_URL,
      fetch: io.fetch,
    }),
  ]);
  return [
    { provider: 'codex', ...codexStatus },
    { provider: 'claude', ...claudeStatus },
    { provider: 'copilot', ...copilotStatus },
  ];
}

function stateText(entry: AuthStatusEntry): string {
  if (entry.state === 'expired' && entry.refreshable) return 'expired (refreshable)';
  return entry.state;
}

/** Renders the entries as an aligned table, with details as footnotes. */
export function formatAuthStatusTable(entries: readonly AuthStatusEntry[]): string {
  const header = ['PROVIDER', 'STATE', 'ACCOUNT', 'PLAN', 'EXPIRES', 'SOURCE'];
  const rows = entries.map((entry) => [
    entry.accountName ? `${entry.provider}:${entry.accountName}` : entry.provider,
    stateText(entry),
    entry.account ?? '-',
    entry.plan ?? '-',
    entry.expiresAt ?? '-',
    entry.source ?? '-',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const lines = [header, ...rows].map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  '),
  );
  for (const entry of entries) {
    if (entry.detail)
      lines.push(
        `${entry.accountName ? `${entry.provider}:${entry.accountName}` : entry.provider}: ${entry.detail}`,
      );
  }
  const missing = entries.filter((entry) => entry.state === 'missing');
  if (missing.length > 0) {
    lines.push(
      `Sign in with: ${missing
        .map(
          (entry) =>
            `ccproxy auth login ${entry.provider}${entry.accountName ? ` --account ${entry.accountName}` : ''}`,
        )
        .join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Prints the status, as a table or (`--json`) as `{ "providers": [...] }`. */
export async function runAuthStatus(
  context: AuthContext,
  options: AuthStatusOptions,
): Promise<void> {
  const entries = await collectAuthStatus(context, options.account);
  if (context.config.state.backend === 'redis') {
    context.io.stderr.write(
      'ccproxy: note: with [state] backend = "redis" the server reads Codex and Claude credentials and the Copilot GitHub login from Redis, not from these files (`ccproxy state export` writes them back; /health shows what the server uses)\n',
    );
  }
  context.io.stdout.write(
    options.json
      ? `${JSON.stringify({ providers: entries }, null, 2)}\n`
      : formatAuthStatusTable(entries),
  );
}
