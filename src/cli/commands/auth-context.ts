/** What every `ccproxy auth` command needs: the loaded config, credential paths and IO defaults. */
import { homedir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { LoginError } from '../../auth/login-error.js';
import { openUrl } from '../../auth/open-url.js';
import { loadConfig } from '../../config/load.js';
import { dataDir } from '../../config/paths.js';
import { ConfigError, type ConfigSource, type ResolvedConfig } from '../../config/resolve.js';
import {
  type ClaudeCredentialPaths,
  claudeCredentialPaths,
} from '../../providers/claude/credentials.js';
import { resolveCodexAuthFile } from '../../providers/codex/login.js';
import { copilotStorePath } from '../../providers/copilot/credentials.js';
import { scrubSecrets } from '../../util/secrets.js';
import { type CliIo, CommandFailure, promptLine, UsageError } from '../io.js';

/** `CliIo` with every optional member filled in. */
export type FullCliIo = Required<CliIo>;

/** The providers `ccproxy auth` knows. */
export const AUTH_PROVIDERS = ['codex', 'claude', 'copilot'] as const;
/** One of `AUTH_PROVIDERS`. */
export type AuthProvider = (typeof AUTH_PROVIDERS)[number];

/** The loaded config and where each provider's credentials live. */
export interface AuthContext {
  io: FullCliIo;
  config: ResolvedConfig['config'];
  sources: ResolvedConfig['sources'];
  home: string;
  dataDir: string;
  codexAuthFile: string;
  claudePaths: ClaudeCredentialPaths;
  copilotStoreFile: string;
}

/** Fills in the real implementations for what a test did not inject. */
export function completeIo(io: CliIo): FullCliIo {
  return {
    ...io,
    openUrl: io.openUrl ?? ((url) => openUrl(url, { env: io.env })),
    prompt: io.prompt ?? promptLine,
    fetch: io.fetch ?? ((input, init) => fetch(input, init)),
    now: io.now ?? (() => Date.now()),
    sleep: io.sleep ?? ((ms, signal) => delay(ms, undefined, { signal })),
  };
}

/** Loads the config (`--config` or the usual search) and derives the credential paths. */
export function loadAuthContext(io: CliIo, configFile: string | undefined): AuthContext {
  const full = completeIo(io);
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig({ configFile, cwd: io.cwd, env: io.env });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(oneLine(error.message));
    throw error;
  }
  for (const warning of loaded.warnings) full.stderr.write(`ccproxy: warning: ${warning}\n`);
  const home = io.env.HOME || homedir();
  const data = dataDir(io.env);
  const { plugins } = loaded.config;
  return {
    io: full,
    config: loaded.config,
    sources: loaded.sources,
    home,
    dataDir: data,
    codexAuthFile: resolveCodexAuthFile(plugins.codex.codex_home, home),
    claudePaths: claudeCredentialPaths({
      credentialsFile: plugins.claude_api.credentials_file,
      dataDir: data,
      home,
    }),
    copilotStoreFile: copilotStorePath(data),
  };
}

/** How to name where a setting came from: `GH_TOKEN`, or `plugins.x.y in FILE`. */
export function describeSettingSource(sources: Record<string, ConfigSource>, path: string): string {
  const source = sources[path];
  if (source?.startsWith('env:')) return source.slice(4);
  if (source?.startsWith('file:')) return `${path} in ${source.slice(5)}`;
  if (source?.startsWith('flag:')) return source.slice(5);
  return path;
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ');
}

/**
 * Runs a command body and turns what it throws into the CLI's two failure kinds: usage errors
 * (exit 2) and run-time failures (exit 1), each with a one-line message free of secrets.
 */
export async function runGuarded(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof UsageError || error instanceof CommandFailure) throw error;
    if (error instanceof ConfigError) throw new UsageError(oneLine(error.message));
    if (error instanceof LoginError) throw new CommandFailure(scrubSecrets(error.message));
    const message = error instanceof Error ? error.message : String(error);
    throw new CommandFailure(scrubSecrets(oneLine(message)));
  }
}
