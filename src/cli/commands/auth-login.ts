/** `ccproxy auth login codex|claude|copilot`: runs a provider's sign-in and saves its credentials. */

import { DEFAULT_ACCOUNT } from '../../accounts/accounts.js';
import { DEFAULT_CALLBACK_TIMEOUT_MS, formatDuration } from '../../auth/callback-server.js';
import type { DeviceVerification } from '../../auth/device-flow.js';
import { resolveClaudeCredentialsFile } from '../../providers/claude/credentials.js';
import {
  CLAUDE_AUTHORIZE_URL,
  CLAUDE_REDIRECT_URI,
  CLAUDE_TOKEN_URL,
  loginClaude,
} from '../../providers/claude/login.js';
import { CODEX_TOKEN_URL } from '../../providers/codex/auth.js';
import { CODEX_AUTHORIZE_URL, loginCodex } from '../../providers/codex/login.js';
import {
  COPILOT_CLIENT_ID,
  GITHUB_API_URL,
  GITHUB_URL,
} from '../../providers/copilot/credentials.js';
import { loginCopilot } from '../../providers/copilot/login.js';
import { assertNever } from '../../util/assert-never.js';
import { UsageError } from '../io.js';
import { type AuthContext, type AuthProvider, describeSettingSource } from './auth-context.js';

/** Options of `auth login`. */
export interface AuthLoginOptions {
  /** `false` with `--no-browser`: print the URL only. */
  browser: boolean;
  /** Where Claude credentials go: Claude Code's file or ccproxy's own store. */
  store?: 'claude' | 'ccproxy';
}

/** Prints the URL and, unless `--no-browser`, tries to open it. */
async function showUrl(
  context: AuthContext,
  options: AuthLoginOptions,
  what: string,
  url: string,
): Promise<void> {
  const { io } = context;
  if (!options.browser) {
    io.stdout.write(`Open this URL in a browser to ${what}:\n\n  ${url}\n\n`);
    return;
  }
  io.stdout.write(`Opening your browser to ${what}. If it does not open, visit:\n\n  ${url}\n\n`);
  if (!(await io.openUrl(url))) {
    io.stdout.write('Could not open a browser: open the URL above yourself.\n');
  }
}

async function loginCodexCommand(context: AuthContext, options: AuthLoginOptions): Promise<void> {
  const { io } = context;
  const settings = context.config.plugins.codex;
  const result = await loginCodex({
    authorizeUrl: settings.authorize_url ?? CODEX_AUTHORIZE_URL,
    tokenUrl: settings.token_url ?? CODEX_TOKEN_URL,
    port: settings.callback_port,
    authFile: context.codexAuthFile,
    fetch: io.fetch,
    now: io.now,
    onAuthorizeUrl: async (url) => {
      await showUrl(context, options, 'sign in to ChatGPT (Codex)', url);
      const redirect = new URL(new URL(url).searchParams.get('redirect_uri') ?? 'http://localhost');
      io.stdout.write(
        `The browser returns to ${redirect.origin}, so it must run on this machine (from another ` +
          `machine, forward the port first: ssh -L ${redirect.port}:localhost:${redirect.port} HOST).\n` +
          `Waiting up to ${formatDuration(DEFAULT_CALLBACK_TIMEOUT_MS)} for the sign-in...\n`,
      );
    },
  });
  const who = result.email ?? result.accountId;
  io.stdout.write(
    `Signed in to Codex${who ? ` as ${who}` : ''}${result.plan ? ` (plan: ${result.plan})` : ''}.\n` +
      (context.account === DEFAULT_ACCOUNT
        ? `Credentials saved to ${result.authFile} (shared with the Codex CLI).\n`
        : `Credentials of the account "${context.account}" saved to ${result.authFile}.\n`),
  );
}

