/**
 * OpenAI-compatible providers from config: any number of `[providers.NAME]` tables, each an API
 * reached with a key (OpenRouter, a local vLLM or Ollama server, DeepSeek, ...), speaking Chat
 * Completions, Responses or Anthropic Messages.
 */
import type { CompatibleProviderSettings, ModelCard } from '../../config/schema.js';
import { ProxyError } from '../../errors.js';
import type { WireBody } from '../../formats/format.js';
import { fetchUpstream, readBodyJson } from '../../http/upstream-fetch.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import type { Logger } from '../../observability/logger.js';
import { getArray, getString, isRecord } from '../../util/json.js';
import { jsonText } from '../../util/json-text.js';
import { registerSecret } from '../../util/secrets.js';
import {
  createModelCatalog,
  DEFAULT_MODEL_CACHE,
  type ModelCacheSettings,
} from '../model-catalog.js';
import type { Provider } from '../provider.js';
import { checkModelRules } from '../resolve-model.js';
import { requestHttp, type UpstreamHttp } from '../upstream-http.js';

const PATHS = {
  'openai-chat': '/chat/completions',
  'openai-responses': '/responses',
  'anthropic-messages': '/v1/messages',
} as const;

/** Dependencies of one configured provider. */
export interface CompatibleProviderDeps {
  name: string;
  settings: CompatibleProviderSettings;
  /** The environment, to read `api_key_env`. */
  env: Readonly<Record<string, string | undefined>>;
  http: UpstreamHttp;
  logger: Logger;
  /** How long the API's model list is reused. */
  modelCache?: ModelCacheSettings;
}

function keyOf(deps: CompatibleProviderDeps): { key?: string; problem?: string } {
  const { settings } = deps;
  if (settings.api_key_env) {
    const key = deps.env[settings.api_key_env];
    // Known by value from now on: an upstream echoing it in an error text gets it masked.
    if (key) return { key: registerSecret(key) };
    return {
      problem: `The environment variable ${settings.api_key_env} (providers.${deps.name}.api_key_env) is not set`,
    };
  }
  if (settings.api_key) return { key: settings.api_key };
  return {};
}

function authHeaders(
  format: CompatibleProviderSettings['format'],
  key: string | undefined,
): Record<string, string> {
  if (format === 'anthropic-messages') {
    return { 'anthropic-version': '2023-06-01', ...(key ? { 'x-api-key': key } : {}) };
  }
  return key ? { authorization: `Bearer ${key}` } : {};
}

/**
 * Creates a configured provider. An `api_key_env` key is read from the environment once found
 * (and again at each request while it is missing).
 */
export function createCompatibleProvider(deps: CompatibleProviderDeps): Provider {
  const { name, settings } = deps;
  checkModelRules(settings.model_mappings, `providers.${name}`);
  const base = settings.base_url.replace(/\/+$/, '');
  const format = settings.format;
  if (settings.api_key && !settings.api_key_env) {
    deps.logger.warn(
      { provider: name },
      `providers.${name}.api_key holds a key in plain text; prefer api_key_env`,
    );
  }
  const initial = keyOf(deps);
  if (initial.problem) deps.logger.warn({ provider: name }, initial.problem);

  // Read once (a read of `process.env` costs about a microsecond a request); while it is
  // missing it is read again at each request, so a key set later is taken. The two header sets
  // (streamed or not) are then made once and shared, frozen: nothing writes to them.
  let current = initial;
  let made:
    | readonly [Readonly<Record<string, string>>, Readonly<Record<string, string>>]
    | undefined;
  function makeHeaders(key: string | undefined, stream: boolean): Readonly<Record<string, string>> {
    return Object.freeze({
      ...settings.headers,
      ...authHeaders(format, key),
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
    });
  }
  function headers(stream: boolean): Readonly<Record<string, string>> {
    if (current.problem) {
      current = keyOf(deps);
      if (current.problem) {
        throw new ProxyError('upstream_authentication', current.problem, { status: 401 });
      }
    }
    made ??= [makeHeaders(current.key, false), makeHeaders(current.key, true)];
    return made[stream ? 1 : 0];
  }

  // The API's own list; with no `models` configured there is no list to fall back on, so a
  // failure with nothing fetched before is the client's error.
  const models = createModelCatalog({
    label: `providers.${name}`,
    cache: deps.modelCache ?? DEFAULT_MODEL_CACHE,
    logger: deps.logger,
    async fetch() {
      const path = format === 'anthropic-messages' ? '/v1/models?limit=1000' : '/models';
      const response = await fetchUpstream(
        `${base}${path}`,
        { method: 'GET', headers: headers(false) },
        { ...deps.http, maxRetries: 0, signal: AbortSignal.timeout(15_000) },
      );
      const body = await readBodyJson(response, 4 * 1024 * 1024);
      if (!response.ok) {
        throw new ProxyError(
          'upstream_error',
          `providers.${name} model list failed (HTTP ${response.status})`,
          { status: response.status >= 500 ? 502 : response.status },
        );
      }
      const data = isRecord(body) ? (getArray(body, 'data') ?? []) : [];
      return data.filter(isRecord).flatMap((entry) => {
        const id = getString(entry, 'id');
        return id
          ? [{ id, object: 'model', created: 0, owned_by: getString(entry, 'owned_by') ?? name }]
          : [];
      });
    },
  });

  return {
    id: name,
    format,
    streamingOnly: false,
    keepsResponses: format === 'openai-responses',
    modelMappings: settings.model_mappings,
    prepareBody(body) {
      const warnings: ConversionWarning[] = [];
      // Copied only when something changes: an unchanged body keeps its text (util/json-text.ts).
      let value: WireBody = body;
      const copy = () => {
        if (value === body) value = { ...body };
        return value;
      };
      for (const param of settings.exclude_params) {
        if (Object.hasOwn(value, param)) {
          delete copy()[param];
          warnings.push({
            code: 'dropped',
            message: `providers.${name} excludes "${param}"`,
            path: param,
          });
        }
      }
      // A streaming Chat request asks for usage, so the proxy can count tokens.
      if (
        format === 'openai-chat' &&
        value.stream === true &&
        !settings.exclude_params.includes('stream_options')
      ) {
        const options = isRecord(value.stream_options) ? value.stream_options : {};
        if (options.include_usage !== true)
          copy().stream_options = { ...options, include_usage: true };
      }
      return { value, warnings };
    },
    send: async (call) =>
      fetchUpstream(
        `${base}${PATHS[format]}`,
        { method: 'POST', headers: headers(call.stream), body: jsonText(call.body) },
        requestHttp(deps.http, call.signal, call.logger),
      ),
    async listModels(): Promise<ModelCard[]> {
      if (settings.models)
        return settings.models.map((id) => ({ id, object: 'model', created: 0, owned_by: name }));
      return models.list();
    },
    async credentialStatus() {
      const { key, problem } = keyOf(deps);
      if (problem) return { state: 'missing', source: settings.api_key_env, detail: problem };
      return key
        ? { state: 'present', source: settings.api_key_env ?? `providers.${name}.api_key` }
        : { state: 'present', detail: 'no key configured (none needed)' };
    },
  };
}
