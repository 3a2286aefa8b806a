/** The composition root: from a resolved configuration to a ready application. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { dataDir } from '../config/paths.js';
import type { PluginFlags } from '../config/plugins.js';
import { selectPlugins } from '../config/plugins.js';
import { ConfigError } from '../config/resolve.js';
import type { Config } from '../config/schema.js';
import { ProxyError } from '../errors.js';
import { formats } from '../formats/index.js';
import { createUpstreamAgent, type UpstreamHttpSettings } from '../http/upstream-fetch.js';
import { type CaptureStore, createCaptureStore } from '../observability/capture.js';
import type { Logger } from '../observability/logger.js';
import { createMetrics, type ProxyMetrics } from '../observability/metrics.js';
import { isSecretHeader } from '../observability/redact.js';
import { createClaudeProvider } from '../providers/claude/index.js';
import { createCodexProvider } from '../providers/codex/index.js';
import { createCopilotProvider } from '../providers/copilot/index.js';
import type { ModelCacheSettings } from '../providers/model-catalog.js';
import { createCompatibleProvider } from '../providers/openai-compatible/index.js';
import type { Provider } from '../providers/provider.js';
import type { UpstreamHttp } from '../providers/upstream-http.js';
import { createMemoryResponsesStore } from '../responses-store/memory-store.js';
import type { ResponsesStore } from '../responses-store/store.js';
import { registerSecret, registerSecretsIn } from '../util/secrets.js';
import { createApp } from './app.js';
import { createDashboardFeed, type DashboardFeed } from './dashboard/feed.js';
import { emptyPlanUsage, type PlanUsageSource } from './dashboard/plan-usage.js';
import type { DashboardDeps } from './dashboard/routes.js';

/** Inputs of `composeApp`. */
export interface ComposeOptions {
  config: Readonly<Config>;
  logger: Logger;
  pluginFlags?: PluginFlags;
  /** The fetch used for upstream calls (tests may pass one bound to a custom dispatcher). */
  fetch?: typeof fetch;
  /** Home directory, for default credential paths. */
  home?: string;
  /** ccproxy's data directory (`$XDG_DATA_HOME/ccproxy`), where it keeps credentials it owns. */
  dataDir?: string;
  /** Where each setting came from (`resolveConfig`), to name sources in messages. */
  sources?: Readonly<Record<string, string>>;
  /** The environment, for keys configured by variable name (`[providers.NAME] api_key_env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Plan usage per account for the dashboard (nothing reported by default). */
  planUsage?: PlanUsageSource;
  /** Replaces the in-memory Responses store (a shared backend, or a test's). */
  responsesStore?: ResponsesStore;
  /** Monotonic milliseconds for expiries (the Responses store, model list caching); tests inject one. */
  clock?: () => number;
  /** Wall-clock milliseconds for token expiry and the dashboard's history (default `Date.now`; tests move it). */
  now?(): number;
}

/** Route prefixes taken by ccproxy itself. */
const RESERVED_NAMES = new Set([
  'codex',
  'claude',
  'copilot',
  'health',
  'metrics',
  'dashboard',
  'v1',
]);

/** Checks a `[providers.NAME]` name; throws a message naming the key. */
export function checkProviderName(name: string): void {
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) {
    throw new ConfigError(
      `Invalid configuration:\n  "providers.${name}": a provider name must be letters, digits, "-" or "_" (it becomes the route /${name}/v1/...)`,
    );
  }
  if (RESERVED_NAMES.has(name.toLowerCase())) {
    throw new ConfigError(
      `Invalid configuration:\n  "providers.${name}": "${name}" is taken by a built-in route; choose another name`,
    );
  }
}

/** The composed application and what was decided on the way. */
export interface ComposedApp {
  app: ReturnType<typeof createApp>;
  plugins: string[];
  providers: Map<string, Provider>;
  metrics: ProxyMetrics | undefined;
  warnings: string[];
  /** The dashboard's feed, when the plugin is on. */
  dashboard: DashboardFeed | undefined;
  /** Ends the dashboards' live feeds (first thing at shutdown: they never end on their own). */
  closeFeeds(): void;
  /** Flushes and closes files the application writes. */
  close(): Promise<void>;
  /** Ends every open stream with its format's error event (shutdown after the drain timeout). */
  endStreams(): void;
}

/**
 * Registers every secret the configuration holds (access key, API keys, GitHub token, secret
 * headers of compatible providers) with the redactor, so each is masked by value wherever it
 * could be echoed back.
 */