async function loginClaudeCommand(context: AuthContext, options: AuthLoginOptions): Promise<void> {
  const { io, claudePaths } = context;
  const settings = context.config.plugins.claude_api;
  const targetFile =
    options.store === 'claude'
      ? claudePaths.claudeCode
      : options.store === 'ccproxy'
        ? claudePaths.ccproxyStore
        : (claudePaths.setting ?? claudePaths.ccproxyStore);
  const result = await loginClaude({
    authorizeUrl: settings.authorize_url ?? CLAUDE_AUTHORIZE_URL,
    tokenUrl: settings.token_url ?? CLAUDE_TOKEN_URL,
    redirectUri: settings.redirect_uri ?? CLAUDE_REDIRECT_URI,
    targetFile,
    fetch: io.fetch,
    now: io.now,
    onAuthorizeUrl: async (url) => {
      await showUrl(context, options, 'sign in to Claude', url);
      io.stdout.write('After you approve, the page shows a code. Paste it here.\n');
    },
    readCode: () => io.prompt('Code: '),
  });
  io.stdout.write(
    `Signed in to Claude${result.email ? ` as ${result.email}` : ''}.\n` +
      `Credentials saved to ${result.file}` +
      (result.expiresAt ? ` (access token valid until ${result.expiresAt}).\n` : '.\n'),
  );
  const used = resolveClaudeCredentialsFile(claudePaths);
  if (used.path !== result.file) {
    io.stdout.write(
      `Note: ccproxy reads Claude credentials from ${used.path}` +
        (used.kind === 'setting' ? ' (the credentials_file setting)' : " (ccproxy's own store)") +
        ', not from the file just written.\n',
    );
  }
  if (settings.api_key && context.account === DEFAULT_ACCOUNT) {
    io.stdout.write(
      `Note: ${describeSettingSource(context.sources, 'plugins.claude_api.api_key')} is set; ` +
        'ccproxy uses that API key instead of these credentials.\n',
    );
  }
}

async function loginCopilotCommand(context: AuthContext, options: AuthLoginOptions): Promise<void> {
  const { io } = context;
  const settings = context.config.plugins.copilot;
  const result = await loginCopilot({
    githubUrl: settings.github_url ?? GITHUB_URL,
    githubApiUrl: settings.github_api_url ?? GITHUB_API_URL,
    clientId: settings.client_id ?? COPILOT_CLIENT_ID,
    storeFile: context.copilotStoreFile,
    fetch: io.fetch,
    now: io.now,
    sleep: io.sleep,
    onVerification: async (verification: DeviceVerification) => {
      io.stdout.write(
        `To sign in to GitHub Copilot, open ${verification.verificationUri} ` +
          `and enter the code: ${verification.userCode}\n` +
          `(the code expires in ${formatDuration(verification.expiresInSeconds * 1000)})\n`,
      );
      if (options.browser && !(await io.openUrl(verification.verificationUri))) {
        io.stdout.write('Could not open a browser: open the URL above yourself.\n');
      }
      io.stdout.write('Waiting for you to approve...\n');
    },
  });
  io.stdout.write(
    `Signed in to GitHub${result.login ? ` as ${result.login}` : ''}.\n` +
      `Token saved to ${result.storeFile}.\n`,
  );
  if (settings.github_token && context.account === DEFAULT_ACCOUNT) {
    io.stdout.write(
      `Note: ${describeSettingSource(context.sources, 'plugins.copilot.github_token')} is set ` +
        'and takes precedence over the stored token.\n',
    );
  }
}

/** Runs the sign-in for one provider. */
export async function runAuthLogin(
  context: AuthContext,
  provider: AuthProvider,
  options: AuthLoginOptions,
): Promise<void> {
  if (options.store !== undefined && provider !== 'claude') {
    throw new UsageError('--store applies to "claude" only');
  }
  switch (provider) {
    case 'codex':
      return loginCodexCommand(context, options);
    case 'claude':
      return loginClaudeCommand(context, options);
    case 'copilot':
      return loginCopilotCommand(context, options);
    default:
      return assertNever(provider);
  }
}
