/** The Claude provider: a Claude plan (Claude Code's OAuth login) or an Anthropic API key. */
import { homedir } from 'node:os';
import type { PlanUsageRecorder } from '../../accounts/plan-usage.js';
import type { CredentialStore, RefreshLock } from '../../auth/credential-store.js';
import type { Config, ModelCard } from '../../config/schema.js';
import type { WireBody } from '../../formats/format.js';
import { readBodyJson } from '../../http/upstream-fetch.js';
import type { Logger } from '../../observability/logger.js';
import type { ProxyMetrics } from '../../observability/metrics.js';
import { jsonText } from '../../util/json-text.js';
import type { RequestSignal } from '../../util/request-signal.js';
import { VERSION } from '../../version.js';
import {
  createModelCatalog,
  DEFAULT_MODEL_CACHE,
  type ModelCacheSettings,
} from '../model-catalog.js';
import type { Provider } from '../provider.js';
import { checkModelRules, resolveModel } from '../resolve-model.js';
import { sendWithAuth } from '../send-with-auth.js';
import { requestHttp, type UpstreamHttp } from '../upstream-http.js';
import { type ClaudeCredentials, createClaudeAuth } from './auth.js';
import { claudeCredentialPaths } from './credentials.js';
import { CLAUDE_TOKEN_URL } from './login.js';
import { DEFAULT_CLAUDE_MODELS, MAX_MODEL_PAGES, readClaudeModelPage } from './models.js';
import { betasForBody, mergeBetas, OAUTH_BETAS, prepareClaudeBody } from './request.js';
import { anthropicRejectedResetMs, readAnthropicUsageHeaders } from './usage.js';

/** Default upstream base URL. */
export const CLAUDE_BASE_URL = 'https://api.anthropic.com';
/** The API version ccproxy speaks upstream, whatever the client sent. */
export const ANTHROPIC_VERSION = '2023-06-01';
const USER_AGENT = `ccproxy/${VERSION}`;

/** Dependencies of the Claude provider. */
export interface ClaudeProviderDeps {
  settings: Config['plugins']['claude_api'];
  /** Where the API key came from, for messages (`ANTHROPIC_API_KEY` or the config file). */
  apiKeySource?: string;
  /** For the token endpoint. */
  fetch: typeof fetch;
  http: UpstreamHttp;
  logger: Logger;
  metrics?: ProxyMetrics;
  /** Wall-clock milliseconds. */
  now(): number;
  /** ccproxy's data directory (its own credential store). */
  dataDir: string;
  home?: string;
  /** Where the plan usage each answer reports is recorded. */
  planUsage?: PlanUsageRecorder;
  /** The account this instance signs in as (default `default`). */
  account?: string;
  /** Shared credentials and refresh lock (the Redis state backend); default: files. */
  shared?: { store: CredentialStore; lock: RefreshLock };
  /** A named account's own credentials file (no API key, no fallback to other files). */
  credentialsFile?: string;
  /** How long the API's model list is reused. */
  modelCache?: ModelCacheSettings;
}

