/**
 * Codex credentials: the Codex CLI's `auth.json` (`$CODEX_HOME/auth.json`), refreshed through
 * OpenAI's token endpoint and written back in the same format, so both tools share one login.
 */
import { readCredentialFile, writeCredentialFile } from '../../auth/credential-file.js';
import { decodeJwtPayload, jwtExpiryMs } from '../../auth/jwt.js';
import { type CredentialCache, createCredentialCache } from '../../auth/single-flight.js';
import { ProxyError } from '../../errors.js';
import { getRecord, getString, isRecord, type JsonObject } from '../../util/json.js';
import { registerSecretsIn } from '../../util/secrets.js';
import type { CredentialStatus } from '../provider.js';

/** The Codex CLI's public OAuth client id. */
export const CODEX_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
/** Default OAuth token endpoint. */
export const CODEX_TOKEN_URL = 'https://auth.openai.com/oauth/token';
const AUTH_CLAIM = 'https://api.openai.com/auth';

/** Tokens read from `auth.json`. */
export interface CodexCredentials {
  accessToken: string;
  refreshToken: string;
  idToken?: string;
  accountId?: string;
  /** Access-token expiry from its JWT `exp`, in ms. */
  expiresAtMs?: number;
  /** `last_refresh`, in ms. */
  lastRefreshMs?: number;
}

/** Reads the ChatGPT account id and plan from an id token's claims. */
export function readIdTokenClaims(idToken: string | undefined): {
  accountId?: string;
  plan?: string;
  email?: string;
} {
  if (!idToken) return {};
  const payload = decodeJwtPayload(idToken);
  if (!payload) return {};
  const auth = isRecord(payload[AUTH_CLAIM]) ? (payload[AUTH_CLAIM] as JsonObject) : {};
  const accountId = getString(auth, 'chatgpt_account_id');
  const plan = getString(auth, 'chatgpt_plan_type');
  const email = getString(payload, 'email');
  return {
    ...(accountId !== undefined ? { accountId } : {}),
    ...(plan !== undefined ? { plan } : {}),
    ...(email !== undefined ? { email } : {}),
  };
}

/** Parses `auth.json`; `undefined` when it holds no ChatGPT tokens. */
export function parseCodexAuth(data: unknown): CodexCredentials | undefined {
  if (!isRecord(data)) return undefined;
  const tokens = getRecord(data, 'tokens');
  if (!tokens) return undefined;
  const accessToken = getString(tokens, 'access_token');
  const refreshToken = getString(tokens, 'refresh_token');
  if (!accessToken || !refreshToken) return undefined;
  const idToken = getString(tokens, 'id_token');
  const accountId = getString(tokens, 'account_id') ?? readIdTokenClaims(idToken).accountId;
  const expiresAtMs = jwtExpiryMs(accessToken);
  const lastRefresh = getString(data, 'last_refresh');
  const lastRefreshMs = lastRefresh ? Date.parse(lastRefresh) : Number.NaN;
  return {
    accessToken,
    refreshToken,
    ...(idToken !== undefined ? { idToken } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
    ...(expiresAtMs !== undefined ? { expiresAtMs } : {}),
    ...(Number.isFinite(lastRefreshMs) ? { lastRefreshMs } : {}),
  };
}

/** Options of `createCodexAuth`. */
export interface CodexAuthOptions {
  authFile: string;
  tokenUrl: string;
  fetch: typeof fetch;
  /** Wall-clock milliseconds. */
  now(): number;
  /** Refresh this long before expiry (ms). */
  skewMs: number;
  /** Without a readable expiry, refresh tokens older than this (ms). */
  maxAgeMs: number;
  /** Told about every refresh and its outcome. */
  onRefresh?(outcome: 'success' | 'failure'): void;
  /** Told once when the file is readable by others. */
  onInsecureFile?(path: string): void;
}

/** The Codex credential cache plus a status report for `/health`. */
export interface CodexAuth {
  credentials: CredentialCache<CodexCredentials>;
  status(): Promise<CredentialStatus>;
}

function loginHint(): string {
  return 'run `codex login` (or `ccproxy auth login codex`) and try again';
}

async function requestRefresh(
  options: CodexAuthOptions,
  refreshToken: string,
): Promise<JsonObject> {
  let response: Response;
  try {
    response = await options.fetch(options.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        client_id: CODEX_CLIENT_ID,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        scope: 'openid profile email',
      }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    throw new ProxyError(
      'upstream_unavailable',
      `Cannot reach the Codex token endpoint ${new URL(options.tokenUrl).host}`,
    );
  }
  const body: unknown = await response.json().catch(() => undefined);
  // Minted tokens are known by value from now on, whatever their shape.
  registerSecretsIn(body);
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    throw new ProxyError(
      'upstream_authentication',
      `Codex sign-in expired or was revoked: ${loginHint()}`,
      { status: 401, upstream: { status: response.status } },
    );
  }
  if (!response.ok || !isRecord(body) || typeof body.access_token !== 'string') {
    throw new ProxyError('upstream_error', `Codex token refresh failed (HTTP ${response.status})`, {
      upstream: { status: response.status },
    });
  }
  return body;
}

