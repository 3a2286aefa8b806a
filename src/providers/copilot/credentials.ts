/**
 * The GitHub token the Copilot provider starts from: the `github_token` setting (`GH_TOKEN`), or
 * the one `ccproxy auth login copilot` stored in `{dataDir}/copilot.json` (or, with the Redis state
 * backend, in Redis); and its status.
 */
import { join } from 'node:path';
import { type CredentialStore, fileCredentialStore } from '../../auth/credential-store.js';
import { ProxyError } from '../../errors.js';
import { getString, isRecord } from '../../util/json.js';
import { registerSecret } from '../../util/secrets.js';
import type { CredentialStatus } from '../provider.js';

/** Default GitHub web base (device flow). */
export const GITHUB_URL = 'https://github.com';
/** Default GitHub API base. */
export const GITHUB_API_URL = 'https://api.github.com';
/** The OAuth client id of the GitHub Copilot editor plugins' device flow. */
export const COPILOT_CLIENT_ID = 'Iv1.b507a08c87ecfe98';

/** `{dataDir}/copilot.json`. */
export function copilotStorePath(dataDir: string): string {
  return join(dataDir, 'copilot.json');
}

/** The stored GitHub token. */
export interface CopilotStoredToken {
  githubToken: string;
  tokenType?: string;
  scope?: string;
  /** ISO date of the login. */
  createdAt?: string;
}

/** Parses `copilot.json`; `undefined` when it holds no token. */
export function parseCopilotStore(data: unknown): CopilotStoredToken | undefined {
  if (!isRecord(data)) return undefined;
  const githubToken = getString(data, 'github_token');
  if (!githubToken) return undefined;
  const tokenType = getString(data, 'token_type');
  const scope = getString(data, 'scope');
  const createdAt = getString(data, 'created_at');
  return {
    githubToken,
    ...(tokenType !== undefined ? { tokenType } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
  };
}

/** The stored form of a token (`copilot.json`'s layout, also what Redis holds). */
export function copilotStoreData(token: CopilotStoredToken, nowMs = Date.now()): object {
  return {
    github_token: token.githubToken,
    token_type: token.tokenType ?? 'bearer',
    scope: token.scope ?? '',
    created_at: token.createdAt ?? new Date(nowMs).toISOString(),
  };
}

/**
 * Stores a token: in `copilot.json` (a path: atomically, mode 0600) or in a credential store
 * (Redis: a compare-and-set write).
 */
export async function writeCopilotStore(
  target: string | CredentialStore,
  token: CopilotStoredToken,
): Promise<void> {
  const store = typeof target === 'string' ? fileCredentialStore(target) : target;
  await store.write(copilotStoreData(token));
}

/** Where to find the GitHub token. */
export interface CopilotTokenSources {
  /** The `github_token` setting, when set. */
  githubToken?: string | undefined;
  /** How to name that setting to the user (`GH_TOKEN`, or the config key and file). */
  githubTokenSource?: string | undefined;
  /** `{dataDir}/copilot.json` (or a named account's file). */
  storeFile: string;
  /** Where the login is kept instead of `storeFile` (the shared Redis state), when set. */
  store?: CredentialStore | undefined;
}

/** Where the stored login is read from, for messages (a path or `redis:<key>`); never a secret. */
export function copilotStoreLocation(sources: CopilotTokenSources): string {
  return sources.store?.location ?? sources.storeFile;
}

/** A GitHub token and where it came from. */
export interface CopilotGithubToken {
  token: string;
  source: string;
  kind: 'setting' | 'store';
  /** The store file is readable by other users. */
  insecure?: boolean;
}

/**
 * The GitHub token to use: the setting (`GH_TOKEN`) first, else the stored login (the file, or
 * the shared store when there is one); `undefined` when there is neither. Throws when the store
 * exists but cannot be read (a `ProxyError` when a shared store is unreachable).
 */
export async function resolveCopilotGithubToken(
  sources: CopilotTokenSources,
): Promise<CopilotGithubToken | undefined> {
  if (sources.githubToken) {
    return {
      token: sources.githubToken,
      source: sources.githubTokenSource ?? 'plugins.copilot.github_token',
      kind: 'setting',
    };
  }
  const store = sources.store ?? fileCredentialStore(sources.storeFile);
  const content = await store.read();
  const stored = content ? parseCopilotStore(content.data) : undefined;
  return stored
    ? {
        // Known to the log redactor by value, whichever store it came from.
        token: registerSecret(stored.githubToken),
        source: store.location,
        kind: 'store',
        ...(content?.insecure ? { insecure: true } : {}),
      }
    : undefined;
}

/** The outcome of asking GitHub who a token belongs to. */
export type GithubUserLookup =
  | { ok: true; login: string }
  | { ok: false; status?: number; reason: 'rejected' | 'unreachable' | 'error' };

/** Asks `GET {apiUrl}/user` for the token's login; never throws. */
export async function fetchGithubLogin(options: {
  apiUrl: string;
  token: string;
  fetch: typeof fetch;
  timeoutMs?: number;
}): Promise<GithubUserLookup> {
  let response: Response;
  let body: unknown;
  try {
    response = await options.fetch(`${options.apiUrl.replace(/\/+$/, '')}/user`, {
      headers: {
        authorization: `token ${options.token}`,
        accept: 'application/vnd.github+json',
        'user-agent': 'ccproxy',
      },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    body = await response.json().catch(() => undefined);
  } catch {
    return { ok: false, reason: 'unreachable' };
  }
  if (response.status === 401) return { ok: false, status: 401, reason: 'rejected' };
  const login = isRecord(body) ? getString(body, 'login') : undefined;
  if (!response.ok || !login) return { ok: false, status: response.status, reason: 'error' };
  return { ok: true, login };
}

/** Options of `copilotCredentialStatus`. */
export interface CopilotStatusOptions extends CopilotTokenSources {
  /** GitHub API base, for the account lookup. */
  githubApiUrl: string;
  fetch: typeof fetch;
  /** Bound on the account lookup, so status stays quick when GitHub is unreachable. */
  timeoutMs?: number;
}

/**
 * Where the GitHub token comes from, its state and the GitHub login it belongs to (when GitHub
 * answers). Never a token, and never fails for a network problem.
 */
export async function copilotCredentialStatus(
  options: CopilotStatusOptions,
): Promise<CredentialStatus> {
  let found: CopilotGithubToken | undefined;
  const location = copilotStoreLocation(options);
  try {
    found = await resolveCopilotGithubToken(options);
  } catch (error) {
    return {
      state: 'invalid',
      source: location,
      detail: error instanceof ProxyError ? error.message : 'unreadable credentials file',
    };
  }
  if (!found) return { state: 'missing', source: location };
  const lookup = await fetchGithubLogin({
    apiUrl: options.githubApiUrl,
    token: found.token,
    fetch: options.fetch,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  if (lookup.ok) return { state: 'present', source: found.source, account: lookup.login };
  if (lookup.reason === 'rejected') {
    return { state: 'invalid', source: found.source, detail: 'GitHub rejected the token' };
  }
  return {
    state: 'present',
    source: found.source,
    detail:
      lookup.reason === 'unreachable'
        ? 'GitHub unreachable; token not checked'
        : `GitHub answered HTTP ${lookup.status}; token not checked`,
  };
}
