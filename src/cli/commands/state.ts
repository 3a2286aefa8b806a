/**
 * `ccproxy state import|export`: moves Codex and Claude credentials and Copilot's GitHub login
 * between the files a single ccproxy uses and the shared Redis state of several replicas. Never
 * prints a credential.
 */
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { DEFAULT_ACCOUNT, listNamedAccounts, namedAccountFile } from '../../accounts/accounts.js';
import { readCredentialFile, writeCredentialFile } from '../../auth/credential-file.js';
import { createLogger } from '../../observability/logger.js';
import { resolveClaudeCredentialsFile } from '../../providers/claude/credentials.js';
import { createRedisState, type RedisState } from '../../state/redis-state.js';
import { type CliIo, CommandFailure, UsageError } from '../io.js';
import { type AuthContext, loadAuthContext, runGuarded } from './auth-context.js';

/** Providers whose credentials are shared through Redis (for Copilot: the GitHub login). */
const SHARED_PROVIDERS = ['codex', 'claude', 'copilot'] as const;
type SharedProvider = (typeof SHARED_PROVIDERS)[number];

/** The file an account's credentials live in when ccproxy runs alone. */
function accountFile(context: AuthContext, provider: SharedProvider, account: string): string {
  if (account !== DEFAULT_ACCOUNT) return namedAccountFile(context.dataDir, provider, account);
  switch (provider) {
    case 'codex':
      return context.codexAuthFile;
    case 'claude':
      return resolveClaudeCredentialsFile(context.claudePaths).path;
    case 'copilot':
      return context.copilotStoreFile;
  }
}

function accountsOf(context: AuthContext, provider: SharedProvider): string[] {
  const { plugins } = context.config;
  const configured =
    provider === 'codex'
      ? plugins.codex.accounts
      : provider === 'claude'
        ? plugins.claude_api.accounts
        : plugins.copilot.accounts;
  return configured && configured.length > 0
    ? configured
    : [DEFAULT_ACCOUNT, ...listNamedAccounts(context.dataDir, provider)];
}

async function connect(context: AuthContext): Promise<RedisState> {
  const { state } = context.config;
  if (state.backend !== 'redis' || !state.url) {
    throw new UsageError(
      'state import/export needs [state] backend = "redis" and url (STATE__BACKEND=redis, STATE__URL=redis://...)',
    );
  }
  const redis = createRedisState({
    url: state.url,
    keyPrefix: state.key_prefix,
    // Connection errors are reported once below, without the URL (it may hold a password).
    logger: createLogger({ level: 'error', format: 'json', destination: devNull() }),
  });
  if (!(await redis.ready(5000))) {
    await redis.close();
    throw new CommandFailure('Cannot reach Redis (state.url): is it running?');
  }
  return redis;
}

function devNull(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/**
 * Copies every account's credential file into Redis. Accounts already there are left alone (a
 * replica may have refreshed them since: the file's refresh token is then spent) unless `replace`.
 */
export async function runStateImport(context: AuthContext, replace = false): Promise<void> {
  const redis = await connect(context);
  try {
    let count = 0;
    for (const provider of SHARED_PROVIDERS) {
      for (const account of accountsOf(context, provider)) {
        const file = accountFile(context, provider, account);
        const content = await readCredentialFile(file).catch(() => undefined);
        if (!content) continue;
        if (await redis.importCredentials(provider, account, content.data, replace)) {
          context.io.stdout.write(`Imported ${provider} account "${account}" from ${file}\n`);
        } else {
          context.io.stdout.write(
            `Kept ${provider} account "${account}" already in Redis (--replace to overwrite it with ${file})\n`,
          );
        }
        count++;
      }
    }
    if (count === 0) throw new CommandFailure('No credential files found to import');
  } finally {
    await redis.close();
  }
}

/** Writes every account's credentials from Redis back to its file (mode 0600). */
export async function runStateExport(context: AuthContext): Promise<void> {
  const redis = await connect(context);
  try {
    const entries = await redis.exportCredentials();
    for (const entry of entries) {
      if (!(SHARED_PROVIDERS as readonly string[]).includes(entry.provider)) continue;
      const file = accountFile(context, entry.provider as SharedProvider, entry.account);
      await writeCredentialFile(file, entry.data);
      context.io.stdout.write(`Exported ${entry.provider} account "${entry.account}" to ${file}\n`);
    }
    if (entries.length === 0) context.io.stdout.write('No credentials stored in Redis\n');
  } finally {
    await redis.close();
  }
}

/** Adds `state import|export` to the program. */
export function registerStateCommand(program: Command, io: CliIo): void {
  const state = program
    .command('state')
    .description('move credentials between files and the shared Redis state of several replicas');
  state
    .command('import')
    .description(
      "copy Codex and Claude credentials and Copilot's GitHub login (every account) from their files into Redis",
    )
    .option('--replace', 'overwrite accounts already in Redis (their tokens may be newer)')
    .option('--config <file>', 'config file')
    .action((options: { config?: string; replace?: boolean }) =>
      runGuarded(() =>
        runStateImport(loadAuthContext(io, options.config), options.replace ?? false),
      ),
    );
  state
    .command('export')
    .description('write the credentials kept in Redis back to their files')
    .option('--config <file>', 'config file')
    .action((options: { config?: string }) =>
      runGuarded(() => runStateExport(loadAuthContext(io, options.config))),
    );
}
