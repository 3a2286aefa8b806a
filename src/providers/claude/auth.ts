/**
 * Claude credentials for the provider: an Anthropic API key, or Claude Code's OAuth tokens
 * refreshed through Anthropic's token endpoint (single-flight) and written back in place.
 */
import { readCredentialFile } from '../../auth/credential-file.js';
import type { CredentialStore, RefreshLock } from '../../auth/credential-store.js';
import { type CredentialCache, createCredentialCache } from '../../auth/single-flight.js';
import { postOAuthRequest } from '../../auth/token-request.js';
import { ProxyError } from '../../errors.js';
import { getNumber, getString } from '../../util/json.js';
import type { CredentialStatus } from '../provider.js';
import {
  type ClaudeCredentialPaths,
  type ClaudeOAuthCredentials,
  claudeCredentialStatus,
  mergeClaudeCredentials,
  parseClaudeCredentials,
  resolveClaudeCredentialsFile,
  writeClaudeCredentials,
} from './credentials.js';
import { CLAUDE_CLIENT_ID } from './login.js';

/** What a request is signed with. */
export type ClaudeCredentials =
  | { kind: 'api-key'; apiKey: string }
  | ({ kind: 'oauth'; file: string } & ClaudeOAuthCredentials);

/** Options of `createClaudeAuth`. */
export interface ClaudeAuthOptions {
  paths: ClaudeCredentialPaths;
  /** An API key (`ANTHROPIC_API_KEY` / `api_key`) and where it came from; used instead of OAuth. */
  apiKey?: { value: string; source: string };
  tokenUrl: string;
  fetch: typeof fetch;
  /** Wall-clock milliseconds. */
  now(): number;
  skewMs: number;
  onRefresh?(outcome: 'success' | 'failure'): void;
  onInsecureFile?(path: string): void;
  /** Where the OAuth credentials live instead of the files (a shared store). */
  store?: CredentialStore;
  /** Held around each refresh (shared by replicas). */
  lock?: RefreshLock;
}

/** The credential cache and a status report for `/health`. */
export interface ClaudeAuth {
  credentials: CredentialCache<ClaudeCredentials>;
  mode: 'api-key' | 'oauth';
  status(): Promise<CredentialStatus>;
}

const LOGIN_HINT = 'run `claude` to sign in again (or `ccproxy auth login claude`)';

async function requestRefresh(options: ClaudeAuthOptions, refreshToken: string) {
  let reply: Awaited<ReturnType<typeof postOAuthRequest>>;
  try {
    reply = await postOAuthRequest({
      url: options.tokenUrl,
      body: {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: CLAUDE_CLIENT_ID,
      },
      encoding: 'json',
      fetch: options.fetch,
      label: 'the Claude token endpoint',
    });
  } catch {
    throw new ProxyError(
      'upstream_unavailable',
      `Cannot reach the Claude token endpoint ${new URL(options.tokenUrl).host}`,
    );
  }
  if (reply.status === 400 || reply.status === 401 || reply.status === 403) {
    throw new ProxyError(
      'upstream_authentication',
      `Claude sign-in expired or was revoked: ${LOGIN_HINT}`,
      {
        status: 401,
        upstream: { status: reply.status },
      },
    );
  }
  const accessToken = getString(reply.body, 'access_token');
  if (!reply.ok || !accessToken) {
    throw new ProxyError('upstream_error', `Claude token refresh failed (HTTP ${reply.status})`, {
      upstream: { status: reply.status },
    });
  }
  return {
    accessToken,
    refreshToken: getString(reply.body, 'refresh_token'),
    expiresIn: getNumber(reply.body, 'expires_in'),
    scope: getString(reply.body, 'scope'),
  };
}

