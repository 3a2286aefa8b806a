/** The Copilot provider: GitHub Copilot's chat, responses and messages APIs with the user's GitHub login. */
import { randomUUID } from 'node:crypto';
import type { PlanUsageRecorder, UsageReport } from '../../accounts/plan-usage.js';
import type { CredentialStore } from '../../auth/credential-store.js';
import type { Config } from '../../config/schema.js';
import { fetchUpstream, readBodyJson } from '../../http/upstream-fetch.js';
import type { Logger } from '../../observability/logger.js';
import type { ProxyMetrics } from '../../observability/metrics.js';
import { jsonText } from '../../util/json-text.js';
import {
  createModelCatalog,
  DEFAULT_MODEL_CACHE,
  type ModelCacheSettings,
} from '../model-catalog.js';
import type { Provider } from '../provider.js';
import { checkModelRules } from '../resolve-model.js';
import { sendWithAuth } from '../send-with-auth.js';
import { requestHttp, type UpstreamHttp } from '../upstream-http.js';
import { type CopilotToken, createCopilotAuth } from './auth.js';
import { copilotStorePath, GITHUB_API_URL } from './credentials.js';
import { DEFAULT_COPILOT_MODELS, readCopilotModels } from './models.js';
import {
  COPILOT_PATHS,
  DEFAULT_COPILOT_HEADERS,
  type EndpointSupport,
  hasImages,
  initiatorOf,
  prepareCopilotBody,
  selectCopilotFormat,
} from './request.js';

/** Default inference base when the Copilot token names none. */
export const COPILOT_BASE_URL = 'https://api.githubcopilot.com';

/** Dependencies of the Copilot provider. */
export interface CopilotProviderDeps {
  settings: Config['plugins']['copilot'];
  /** How to name the `github_token` setting (`GH_TOKEN`). */
  githubTokenSource?: string;
  fetch: typeof fetch;
  http: UpstreamHttp;
  logger: Logger;
  metrics?: ProxyMetrics;
  now(): number;
  dataDir: string;
  /** A named account's own token store (the `github_token` setting is the default account's). */
  storeFile?: string;
  /** The account this instance signs in as (default `default`). */
  account?: string;
  /**
   * The shared state's store of this account's GitHub login (Redis), read instead of the file;
   * the short-lived Copilot token it is exchanged for stays in this process.
   */
  shared?: { store: CredentialStore };
  /** Where the plan's quotas are recorded (read after each token exchange). */
  planUsage?: PlanUsageRecorder;
  /** How long Copilot's model list is reused. */
  modelCache?: ModelCacheSettings;
}

/** Creates the Copilot provider. */
export function createCopilotProvider(deps: CopilotProviderDeps): Provider {
  const { settings } = deps;
  checkModelRules(settings.model_mappings, 'plugins.copilot');
  const editorHeaders = { ...DEFAULT_COPILOT_HEADERS, ...lowerKeys(settings.api_headers) };
  const auth = createCopilotAuth({
    sources: {
      githubToken: deps.storeFile ? undefined : settings.github_token,
      githubTokenSource: deps.githubTokenSource,
      storeFile: deps.storeFile ?? copilotStorePath(deps.dataDir),
      ...(deps.shared ? { store: deps.shared.store } : {}),
    },
    githubApiUrl: settings.github_api_url ?? GITHUB_API_URL,
    editorHeaders,
    fetch: deps.fetch,
    now: deps.now,
    skewMs: settings.refresh_skew_seconds * 1000,
    onInsecureFile: (path) =>
      deps.logger.warn(
        { path },
        'credentials file is readable by other users; run chmod 600 on it',
      ),
    ...(deps.planUsage
      ? {
          onQuota: (report: UsageReport) =>
            deps.planUsage?.record('copilot', deps.account ?? 'default', report),
        }
      : {}),
    onExchange: (outcome) => {
      deps.metrics?.tokenRefreshes.inc({ provider: 'copilot', outcome });
      if (outcome === 'failure')
        deps.logger.warn({ provider: 'copilot' }, 'Copilot token exchange failed');
      else deps.logger.debug({ provider: 'copilot' }, 'exchanged a Copilot token');
    },
  });
  let support: EndpointSupport = new Map();
  let supportRequested = false;

  function base(token: CopilotToken): string {
    return (settings.base_url ?? token.apiBase ?? COPILOT_BASE_URL).replace(/\/+$/, '');
  }

  function headers(token: CopilotToken, extra: Record<string, string>): Record<string, string> {
    return {
      ...editorHeaders,
      ...extra,
      authorization: `Bearer ${token.token}`,
      'x-request-id': randomUUID(),
    };
  }

  // Copilot's `/models`, which also says which API serves each model.
  const models = createModelCatalog({
    label: 'Copilot',
    fallback: DEFAULT_COPILOT_MODELS,
    cache: deps.modelCache ?? DEFAULT_MODEL_CACHE,
    logger: deps.logger,
    async fetch() {
      const token = await auth.credentials.get();
      const response = await fetchUpstream(
        `${base(token)}/models`,
        { method: 'GET', headers: headers(token, { accept: 'application/json' }) },
        { ...deps.http, maxRetries: 0, signal: AbortSignal.timeout(15_000) },
      );
      const body = await readBodyJson(response, 4 * 1024 * 1024);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const read = readCopilotModels(body);
      if (read.cards.length > 0) support = read.endpoints;
      return read.cards;
    },
  });

  return {
    id: 'copilot',
    format: 'openai-chat',
    selectFormat: (clientFormat, model) => selectCopilotFormat(clientFormat, model, support),
    streamingOnly: false,
    modelMappings: settings.model_mappings,
    prepareBody: (body, context) => prepareCopilotBody(body, context.upstreamFormat),
    async send(call) {
      if (!supportRequested) {
        // Learn which API serves which model, for later requests (this one uses the rules).
        supportRequested = true;
        void this.listModels().catch(() => {});
      }
      const format = call.context.upstreamFormat;
      const payload = jsonText(call.body);
      const extra: Record<string, string> = {
        'content-type': 'application/json',
        accept: call.stream ? 'text/event-stream' : 'application/json',
        'x-initiator': initiatorOf(call.body, format),
        ...(hasImages(call.body) ? { 'copilot-vision-request': 'true' } : {}),
        ...(format === 'anthropic-messages' ? { 'anthropic-version': '2023-06-01' } : {}),
      };
      const token = await auth.credentials.get();
      return sendWithAuth({
        credentials: auth.credentials,
        url: `${base(token)}${COPILOT_PATHS[format]}`,
        buildInit: (current) => ({
          method: 'POST',
          headers: headers(current, extra),
          body: payload,
        }),
        http: requestHttp(deps.http, call.signal, call.logger),
      });
    },
    async listModels() {
      const cards = await models.list();
      return settings.models_endpoint ?? cards;
    },
    credentialStatus: () => auth.status(),
  };
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]),
  );
}
