/**
 * `ccproxy auth logout codex|claude|copilot`: removes what ccproxy stored. Files shared with the
 * Codex CLI or Claude Code are only touched with `--force`; otherwise the command names the
 * tool's own logout.
 */
import { unlink } from 'node:fs/promises';
import { DEFAULT_ACCOUNT } from '../../accounts/accounts.js';
import { fileMtime } from '../../auth/credential-file.js';
import { removeClaudeCredentials } from '../../providers/claude/credentials.js';
import { assertNever } from '../../util/assert-never.js';
import { CommandFailure } from '../io.js';
import { type AuthContext, type AuthProvider, describeSettingSource } from './auth-context.js';

/** Options of `auth logout`. */
export interface AuthLogoutOptions {
  /** Also remove credentials shared with the Codex CLI or Claude Code. */
  force: boolean;
}

async function exists(path: string): Promise<boolean> {
  return (await fileMtime(path)) !== undefined;
}

async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function logoutCodex(context: AuthContext, options: AuthLogoutOptions): Promise<void> {
  const file = context.codexAuthFile;
  if (!(await exists(file))) {
    context.io.stdout.write(`Not signed in to Codex (${file} does not exist).\n`);
    return;
  }
  if (context.account !== DEFAULT_ACCOUNT) {
    await removeFile(file);
    context.io.stdout.write(`Removed the Codex account "${context.account}" (${file}).\n`);
    return;
  }
  if (!options.force) {
    throw new CommandFailure(
      `${file} is the Codex CLI's login, which ccproxy shares: run "codex logout" to sign out of both, or pass --force to delete it`,
    );
  }
  await removeFile(file);
  context.io.stdout.write(`Removed ${file}; the Codex CLI is signed out too.\n`);
}

async function logoutClaude(context: AuthContext, options: AuthLogoutOptions): Promise<void> {
  const { io, claudePaths } = context;
  let removedOwn = false;
  if (await removeFile(claudePaths.ccproxyStore)) {
    removedOwn = true;
    io.stdout.write(`Removed ccproxy's Claude credentials (${claudePaths.ccproxyStore}).\n`);
  }
  // Files ccproxy reads but does not own: Claude Code's, or one the user configured.
  const shared = [claudePaths.setting, claudePaths.claudeCode].filter(
    (path): path is string => path !== undefined && path !== claudePaths.ccproxyStore,
  );
  const present: string[] = [];
  for (const path of new Set(shared)) if (await exists(path)) present.push(path);
  if (options.force) {
    for (const path of present) {
      const outcome = await removeClaudeCredentials(path);
      if (outcome === 'removed-file') io.stdout.write(`Removed ${path}.\n`);
      if (outcome === 'removed-entry') {
        io.stdout.write(`Removed the Claude sign-in from ${path}; its other entries are kept.\n`);
      }
    }
  } else if (present.length > 0) {
    const message =
      `Claude Code's credentials in ${present.join(' and ')} are shared and left alone: ` +
      'run /logout in Claude Code, or pass --force to remove them';
    if (!removedOwn) throw new CommandFailure(message);
    io.stdout.write(`Note: ${message}.\n`);
  } else if (!removedOwn) {
    io.stdout.write('Not signed in to Claude: no credentials stored.\n');
  }
  if (context.config.plugins.claude_api.api_key && context.account === DEFAULT_ACCOUNT) {
    io.stdout.write(
      `Note: ${describeSettingSource(context.sources, 'plugins.claude_api.api_key')} is still set; ` +
        'ccproxy keeps using that API key.\n',
    );
  }
}

async function logoutCopilot(context: AuthContext): Promise<void> {
  const { io } = context;
  if (await removeFile(context.copilotStoreFile)) {
    io.stdout.write(`Removed the stored GitHub token (${context.copilotStoreFile}).\n`);
  } else {
    io.stdout.write('Not signed in to Copilot: no token stored.\n');
  }
  if (context.config.plugins.copilot.github_token && context.account === DEFAULT_ACCOUNT) {
    io.stdout.write(
      `Note: ${describeSettingSource(context.sources, 'plugins.copilot.github_token')} is still set; ` +
        'ccproxy keeps using that token.\n',
    );
  }
}

/** Signs out of one provider. */
export async function runAuthLogout(
  context: AuthContext,
  provider: AuthProvider,
  options: AuthLogoutOptions,
): Promise<void> {
  switch (provider) {
    case 'codex':
      return logoutCodex(context, options);
    case 'claude':
      return logoutClaude(context, options);
    case 'copilot':
      return logoutCopilot(context);
    default:
      return assertNever(provider);
  }
}
