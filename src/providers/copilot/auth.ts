/**
 * Copilot credentials: the user's GitHub token, exchanged at GitHub for a short-lived Copilot
 * token (`/copilot_internal/v2/token`), cached and exchanged again before it expires or after a
 * 401, one exchange at a time.
 */
import type { UsageReport } from '../../accounts/plan-usage.js';
import { type CredentialCache, createCredentialCache } from '../../auth/single-flight.js';
import { ProxyError } from '../../errors.js';
import { getNumber, getRecord, getString, isRecord } from '../../util/json.js';
import { registerSecretsIn } from '../../util/secrets.js';
import type { CredentialStatus } from '../provider.js';
import {
  type CopilotTokenSources,
  copilotStoreLocation,
  resolveCopilotGithubToken,
} from './credentials.js';
import { readCopilotQuota } from './usage.js';

/** A Copilot API token and where to use it. */
export interface CopilotToken {
  token: string;
  /** Expiry in ms. */
  expiresAtMs: number;
  /** Inference base from the token's `endpoints.api`, when GitHub gave one. */
  apiBase?: string;
}

/** Options of `createCopilotAuth`. */
export interface CopilotAuthOptions {
  sources: CopilotTokenSources;
  githubApiUrl: string;
  /** Headers identifying the editor, sent with the exchange too. */
  editorHeaders: Record<string, string>;
  fetch: typeof fetch;
  /** Wall-clock milliseconds. */
  now(): number;
  skewMs: number;
  onExchange?(outcome: 'success' | 'failure'): void;
  onInsecureFile?(path: string): void;
  /**
   * Told the plan's quotas (GitHub's `/copilot_internal/user`), read after each token exchange
   * without holding it up; absent: not asked.
   */
  onQuota?(report: UsageReport): void;
}

/** The Copilot token cache and a status report. */
export interface CopilotAuth {
  credentials: CredentialCache<CopilotToken>;
  status(): Promise<CredentialStatus>;
}

const LOGIN_HINT = 'run `ccproxy auth login copilot` or set GH_TOKEN';

/** Exchanges the GitHub token for a Copilot token. */
async function exchange(options: CopilotAuthOptions): Promise<CopilotToken> {
  const github = await resolveCopilotGithubToken(options.sources).catch((error: unknown) => {
    // A shared store that cannot be reached says so (503), not "sign in again".
    if (error instanceof ProxyError) throw error;
    throw new ProxyError(
      'upstream_authentication',
      `The Copilot login in "${copilotStoreLocation(options.sources)}" is unreadable: ${LOGIN_HINT}`,
    );
  });
  if (!github) {
    throw new ProxyError('upstream_authentication', `No GitHub token for Copilot: ${LOGIN_HINT}`);
  }
  if (github.insecure) options.onInsecureFile?.(github.source);
  const url = `${options.githubApiUrl.replace(/\/+$/, '')}/copilot_internal/v2/token`;
  let response: Response;
  try {
    response = await options.fetch(url, {
      headers: {
        ...options.editorHeaders,
        authorization: `token ${github.token}`,
        accept: 'application/json',
      },
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    options.onExchange?.('failure');
    throw new ProxyError(
      'upstream_unavailable',
      `Cannot reach GitHub (${new URL(url).host}) for a Copilot token`,
    );
  }
  const body: unknown = await response.json().catch(() => undefined);
  // The minted Copilot token is known by value from now on, whatever its shape.
  registerSecretsIn(body);
  if (response.status === 401 || response.status === 403 || response.status === 404) {
    options.onExchange?.('failure');
    throw new ProxyError(
      'upstream_authentication',
      `GitHub refused a Copilot token for the token from ${github.source} (HTTP ${response.status}): check the account has Copilot, or ${LOGIN_HINT}`,
      { status: 401, upstream: { status: response.status } },
    );
  }
  const token = isRecord(body) ? getString(body, 'token') : undefined;
  if (!response.ok || !isRecord(body) || !token) {
    options.onExchange?.('failure');
    throw new ProxyError(
      'upstream_error',
      `GitHub Copilot token exchange failed (HTTP ${response.status})`,
      {
        upstream: { status: response.status },
      },
    );
  }
  options.onExchange?.('success');
  if (options.onQuota) void readQuota(options, github.token, options.onQuota);
  const expiresAt = getNumber(body, 'expires_at');
  const refreshIn = getNumber(body, 'refresh_in');
  const endpoints = getRecord(body, 'endpoints');
  const apiBase = endpoints ? getString(endpoints, 'api') : undefined;
  const expiresAtMs =
    expiresAt !== undefined ? expiresAt * 1000 : options.now() + (refreshIn ?? 1500) * 1000;
  return { token, expiresAtMs, ...(apiBase ? { apiBase } : {}) };
}

/** Asks GitHub for the plan's quotas; any failure only means no figures this time. */
async function readQuota(
  options: CopilotAuthOptions,
  githubToken: string,
  onQuota: (report: UsageReport) => void,
): Promise<void> {
  try {
    const response = await options.fetch(
      `${options.githubApiUrl.replace(/\/+$/, '')}/copilot_internal/user`,
      {
        headers: {
          ...options.editorHeaders,
          authorization: `token ${githubToken}`,
          accept: 'application/json',
        },
        signal: AbortSignal.timeout(10_000),
      },
    );
    if (!response.ok) {
      await response.body?.cancel();
      return;
    }
    const report = readCopilotQuota(await response.json());
    if (report) onQuota(report);
  } catch {
    // Quotas are informational.
  }
}

/** Creates the Copilot auth. */
export function createCopilotAuth(options: CopilotAuthOptions): CopilotAuth {
  let last: CopilotToken | undefined;
  const credentials = createCredentialCache<CopilotToken>({
    // There is no store to read: the first load exchanges; later loads give the last token.
    load: async () => {
      last ??= await exchange(options);
      return last;
    },
    needsRefresh: (token) => options.now() >= token.expiresAtMs - options.skewMs,
    refresh: async () => {
      last = await exchange(options);
      return last;
    },
    sameToken: (a, b) => a.token === b.token,
    missing: () =>
      new ProxyError('upstream_authentication', `No GitHub token for Copilot: ${LOGIN_HINT}`),
  });

  async function status(): Promise<CredentialStatus> {
    let github: Awaited<ReturnType<typeof resolveCopilotGithubToken>>;
    try {
      github = await resolveCopilotGithubToken(options.sources);
    } catch (error) {
      return {
        state: 'invalid',
        source: copilotStoreLocation(options.sources),
        detail: error instanceof ProxyError ? error.message : 'unreadable credentials file',
      };
    }
    if (!github) return { state: 'missing', source: copilotStoreLocation(options.sources) };
    return {
      state: 'present',
      source: github.source,
      refreshable: true,
      ...(last
        ? { expiresAt: new Date(last.expiresAtMs).toISOString(), detail: 'Copilot token exchanged' }
        : {}),
    };
  }

  return { credentials, status };
}
