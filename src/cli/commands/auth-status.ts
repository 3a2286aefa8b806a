/** `ccproxy auth status`: where each provider's credentials come from and their state, no secrets. */
import { claudeCredentialStatus } from '../../providers/claude/credentials.js';
import { CODEX_TOKEN_URL, createCodexAuth } from '../../providers/codex/auth.js';
import { copilotCredentialStatus, GITHUB_API_URL } from '../../providers/copilot/credentials.js';
import type { CredentialStatus } from '../../providers/provider.js';
import { type AuthContext, type AuthProvider, describeSettingSource } from './auth-context.js';

/** One provider's line of `auth status`. */
export interface AuthStatusEntry extends CredentialStatus {
  provider: AuthProvider;
}

/** Options of `auth status`. */
export interface AuthStatusOptions {
  json: boolean;
}

/** Collects the status of every provider; network problems never make it fail. */
export async function collectAuthStatus(context: AuthContext): Promise<AuthStatusEntry[]> {
  const { config, io } = context;
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
      apiKey: claude.api_key
        ? { source: describeSettingSource(context.sources, 'plugins.claude_api.api_key') }
        : undefined,
      now: io.now,
    }),
    copilotCredentialStatus({
      githubToken: copilot.github_token,
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
    entry.provider,
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
    if (entry.detail) lines.push(`${entry.provider}: ${entry.detail}`);
  }
  const missing = entries.filter((entry) => entry.state === 'missing');
  if (missing.length > 0) {
    lines.push(
      `Sign in with: ${missing.map((entry) => `ccproxy auth login ${entry.provider}`).join(', ')}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Prints the status, as a table or (`--json`) as `{ "providers": [...] }`. */
export async function runAuthStatus(
  context: AuthContext,
  options: AuthStatusOptions,
): Promise<void> {
  const entries = await collectAuthStatus(context);
  context.io.stdout.write(
    options.json
      ? `${JSON.stringify({ providers: entries }, null, 2)}\n`
      : formatAuthStatusTable(entries),
  );
}
