/**
 * `ccproxy auth login claude`: Claude Code's sign-in (OAuth authorization code with PKCE). The
 * redirect page shows the user a `CODE#STATE` string to paste back into the terminal.
 */
import { LoginError } from '../../auth/login-error.js';
import { createPkcePair, createState } from '../../auth/pkce.js';
import { describeReply, postOAuthRequest } from '../../auth/token-request.js';
import { getNumber, getRecord, getString } from '../../util/json.js';
import { writeClaudeCredentials } from './credentials.js';

/** Claude Code's public OAuth client id. */
export const CLAUDE_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
/** Default authorize page (claude.ai accounts). */
export const CLAUDE_AUTHORIZE_URL = 'https://claude.ai/oauth/authorize';
/** Default token endpoint (code exchange and refresh). */
export const CLAUDE_TOKEN_URL = 'https://console.anthropic.com/v1/oauth/token';
/** The redirect registered for Claude Code's client; it shows the code to paste. */
export const CLAUDE_REDIRECT_URI = 'https://console.anthropic.com/oauth/code/callback';
/** Scopes Claude Code asks for. */
export const CLAUDE_SCOPE = 'org:create_api_key user:profile user:inference';

/** Inputs of the authorize URL. */
export interface ClaudeAuthorizeParams {
  authorizeUrl: string;
  redirectUri: string;
  challenge: string;
  state: string;
}

/** The authorize URL Claude Code opens, with the same parameters. */
export function buildClaudeAuthorizeUrl(params: ClaudeAuthorizeParams): string {
  const url = new URL(params.authorizeUrl);
  const query: Array<[string, string]> = [
    // Asks the redirect page to display the code instead of handing it to a local listener.
    ['code', 'true'],
    ['client_id', CLAUDE_CLIENT_ID],
    ['response_type', 'code'],
    ['redirect_uri', params.redirectUri],
    ['scope', CLAUDE_SCOPE],
    ['code_challenge', params.challenge],
    ['code_challenge_method', 'S256'],
    ['state', params.state],
  ];
  for (const [key, value] of query) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * Splits what the user pasted: `CODE#STATE`, a bare `CODE`, or the whole redirect URL
 * (`...?code=CODE&state=STATE`).
 */
export function parsePastedCode(text: string): { code: string; state?: string } {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      const url = new URL(trimmed);
      const code = url.searchParams.get('code');
      if (code) {
        const state = url.searchParams.get('state') ?? url.hash.replace(/^#/, '');
        return { code, ...(state ? { state } : {}) };
      }
    } catch {
      // Not a URL after all: read it as a code.
    }
  }
  const hash = trimmed.indexOf('#');
  if (hash === -1) return { code: trimmed };
  const state = trimmed.slice(hash + 1);
  return { code: trimmed.slice(0, hash), ...(state ? { state } : {}) };
}

/** Options of `loginClaude`. */
export interface ClaudeLoginOptions {
  authorizeUrl: string;
  tokenUrl: string;
  redirectUri: string;
  /** The credentials file to write (Claude Code's or ccproxy's store). */
  targetFile: string;
  fetch: typeof fetch;
  /** Wall-clock milliseconds, for `expiresAt`. */
  now(): number;
  /** Shows or opens the authorize URL. */
  onAuthorizeUrl(url: string): void | Promise<void>;
  /** Reads the code the user pastes. */
  readCode(): Promise<string>;
  signal?: AbortSignal;
}

/** What a successful Claude sign-in tells the user. */
export interface ClaudeLoginResult {
  file: string;
  expiresAt?: string;
  scopes: string[];
  email?: string;
}

/** Runs the sign-in and saves the tokens; rejects with a `LoginError` when it fails. */
export async function loginClaude(options: ClaudeLoginOptions): Promise<ClaudeLoginResult> {
  const pkce = createPkcePair();
  const state = createState();
  await options.onAuthorizeUrl(
    buildClaudeAuthorizeUrl({
      authorizeUrl: options.authorizeUrl,
      redirectUri: options.redirectUri,
      challenge: pkce.challenge,
      state,
    }),
  );
  const pasted = parsePastedCode(await options.readCode());
  if (!pasted.code) throw new LoginError('cancelled', 'Sign-in cancelled: no code was entered');
  if (pasted.state !== undefined && pasted.state !== state) {
    throw new LoginError(
      'state_mismatch',
      'The pasted code belongs to another login attempt (state mismatch); run the login again and paste the code it shows',
    );
  }
  const reply = await postOAuthRequest({
    url: options.tokenUrl,
    body: {
      grant_type: 'authorization_code',
      code: pasted.code,
      state,
      client_id: CLAUDE_CLIENT_ID,
      redirect_uri: options.redirectUri,
      code_verifier: pkce.verifier,
    },
    encoding: 'json',
    fetch: options.fetch,
    label: 'the Claude token endpoint',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!reply.ok) {
    const detail = describeReply(reply);
    throw new LoginError('rejected', `The Claude token endpoint refused the code (${detail})`);
  }
  const accessToken = getString(reply.body, 'access_token');
  if (!accessToken) {
    throw new LoginError('invalid_response', 'The Claude token endpoint answered without a token');
  }
  const refreshToken = getString(reply.body, 'refresh_token');
  const expiresIn = getNumber(reply.body, 'expires_in');
  const expiresAtMs = expiresIn !== undefined ? options.now() + expiresIn * 1000 : undefined;
  const scopes = (getString(reply.body, 'scope') ?? CLAUDE_SCOPE).split(/\s+/).filter(Boolean);
  await writeClaudeCredentials(options.targetFile, {
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    ...(expiresAtMs !== undefined ? { expiresAtMs } : {}),
    scopes,
  });
  const email = getString(getRecord(reply.body, 'account') ?? {}, 'email_address');
  return {
    file: options.targetFile,
    scopes,
    ...(expiresAtMs !== undefined ? { expiresAt: new Date(expiresAtMs).toISOString() } : {}),
    ...(email ? { email } : {}),
  };
}
