/**
 * `ccproxy auth login codex`: the Codex CLI's browser sign-in (OAuth authorization code with
 * PKCE and a loopback redirect), saved to `$CODEX_HOME/auth.json` in the Codex CLI's own format
 * so both tools share one login.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startCallbackServer } from '../../auth/callback-server.js';
import { readCredentialFile, writeCredentialFile } from '../../auth/credential-file.js';
import { LoginError } from '../../auth/login-error.js';
import { createPkcePair, createState } from '../../auth/pkce.js';
import { describeReply, postOAuthRequest } from '../../auth/token-request.js';
import { getString, isRecord, type JsonObject } from '../../util/json.js';
import { CODEX_CLIENT_ID, readIdTokenClaims } from './auth.js';

/** Default OAuth authorize endpoint. */
export const CODEX_AUTHORIZE_URL = 'https://auth.openai.com/oauth/authorize';
/** The redirect path registered for the Codex CLI's client. */
export const CODEX_CALLBACK_PATH = '/auth/callback';
/**
 * Scopes of the Codex CLI's sign-in (`codex-rs/login/src/server.rs`). Recent Codex CLI versions
 * also ask for `api.connectors.read api.connectors.invoke`, which the proxy does not need
 * (observed 2026-11).
 */
export const CODEX_SCOPE = 'openid profile email offline_access';

/** `$CODEX_HOME/auth.json`: the `codex_home` setting (or `CODEX_HOME`), else `~/.codex`. */
export function resolveCodexAuthFile(codexHome: string | undefined, home?: string): string {
  return join(codexHome ?? join(home || homedir(), '.codex'), 'auth.json');
}

/** Inputs of the authorize URL. */
export interface CodexAuthorizeParams {
  authorizeUrl: string;
  redirectUri: string;
  challenge: string;
  state: string;
}

/** The authorize URL the Codex CLI opens, with the same parameters. */
export function buildCodexAuthorizeUrl(params: CodexAuthorizeParams): string {
  const url = new URL(params.authorizeUrl);
  const query: Array<[string, string]> = [
    ['response_type', 'code'],
    ['client_id', CODEX_CLIENT_ID],
    ['redirect_uri', params.redirectUri],
    ['scope', CODEX_SCOPE],
    ['code_challenge', params.challenge],
    ['code_challenge_method', 'S256'],
    ['id_token_add_organizations', 'true'],
    ['codex_cli_simplified_flow', 'true'],
    ['state', params.state],
    // The authorization server shows a Codex-specific page for this originator.
    ['originator', 'codex_cli_rs'],
  ];
  for (const [key, value] of query) url.searchParams.set(key, value);
  return url.toString();
}

/** Options of `loginCodex`. */
export interface CodexLoginOptions {
  authorizeUrl: string;
  tokenUrl: string;
  /** Callback port (the Codex client's registered redirect uses 1455; 0 picks one in tests). */
  port: number;
  authFile: string;
  fetch: typeof fetch;
  /** Wall-clock milliseconds, for `last_refresh`. */
  now(): number;
  /** Shows or opens the authorize URL; called once the callback server listens. */
  onAuthorizeUrl(url: string): void | Promise<void>;
  /** How long to wait for the browser (default 5 minutes). */
  timeoutMs?: number;
  /** Waits out `timeoutMs` (injectable so tests do not wait on the clock). */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  signal?: AbortSignal;
}

/** What a successful Codex sign-in tells the user. */
export interface CodexLoginResult {
  authFile: string;
  accountId?: string;
  email?: string;
  plan?: string;
}

async function exchangeCode(
  options: CodexLoginOptions,
  code: string,
  redirectUri: string,
  verifier: string,
): Promise<{ idToken: string; accessToken: string; refreshToken: string }> {
  const reply = await postOAuthRequest({
    url: options.tokenUrl,
    body: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: CODEX_CLIENT_ID,
      code_verifier: verifier,
    },
    encoding: 'form',
    fetch: options.fetch,
    label: 'the Codex token endpoint',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!reply.ok) {
    const detail = describeReply(reply);
    throw new LoginError('rejected', `The Codex token endpoint refused the sign-in (${detail})`);
  }
  const idToken = getString(reply.body, 'id_token');
  const accessToken = getString(reply.body, 'access_token');
  const refreshToken = getString(reply.body, 'refresh_token');
  if (!idToken || !accessToken || !refreshToken) {
    throw new LoginError(
      'invalid_response',
      'The Codex token endpoint answered without an id, access and refresh token',
    );
  }
  return { idToken, accessToken, refreshToken };
}

/**
 * Writes `auth.json` as the Codex CLI does after its own sign-in, keeping fields this version
 * does not know. An unreadable or corrupt file is replaced: a new login supersedes it.
 */
export async function saveCodexLogin(
  authFile: string,
  tokens: { idToken: string; accessToken: string; refreshToken: string },
  nowMs: number,
): Promise<{ accountId?: string }> {
  const existing = await readCredentialFile(authFile).catch(() => undefined);
  const previous: JsonObject = isRecord(existing?.data) ? existing.data : {};
  const accountId = readIdTokenClaims(tokens.idToken).accountId;
  await writeCredentialFile(authFile, {
    ...previous,
    // A ChatGPT login replaces an API-key login, as `codex login` does.
    OPENAI_API_KEY: null,
    auth_mode: 'chatgpt',
    tokens: {
      id_token: tokens.idToken,
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      account_id: accountId ?? null,
    },
    last_refresh: new Date(nowMs).toISOString(),
  });
  return accountId !== undefined ? { accountId } : {};
}

/** Runs the browser sign-in and saves the tokens; rejects with a `LoginError` when it fails. */
export async function loginCodex(options: CodexLoginOptions): Promise<CodexLoginResult> {
  const pkce = createPkcePair();
  const state = createState();
  const server = await startCallbackServer({
    port: options.port,
    path: CODEX_CALLBACK_PATH,
    state,
    title: 'ccproxy: Codex sign-in',
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // The client's registered redirect URIs use `localhost`, not `127.0.0.1`.
  const redirectUri = `http://localhost:${server.port}${CODEX_CALLBACK_PATH}`;
  let code: string;
  try {
    await options.onAuthorizeUrl(
      buildCodexAuthorizeUrl({
        authorizeUrl: options.authorizeUrl,
        redirectUri,
        challenge: pkce.challenge,
        state,
      }),
    );
    code = await server.code;
  } finally {
    await server.close();
  }
  const tokens = await exchangeCode(options, code, redirectUri, pkce.verifier);
  const { accountId } = await saveCodexLogin(options.authFile, tokens, options.now());
  const claims = readIdTokenClaims(tokens.idToken);
  return {
    authFile: options.authFile,
    ...(accountId !== undefined ? { accountId } : {}),
    ...(claims.email !== undefined ? { email: claims.email } : {}),
    ...(claims.plan !== undefined ? { plan: claims.plan } : {}),
  };
}