function registerConfigSecrets(config: Readonly<Config>): void {
  registerSecretsIn(config);
  const headerTables = [
    config.plugins.copilot.api_headers,
    ...Object.values(config.providers).map((provider) => provider.headers),
  ];
  for (const headers of headerTables) {
    for (const [name, value] of Object.entries(headers)) {
      if (isSecretHeader(name)) registerSecret(value.replace(/^(Bearer|Basic|token)\s+/i, ''));
    }
  }
}

/** What every built-in provider is made with (each takes the part it needs). */
interface SharedProviderDeps {
  fetch: typeof fetch;
  http: UpstreamHttp;
  logger: Logger;
  metrics?: ProxyMetrics;
  now(): number;
  modelCache: ModelCacheSettings;
  home?: string;
  dataDir: string;
}

/** A built-in provider: the plugin that turns it on, its route id, and how it is made. */
interface BuiltInProvider {
  plugin: 'codex' | 'claude_api' | 'copilot';
  id: string;
  create(
    deps: SharedProviderDeps,
    config: Readonly<Config>,
    sources: Readonly<Record<string, string>>,
  ): Provider;
}

/** Where a secret setting came from, as a name for messages (`env:X` → `X`, `file:P` → `P`). */
function sourceName(sources: Readonly<Record<string, string>>, key: string): string | undefined {
  return sources[key]?.replace(/^env:/, '').replace(/^file:/, '');
}

/** The built-in providers, in route order. */
const BUILT_IN_PROVIDERS: readonly BuiltInProvider[] = [
  {
    plugin: 'codex',
    id: 'codex',
    create: (deps, config) => createCodexProvider({ ...deps, settings: config.plugins.codex }),
  },
  {
    plugin: 'claude_api',
    id: 'claude',
    create: (deps, config, sources) => {
      const apiKeySource = sourceName(sources, 'plugins.claude_api.api_key');
      return createClaudeProvider({
        ...deps,
        settings: config.plugins.claude_api,
        ...(apiKeySource ? { apiKeySource } : {}),
      });
    },
  },
  {
    plugin: 'copilot',
    id: 'copilot',
    create: (deps, config, sources) => {
      const githubTokenSource = sourceName(sources, 'plugins.copilot.github_token');
      return createCopilotProvider({
        ...deps,
        settings: config.plugins.copilot,
        ...(githubTokenSource ? { githubTokenSource } : {}),
      });
    },
  },
];

/** The enabled providers: the built-in ones turned on, then each `[providers.NAME]`. */
function createProviders(
  options: ComposeOptions,
  enabled: ReadonlySet<string>,
  shared: Omit<SharedProviderDeps, 'logger'>,
): Map<string, Provider> {
  const { config, logger } = options;
  const providers = new Map<string, Provider>();
  for (const builtIn of BUILT_IN_PROVIDERS) {
    if (!enabled.has(builtIn.plugin)) continue;
    const deps = { ...shared, logger: logger.child({ provider: builtIn.id }) };
    providers.set(builtIn.id, builtIn.create(deps, config, options.sources ?? {}));
  }
  for (const [name, settings] of Object.entries(config.providers)) {
    checkProviderName(name);
    if (settings.enabled === false) continue;
    providers.set(
      name,
      createCompatibleProvider({
        name,
        settings,
        env: options.env ?? {},
        http: shared.http,
        modelCache: shared.modelCache,
        logger: logger.child({ provider: name }),
      }),
    );
  }
  return providers;
}

/** The access log file, opened for appending when the plugin is on and a file is set. */
function openAccessLog(
  config: Readonly<Config>,
  enabled: ReadonlySet<string>,
  logger: Logger,
): WriteStream | undefined {
  const path = config.plugins.access_log.file;
  if (!path || !enabled.has('access_log')) return undefined;
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  stream.on('error', (error) =>
    logger.error({ err: error, path }, 'cannot write the access log file'),
  );
  return stream;
}

/** Timeouts and retries of upstream calls, from `[http]` (seconds there, milliseconds here). */
function upstreamHttpSettings(config: Readonly<Config>): UpstreamHttpSettings {
  return {
    connectTimeoutMs: config.http.connect_timeout * 1000,
    firstByteTimeoutMs: config.http.first_byte_timeout * 1000,
    idleTimeoutMs: config.http.idle_timeout * 1000,
    maxRetries: config.http.max_retries,
  };
}