/** Creates the Codex auth: single-flight refresh with write-back to `auth.json`. */
export function createCodexAuth(options: CodexAuthOptions): CodexAuth {
  let warnedInsecure = false;

  async function load(): Promise<CodexCredentials | undefined> {
    let content: Awaited<ReturnType<typeof readCredentialFile>>;
    try {
      content = await readCredentialFile(options.authFile);
    } catch {
      throw new ProxyError(
        'upstream_authentication',
        `Codex credentials in "${options.authFile}" are unreadable: ${loginHint()}`,
      );
    }
    if (!content) return undefined;
    if (content.insecure && !warnedInsecure) {
      warnedInsecure = true;
      options.onInsecureFile?.(options.authFile);
    }
    return parseCodexAuth(content.data);
  }

  function needsRefresh(credentials: CodexCredentials): boolean {
    const now = options.now();
    if (credentials.expiresAtMs !== undefined)
      return now >= credentials.expiresAtMs - options.skewMs;
    if (credentials.lastRefreshMs !== undefined)
      return now - credentials.lastRefreshMs >= options.maxAgeMs;
    return false;
  }

  async function refresh(credentials: CodexCredentials): Promise<CodexCredentials> {
    let body: JsonObject;
    try {
      body = await requestRefresh(options, credentials.refreshToken);
      options.onRefresh?.('success');
    } catch (error) {
      options.onRefresh?.('failure');
      throw error;
    }
    const current = (await readCredentialFile(options.authFile).catch(() => undefined))?.data;
    const file: JsonObject = isRecord(current) ? { ...current } : {};
    const tokens: JsonObject = { ...(getRecord(file, 'tokens') ?? {}) };
    tokens.access_token = body.access_token;
    if (typeof body.refresh_token === 'string') tokens.refresh_token = body.refresh_token;
    else tokens.refresh_token ??= credentials.refreshToken;
    if (typeof body.id_token === 'string') tokens.id_token = body.id_token;
    if (typeof tokens.account_id !== 'string' && credentials.accountId)
      tokens.account_id = credentials.accountId;
    file.tokens = tokens;
    file.last_refresh = new Date(options.now()).toISOString();
    await writeCredentialFile(options.authFile, file);
    const parsed = parseCodexAuth(file);
    if (!parsed)
      throw new ProxyError('internal', 'Refreshed Codex credentials could not be read back');
    return parsed;
  }

  const credentials = createCredentialCache<CodexCredentials>({
    load,
    needsRefresh,
    refresh,
    sameToken: (a, b) => a.accessToken === b.accessToken,
    missing: () =>
      new ProxyError(
        'upstream_authentication',
        `No Codex credentials found in "${options.authFile}": ${loginHint()}`,
      ),
  });

  async function status(): Promise<CredentialStatus> {
    let parsed: CodexCredentials | undefined;
    try {
      parsed = await load();
    } catch {
      return { state: 'invalid', source: options.authFile, detail: 'unreadable credentials file' };
    }
    if (!parsed) return { state: 'missing', source: options.authFile };
    const claims = readIdTokenClaims(parsed.idToken);
    return {
      state: needsRefresh(parsed) ? 'expired' : 'present',
      source: options.authFile,
      refreshable: true,
      ...(parsed.expiresAtMs !== undefined
        ? { expiresAt: new Date(parsed.expiresAtMs).toISOString() }
        : {}),
      ...(claims.email !== undefined ? { account: claims.email } : {}),
      ...(claims.plan !== undefined ? { plan: claims.plan } : {}),
    };
  }

  return { credentials, status };
}