/** Creates the Claude provider. */
export function createClaudeProvider(deps: ClaudeProviderDeps): Provider {
  const { settings } = deps;
  checkModelRules(settings.model_mappings, 'plugins.claude_api');
  const baseUrl = (settings.base_url ?? CLAUDE_BASE_URL).replace(/\/+$/, '');
  const account = deps.account ?? 'default';
  const named = deps.credentialsFile;
  const auth = createClaudeAuth({
    paths: named
      ? { setting: named, ccproxyStore: named, claudeCode: named }
      : claudeCredentialPaths({
          credentialsFile: settings.credentials_file,
          dataDir: deps.dataDir,
          home: deps.home ?? homedir(),
        }),
    ...(settings.api_key && !named
      ? { apiKey: { value: settings.api_key, source: deps.apiKeySource ?? 'the config file' } }
      : {}),
    tokenUrl: settings.token_url ?? CLAUDE_TOKEN_URL,
    ...(deps.shared ?? {}),
    fetch: deps.fetch,
    now: deps.now,
    skewMs: settings.refresh_skew_seconds * 1000,
    onRefresh: (outcome) => {
      deps.metrics?.tokenRefreshes.inc({ provider: 'claude', outcome });
      if (outcome === 'success')
        deps.logger.info({ provider: 'claude' }, 'refreshed Claude access token');
      else deps.logger.warn({ provider: 'claude' }, 'Claude token refresh failed');
    },
    onInsecureFile: (path) =>
      deps.logger.warn(
        { path },
        'credentials file is readable by other users; run chmod 600 on it',
      ),
  });
  const oauth = auth.mode === 'oauth';

  function headers(
    credentials: ClaudeCredentials,
    clientHeaders: Headers,
    stream: boolean,
    bodyBetas: readonly string[],
  ): Record<string, string> {
    const clientBetas = clientHeaders.get('anthropic-beta');
    const betas =
      credentials.kind === 'oauth'
        ? mergeBetas(clientBetas, [...OAUTH_BETAS, ...bodyBetas])
        : mergeBetas(clientBetas, bodyBetas);
    // Field by field (spreads of conditional literals took V8's slow path, 2% of a request).
    const out: Record<string, string> = {};
    if (credentials.kind === 'oauth') out.authorization = `Bearer ${credentials.accessToken}`;
    else out['x-api-key'] = credentials.apiKey;
    out['anthropic-version'] = ANTHROPIC_VERSION;
    if (betas !== '') out['anthropic-beta'] = betas;
    out['content-type'] = 'application/json';
    out.accept = stream ? 'text/event-stream' : 'application/json';
    out['user-agent'] = USER_AGENT;
    return out;
  }

  async function post(
    path: string,
    body: WireBody,
    clientHeaders: Headers,
    stream: boolean,
    signal: RequestSignal,
    logger?: Logger,
  ) {
    const payload = jsonText(body);
    const bodyBetas = betasForBody(body);
    const response = await sendWithAuth({
      credentials: auth.credentials,
      url: `${baseUrl}${path}`,
      buildInit: (credentials) => ({
        method: 'POST',
        headers: headers(credentials, clientHeaders, stream, bodyBetas),
        body: payload,
      }),
      http: requestHttp(deps.http, signal, logger),
    });
    const report = readAnthropicUsageHeaders(response.headers);
    if (report) deps.planUsage?.record('claude', account, report);
    return response;
  }

  // The API's model list, every page of it.
  const models = createModelCatalog({
    label: 'Claude',
    fallback: DEFAULT_CLAUDE_MODELS,
    cache: deps.modelCache ?? DEFAULT_MODEL_CACHE,
    logger: deps.logger,
    async fetch() {
      const cards: ModelCard[] = [];
      let after: string | undefined;
      for (let page = 0; page < MAX_MODEL_PAGES; page++) {
        const query = `limit=1000${after ? `&after_id=${encodeURIComponent(after)}` : ''}`;
        const response = await sendWithAuth({
          credentials: auth.credentials,
          url: `${baseUrl}/v1/models?${query}`,
          buildInit: (credentials) => {
            const { 'content-type': _c, ...rest } = headers(credentials, new Headers(), false, []);
            return { method: 'GET', headers: rest };
          },
          http: { ...deps.http, maxRetries: 0, signal: AbortSignal.timeout(15_000) },
        });
        const body = await readBodyJson(response, 4 * 1024 * 1024);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const read = readClaudeModelPage(body);
        cards.push(...read.cards);
        if (!read.next) break;
        after = read.next;
      }
      return cards;
    },
  });

  return {
    id: 'claude',
    format: 'anthropic-messages',
    streamingOnly: false,
    modelMappings: settings.model_mappings,
    prepareBody: (body) => prepareClaudeBody(body, { oauth }),
    send: (call) =>
      post(
        '/v1/messages',
        call.body,
        call.context.clientHeaders,
        call.stream,
        call.signal,
        call.logger,
      ),
    countTokens(body, context) {
      const model =
        typeof body.model === 'string'
          ? resolveModel(settings.model_mappings, body.model)
          : body.model;
      const shaped = prepareClaudeBody({ ...body, model }, { oauth }).value;
      return post(
        '/v1/messages/count_tokens',
        shaped,
        context.clientHeaders,
        false,
        context.signal,
      );
    },
    listModels: async () => settings.models_endpoint ?? models.list(),
    credentialStatus: () => auth.status(),
    limitResetAt: (_status, headers) => anthropicRejectedResetMs(headers),
  };
}