/** The capture store, when `[capture] dir` is set. */
function captureStoreOf(config: Readonly<Config>, logger: Logger): CaptureStore | undefined {
  if (!config.capture.dir) return undefined;
  return createCaptureStore(
    {
      dir: config.capture.dir,
      maxFiles: config.capture.max_files,
      maxBytes: config.capture.max_bytes,
      maxResponseBytes: config.capture.max_response_bytes,
    },
    logger,
  );
}

/** The Responses store: the one given, or an in-memory one; none when the store is off. */
function responsesStoreOf(
  options: ComposeOptions,
  clock: () => number,
): ResponsesStore | undefined {
  const { logger } = options;
  const settings = options.config.responses_store;
  if (!settings.enabled) return undefined;
  return (
    options.responsesStore ??
    createMemoryResponsesStore({
      maxBytes: settings.max_bytes,
      ttlMs: settings.ttl_seconds * 1000,
      now: clock,
      onTooLarge: (id, bytes) =>
        logger.warn(
          { response_id: id, bytes, max_bytes: settings.max_bytes },
          'response larger than [responses_store] max_bytes; not kept',
        ),
    })
  );
}

/** The dashboard plugin's dependencies. */
function dashboardDeps(
  options: ComposeOptions,
  feed: DashboardFeed,
  providers: ReadonlyMap<string, Provider>,
  plugins: string[],
  now: () => number,
): DashboardDeps {
  const { config } = options;
  return {
    feed,
    authToken: config.security.auth_token,
    providers,
    plugins,
    planUsage: options.planUsage ?? emptyPlanUsage,
    captureDir: config.capture.dir,
    refreshSkewSeconds: {
      codex: config.plugins.codex.refresh_skew_seconds,
      claude: config.plugins.claude_api.refresh_skew_seconds,
      copilot: config.plugins.copilot.refresh_skew_seconds,
    },
    wallClock: now,
  };
}

/** Builds providers and features from the configuration and creates the application. */
export function composeApp(options: ComposeOptions): ComposedApp {
  const { config, logger } = options;
  registerConfigSecrets(config);
  const selection = selectPlugins(config, options.pluginFlags);
  const enabled = new Set<string>(selection.enabled);
  const metrics = enabled.has('metrics') ? createMetrics() : undefined;
  const now = options.now ?? (() => Date.now());
  const settings = upstreamHttpSettings(config);
  const agent = createUpstreamAgent(settings);
  const clock = options.clock ?? (() => performance.now());
  const providers = createProviders(options, enabled, {
    fetch: options.fetch ?? globalThis.fetch,
    http: { ...settings, dispatcher: agent },
    ...(metrics ? { metrics } : {}),
    now,
    modelCache: { ttlMs: config.models.cache_ttl_seconds * 1000, now: clock },
    ...(options.home ? { home: options.home } : {}),
    dataDir: options.dataDir ?? dataDir({ HOME: options.home }),
  });

  const accessLogStream = openAccessLog(config, enabled, logger);
  const capture = captureStoreOf(config, logger);
  const responsesStore = responsesStoreOf(options, clock);
  const shutdown = new AbortController();
  const dashboard = enabled.has('dashboard') ? createDashboardFeed({ wallClock: now }) : undefined;
  const app = createApp({
    shutdown: shutdown.signal,
    config,
    logger,
    ...(metrics ? { metrics } : {}),
    formats,
    providers,
    plugins: [...enabled],
    accessLog: enabled.has('access_log'),
    ...(responsesStore ? { responsesStore } : {}),
    ...(capture ? { startCapture: capture.start } : {}),
    ...(dashboard
      ? { dashboard: dashboardDeps(options, dashboard, providers, [...enabled], now) }
      : {}),
    ...(accessLogStream
      ? { accessLogFile: (line: string) => accessLogStream.write(`${line}\n`) }
      : {}),
  });
  return {
    app,
    plugins: [...enabled],
    providers,
    metrics,
    warnings: selection.warnings,
    dashboard,
    closeFeeds: () => dashboard?.closeAll(),
    endStreams: () => {
      dashboard?.closeAll();
      shutdown.abort(new ProxyError('unavailable', 'ccproxy is shutting down; retry the request'));
    },
    close: async () => {
      await capture?.flush();
      await agent.close().catch(() => {});
      await new Promise<void>((resolve) =>
        accessLogStream ? accessLogStream.end(() => resolve()) : resolve(),
      );
    },
  };
}