/** Creates the Claude auth for the provider. */
export function createClaudeAuth(options: ClaudeAuthOptions): ClaudeAuth {
  const apiKey = options.apiKey;
  if (apiKey) {
    const credentials: ClaudeCredentials = { kind: 'api-key', apiKey: apiKey.value };
    return {
      mode: 'api-key',
      credentials: {
        get: async () => credentials,
        refreshAfterRejection: async () => {
          throw new ProxyError(
            'upstream_authentication',
            `The Anthropic API key from ${apiKey.source} was rejected`,
            {
              status: 401,
            },
          );
        },
        invalidate: () => {},
      },
      status: () =>
        claudeCredentialStatus({
          paths: options.paths,
          apiKey: { source: apiKey.source },
          now: options.now,
        }),
    };
  }

  const warned = new Set<string>();
  const store = options.store;
  async function load(): Promise<ClaudeCredentials | undefined> {
    const path = store ? store.location : resolveClaudeCredentialsFile(options.paths).path;
    let content: Awaited<ReturnType<typeof readCredentialFile>>;
    try {
      content = store ? await store.read() : await readCredentialFile(path);
    } catch (error) {
      if (error instanceof ProxyError) throw error;
      throw new ProxyError(
        'upstream_authentication',
        `Claude credentials in "${path}" are unreadable: ${LOGIN_HINT}`,
      );
    }
    if (!content) return undefined;
    if (content.insecure && !warned.has(path)) {
      warned.add(path);
      options.onInsecureFile?.(path);
    }
    const parsed = parseClaudeCredentials(content.data);
    return parsed ? { kind: 'oauth', file: path, ...parsed } : undefined;
  }

  function needsRefresh(credentials: ClaudeCredentials): boolean {
    if (credentials.kind !== 'oauth' || credentials.expiresAtMs === undefined) return false;
    return options.now() >= credentials.expiresAtMs - options.skewMs;
  }

  async function refresh(credentials: ClaudeCredentials): Promise<ClaudeCredentials> {
    if (credentials.kind !== 'oauth') return credentials;
    if (!credentials.refreshToken) {
      throw new ProxyError(
        'upstream_authentication',
        `Claude access token expired and there is no refresh token: ${LOGIN_HINT}`,
      );
    }
    let reply: Awaited<ReturnType<typeof requestRefresh>>;
    try {
      reply = await requestRefresh(options, credentials.refreshToken);
      options.onRefresh?.('success');
    } catch (error) {
      options.onRefresh?.('failure');
      throw error;
    }
    const next: ClaudeOAuthCredentials = {
      accessToken: reply.accessToken,
      refreshToken: reply.refreshToken ?? credentials.refreshToken,
      ...(reply.expiresIn !== undefined
        ? { expiresAtMs: options.now() + reply.expiresIn * 1000 }
        : {}),
      scopes: reply.scope ? reply.scope.split(/\s+/).filter(Boolean) : credentials.scopes,
      ...(credentials.subscriptionType ? { subscriptionType: credentials.subscriptionType } : {}),
    };
    if (store) {
      const existing = await store.read().catch(() => undefined);
      await store.write(mergeClaudeCredentials(existing?.data, next));
    } else {
      await writeClaudeCredentials(credentials.file, next);
    }
    return { kind: 'oauth', file: credentials.file, ...next };
  }

  return {
    mode: 'oauth',
    credentials: createCredentialCache<ClaudeCredentials>({
      load,
      needsRefresh,
      refresh,
      sameToken: (a, b) =>
        (a.kind === 'oauth' ? a.accessToken : a.apiKey) ===
        (b.kind === 'oauth' ? b.accessToken : b.apiKey),
      ...(options.lock ? { lock: options.lock } : {}),
      missing: () => {
        const path = store ? store.location : resolveClaudeCredentialsFile(options.paths).path;
        return new ProxyError(
          'upstream_authentication',
          `No Claude credentials found in "${path}": ${LOGIN_HINT}, or set ANTHROPIC_API_KEY`,
        );
      },
    }),
    status: () =>
      store
        ? storeStatus(store, options.now())
        : claudeCredentialStatus({ paths: options.paths, now: options.now }),
  };
}

/** The state of credentials kept in a shared store, never a token. */
async function storeStatus(store: CredentialStore, nowMs: number): Promise<CredentialStatus> {
  let data: unknown;
  try {
    data = (await store.read())?.data;
  } catch (error) {
    return {
      state: 'invalid',
      source: store.location,
      detail: error instanceof ProxyError ? error.message : 'unreadable credentials',
    };
  }
  const credentials = parseClaudeCredentials(data);
  if (!credentials) return { state: 'missing', source: store.location };
  const expired = credentials.expiresAtMs !== undefined && nowMs >= credentials.expiresAtMs;
  return {
    state: expired ? 'expired' : 'present',
    source: store.location,
    refreshable: credentials.refreshToken !== undefined,
    ...(credentials.expiresAtMs !== undefined
      ? { expiresAt: new Date(credentials.expiresAtMs).toISOString() }
      : {}),
    ...(credentials.subscriptionType ? { plan: credentials.subscriptionType } : {}),
  };
}
