/** The Codex provider: a ChatGPT plan through the Codex backend (Responses format, streams only). */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { PlanUsageRecorder } from '../../accounts/plan-usage.js';
import type { CredentialStore, RefreshLock } from '../../auth/credential-store.js';
import type { Config } from '../../config/schema.js';
import { readBodyJson, type UpstreamResponse } from '../../http/upstream-fetch.js';
import type { Logger } from '../../observability/logger.js';
import type { ProxyMetrics } from '../../observability/metrics.js';
import { jsonText } from '../../util/json-text.js';
import { VERSION } from '../../version.js';
import {
  createModelCatalog,
  DEFAULT_MODEL_CACHE,
  type ModelCacheSettings,
} from '../model-catalog.js';
import type { Provider } from '../provider.js';
import { checkModelRules } from '../resolve-model.js';
import { sendWithAuth } from '../send-with-auth.js';
import { requestHttp, type UpstreamHttp } from '../upstream-http.js';
import { CODEX_TOKEN_URL, type CodexCredentials, createCodexAuth } from './auth.js';
import { CODEX_CLIENT_VERSION, DEFAULT_CODEX_MODELS, readCodexModels } from './models.js';
import { DEFAULT_CODEX_INSTRUCTIONS, prepareCodexBody } from './request.js';
import { codexLimitResetAt, readCodexRateLimitsEvent, readCodexUsageHeaders } from './usage.js';

/** Default upstream base URL. */
export const CODEX_BASE_URL = 'https://chatgpt.com/backend-api/codex';

/** Dependencies of the Codex provider. */
export interface CodexProviderDeps {
  settings: Config['plugins']['codex'];
  /** For the token endpoint (a rare call). */
  fetch: typeof fetch;
  /** The upstream connection pool and timeouts. */
  http: UpstreamHttp;
  logger: Logger;
  metrics?: ProxyMetrics;
  /** Wall-clock milliseconds. */
  now(): number;
  /** Home directory (for the default `~/.codex`). */
  home?: string;
  /** Where the plan usage each answer reports is recorded. */
  planUsage?: PlanUsageRecorder;
  /** The account this instance signs in as (default `default`). */
  account?: string;
  /** Shared credentials and refresh lock (the Redis state backend); default: files. */
  shared?: { store: CredentialStore; lock: RefreshLock };
  /** The account's `auth.json` (default `$CODEX_HOME/auth.json`). */
  authFile?: string;
  /** How long the backend's model list is reused. */
  modelCache?: ModelCacheSettings;
}

/** Creates the Codex provider. */
export function createCodexProvider(deps: CodexProviderDeps): Provider {
  const { settings } = deps;
  checkModelRules(settings.model_mappings, 'plugins.codex');
  const baseUrl = (settings.base_url ?? CODEX_BASE_URL).replace(/\/+$/, '');
  const codexHome = settings.codex_home ?? join(deps.home ?? homedir(), '.codex');
  const authFile = deps.authFile ?? join(codexHome, 'auth.json');
  const account = deps.account ?? 'default';
  const auth = createCodexAuth({
    authFile,
    tokenUrl: settings.token_url ?? CODEX_TOKEN_URL,
    fetch: deps.fetch,
    now: deps.now,
    skewMs: settings.refresh_skew_seconds * 1000,
    maxAgeMs: settings.max_token_age_seconds * 1000,
    ...(deps.shared ?? {}),
    onRefresh: (outcome) => {
      deps.metrics?.tokenRefreshes.inc({ provider: 'codex', outcome });
      if (outcome === 'success')
        deps.logger.info({ provider: 'codex' }, 'refreshed Codex access token');
      else deps.logger.warn({ provider: 'codex' }, 'Codex token refresh failed');
    },
    onInsecureFile: (path) =>
      deps.logger.warn(
        { path },
        'credentials file is readable by other users; run chmod 600 on it',
      ),
  });

  function headers(credentials: CodexCredentials, sessionId: string): Record<string, string> {
    return {
      authorization: `Bearer ${credentials.accessToken}`,
      ...(credentials.accountId ? { 'chatgpt-account-id': credentials.accountId } : {}),
      'openai-beta': 'responses=experimental',
      originator: 'codex_cli_rs',
      session_id: sessionId,
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'user-agent': `codex_cli_rs (ccproxy ${VERSION})`,
    };
  }

  /**
   * Records the usage an answer reports: in its headers, and in the `codex.rate_limits` events
   * of its stream, which the route's stream step hands back as it reads them (`onBackendEvent`).
   */
  function observeUsage(response: UpstreamResponse, account: string): UpstreamResponse {
    const recorder = deps.planUsage;
    if (!recorder) return response;
    const report = readCodexUsageHeaders(response.headers, deps.now());
    if (report) recorder.record('codex', account, report);
    if (!response.ok) return response;
    return {
      ...response,
      onBackendEvent: (event) => {
        if (event.type !== 'codex.rate_limits') return;
        const limits = readCodexRateLimitsEvent(event, deps.now());
        if (limits) recorder.record('codex', account, limits);
      },
    };
  }
  // The backend's model list, as the Codex CLI reads it (`GET {base}/models?client_version=`).
  const models = createModelCatalog({
    label: 'Codex',
    fallback: DEFAULT_CODEX_MODELS,
    cache: deps.modelCache ?? DEFAULT_MODEL_CACHE,
    logger: deps.logger,
    async fetch() {
      const response = await sendWithAuth({
        credentials: auth.credentials,
        url: `${baseUrl}/models?client_version=${CODEX_CLIENT_VERSION}`,
        buildInit: (credentials) => {
          const { session_id: _s, 'content-type': _c, ...rest } = headers(credentials, '');
          return { method: 'GET', headers: { ...rest, accept: 'application/json' } };
        },
        http: { ...deps.http, maxRetries: 0, signal: AbortSignal.timeout(15_000) },
      });
      const body = await readBodyJson(response, 4 * 1024 * 1024);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return readCodexModels(body);
    },
  });

  return {
    id: 'codex',
    format: 'openai-responses',
    streamingOnly: true,
    modelMappings: settings.model_mappings,
    // ccproxy-api served the Responses API at `/codex/responses` too; keep that base URL working.
    extraRoutes: [{ suffix: '/responses', format: 'openai-responses' }],
    prepareBody: (body, context) =>
      prepareCodexBody(body, context, {
        defaultInstructions: settings.default_instructions ?? DEFAULT_CODEX_INSTRUCTIONS,
      }),
    async send(call) {
      const sessionId = String(call.body.prompt_cache_key ?? '');
      const payload = jsonText(call.body);
      const response = await sendWithAuth({
        credentials: auth.credentials,
        url: `${baseUrl}/responses`,
        buildInit: (credentials) => ({
          method: 'POST',
          headers: headers(credentials, sessionId),
          body: payload,
        }),
        http: requestHttp(deps.http, call.signal, call.logger),
      });
      return observeUsage(response, account);
    },
    listModels: async () => settings.models_endpoint ?? models.list(),
    credentialStatus: () => auth.status(),
    limitResetAt: (_status, headers, nowMs) => codexLimitResetAt(headers, nowMs),
  };
}
