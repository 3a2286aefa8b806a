/** The composition root: from a resolved configuration to a ready application. */
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  type AccountProvider,
  DEFAULT_ACCOUNT,
  listNamedAccounts,
  namedAccountFile,
  resolveAccounts,
} from '../accounts/accounts.js';
import {
  createPlanUsageStore,
  type PlanUsageRecorder,
  type PlanUsageStore,
} from '../accounts/plan-usage.js';
import { createMemoryPoolState, type PoolState } from '../accounts/pool-state.js';
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
import { type AccountStrategy, createAccountPool } from '../providers/account-pool.js';
import {
  claudeCredentialPaths,
  resolveClaudeCredentialsFile,
} from '../providers/claude/credentials.js';
import { createClaudeProvider } from '../providers/claude/index.js';
import { createCodexProvider } from '../providers/codex/index.js';
import { copilotStorePath } from '../providers/copilot/credentials.js';
import { createCopilotProvider } from '../providers/copilot/index.js';
import type { ModelCacheSettings } from '../providers/model-catalog.js';
import { createCompatibleProvider } from '../providers/openai-compatible/index.js';
import type { Provider } from '../providers/provider.js';
import type { UpstreamHttp } from '../providers/upstream-http.js';
import { createMemoryResponsesStore } from '../responses-store/memory-store.js';
import type { ResponsesStore } from '../responses-store/store.js';
import { createRedisState, type RedisState, type SharedCredentials } from '../state/redis-state.js';
import { SharedAbort } from '../util/request-signal.js';
import { registerSecret, registerSecretsIn } from '../util/secrets.js';
import { type CreatedApp, createApp } from './app.js';
import { dashboardUsageSource } from './dashboard/account-usage.js';
import { createDashboardFeed, type DashboardFeed } from './dashboard/feed.js';
import type { PlanUsageSource } from './dashboard/plan-usage.js';
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
  /** Plan usage the dashboard shows instead of what the providers report (tests). */
  planUsage?: PlanUsageSource;
  /** Sticky sessions and cooldowns of account pools (default: in memory, or Redis). */
  poolState?: PoolState;
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
  app: CreatedApp['app'];
  /** The proxied API routes served on Node's request directly (`startServer`'s `direct`). */
  direct: CreatedApp['direct'];
  plugins: string[];
  providers: Map<string, Provider>;
  metrics: ProxyMetrics | undefined;
  /** Plan usage per provider and account, as the upstreams report it (read by dashboards). */
  planUsage: PlanUsageStore;
  /** The Redis state backend, when configured. */
  sharedState: RedisState | undefined;
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
  /** Where each answer's plan usage is recorded. */
  planUsage: PlanUsageRecorder;
}

/** Which account one provider instance signs in as, and where its credentials are. */
interface AccountDeps {
  account: string;
  /** A named account's own credentials file (absent for `default`). */
  file?: string;
  /** Shared credentials and refresh lock (the Redis state backend). */
  shared?: SharedCredentials;
}

/** A built-in provider: the plugin that turns it on, its route id, and how it is made. */
interface BuiltInProvider {
  plugin: 'codex' | 'claude_api' | 'copilot';
  id: AccountProvider;
  /** Its account list and strategy. */
  accounts(config: Readonly<Config>): {
    accounts?: string[] | undefined;
    account_strategy: AccountStrategy;
  };
  /** Whether its single-account (`default`) credentials are there to use. */
  defaultHasCredentials(config: Readonly<Config>, dataDir: string, home: string): boolean;
  /** Whether its credentials live in the shared state with the Redis backend. */
  sharesCredentials: boolean;
  create(
    deps: SharedProviderDeps,
    config: Readonly<Config>,
    sources: Readonly<Record<string, string>>,
    account: AccountDeps,
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
    accounts: (config) => config.plugins.codex,
    defaultHasCredentials: (config, _dataDir, home) =>
      existsSync(join(config.plugins.codex.codex_home ?? join(home, '.codex'), 'auth.json')),
    sharesCredentials: true,
    create: (deps, config, _sources, { account, file, shared }) =>
      createCodexProvider({
        ...deps,
        settings: config.plugins.codex,
        account,
        ...(file ? { authFile: file } : {}),
        ...(shared ? { shared } : {}),
      }),
  },
  {
    plugin: 'claude_api',
    id: 'claude',
    accounts: (config) => config.plugins.claude_api,
    defaultHasCredentials: (config, dataDir, home) => {
      const settings = config.plugins.claude_api;
      const paths = claudeCredentialPaths({
        credentialsFile: settings.credentials_file,
        dataDir,
        home,
      });
      return settings.api_key !== undefined || existsSync(resolveClaudeCredentialsFile(paths).path);
    },
    sharesCredentials: true,
    create: (deps, config, sources, { account, file, shared }) => {
      const apiKeySource = sourceName(sources, 'plugins.claude_api.api_key');
      return createClaudeProvider({
        ...deps,
        settings: config.plugins.claude_api,
        ...(apiKeySource ? { apiKeySource } : {}),
        account,
        ...(file ? { credentialsFile: file } : {}),
        ...(shared ? { shared } : {}),
      });
    },
  },
  {
    plugin: 'copilot',
    id: 'copilot',
    accounts: (config) => config.plugins.copilot,
    defaultHasCredentials: (config, dataDir) =>
      config.plugins.copilot.github_token !== undefined || existsSync(copilotStorePath(dataDir)),
    // The GitHub login is shared; each replica exchanges it for its own short-lived Copilot token.
    sharesCredentials: true,
    create: (deps, config, sources, { account, file, shared }) => {
      const githubTokenSource = sourceName(sources, 'plugins.copilot.github_token');
      return createCopilotProvider({
        ...deps,
        settings: config.plugins.copilot,
        ...(githubTokenSource ? { githubTokenSource } : {}),
        account,
        ...(file ? { storeFile: file } : {}),
        ...(shared ? { shared } : {}),
      });
    },
  },
];

/** What account pools share: their state, the usage they pick by, the Redis backend. */
interface PoolDeps {
  state: PoolState;
  planUsage: PlanUsageStore;
  redis: RedisState | undefined;
  metrics: ProxyMetrics | undefined;
}

/**
 * One built-in provider: an instance per account (`default` and the named ones), pooled behind
 * one route when there are several.
 */
function createBuiltIn(
  builtIn: BuiltInProvider,
  options: ComposeOptions,
  shared: Omit<SharedProviderDeps, 'logger'>,
  pools: PoolDeps,
): Provider {
  const { config, logger } = options;
  const { id } = builtIn;
  const home = options.home ?? homedir();
  const settings = builtIn.accounts(config);
  const names = resolveAccounts({
    configured: settings.accounts,
    stored: listNamedAccounts(shared.dataDir, id),
    // With Redis the credentials are there, not in files: list the accounts in the config.
    defaultHasCredentials:
      pools.redis !== undefined || builtIn.defaultHasCredentials(config, shared.dataDir, home),
  });
  const members = names.map((name) => {
    const deps = { ...shared, logger: logger.child({ provider: id, account: name }) };
    const sharedCredentials =
      pools.redis && builtIn.sharesCredentials ? pools.redis.shared(id, name) : undefined;
    return {
      name,
      provider: builtIn.create(deps, config, options.sources ?? {}, {
        account: name,
        ...(name !== DEFAULT_ACCOUNT ? { file: namedAccountFile(shared.dataDir, id, name) } : {}),
        ...(sharedCredentials ? { shared: sharedCredentials } : {}),
      }),
    };
  });
  if (members.length === 1) return (members[0] as { provider: Provider }).provider;
  return createAccountPool({
    members,
    strategy: settings.account_strategy,
    state: pools.state,
    usageOf: (account) => pools.planUsage.get(id, account),
    now: shared.now,
    maxAttempts: 1 + config.http.max_retries,
    logger: logger.child({ provider: id }),
    onFailover: (account, reason) =>
      pools.metrics?.accountFailovers.inc({ provider: id, account, reason }),
  });
}

/** The enabled providers: the built-in ones turned on, then each `[providers.NAME]`. */
function createProviders(
  options: ComposeOptions,
  enabled: ReadonlySet<string>,
  shared: Omit<SharedProviderDeps, 'logger'>,
  pools: PoolDeps,
): Map<string, Provider> {
  const { config, logger } = options;
  const providers = new Map<string, Provider>();
  for (const builtIn of BUILT_IN_PROVIDERS) {
    if (!enabled.has(builtIn.plugin)) continue;
    providers.set(builtIn.id, createBuiltIn(builtIn, options, shared, pools));
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

/**
 * The Responses store: the one given, the shared one with the Redis backend (a conversation's
 * next turn may reach any replica), or an in-memory one; none when the store is off.
 */
function responsesStoreOf(
  options: ComposeOptions,
  clock: () => number,
  redis: RedisState | undefined,
): ResponsesStore | undefined {
  const { logger } = options;
  const settings = options.config.responses_store;
  if (!settings.enabled) return undefined;
  const onTooLarge = (id: string, bytes: number) =>
    logger.warn(
      { response_id: id, bytes, max_bytes: settings.max_bytes },
      'response larger than [responses_store] max_bytes; not kept',
    );
  const limits = { maxBytes: settings.max_bytes, ttlMs: settings.ttl_seconds * 1000, onTooLarge };
  return (
    options.responsesStore ??
    redis?.responsesStore(limits) ??
    createMemoryResponsesStore({ ...limits, now: clock })
  );
}

/** Builds the shared state backend the configuration asks for (`[state]`). */
function createSharedState(config: Readonly<Config>, logger: Logger): RedisState | undefined {
  if (config.state.backend !== 'redis') return undefined;
  if (!config.state.url) {
    throw new ConfigError(
      'Invalid configuration:\n  "state.url": required with state.backend = "redis" (STATE__URL, e.g. redis://127.0.0.1:6379)',
    );
  }
  return createRedisState({
    url: config.state.url,
    keyPrefix: config.state.key_prefix,
    logger: logger.child({ component: 'state' }),
  });
}

/** The dashboard plugin's dependencies. */
function dashboardDeps(
  options: ComposeOptions,
  planUsage: PlanUsageSource,
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
    planUsage,
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
  const now = options.now ?? (() => Date.now());
  const planUsage = createPlanUsageStore(now);
  const redis = createSharedState(config, logger);
  const usageMirror = redis?.mirrorUsage(planUsage);
  // Other replicas' usage reports, for headroom and for what this replica shows.
  const usageSync = usageMirror
    ? setInterval(() => void usageMirror.sync(), 5000).unref()
    : undefined;
  const poolState = options.poolState ?? redis?.poolState ?? createMemoryPoolState();
  const restingAccounts = (nowMs: number) => poolState.allResting(nowMs).catch(() => []);
  const metrics = enabled.has('metrics')
    ? createMetrics({ planUsage, restingAccounts })
    : undefined;
  const settings = upstreamHttpSettings(config);
  const agent = createUpstreamAgent(settings);
  const clock = options.clock ?? (() => performance.now());
  const providers = createProviders(
    options,
    enabled,
    {
      fetch: options.fetch ?? globalThis.fetch,
      http: { ...settings, dispatcher: agent },
      ...(metrics ? { metrics } : {}),
      now,
      modelCache: { ttlMs: config.models.cache_ttl_seconds * 1000, now: clock },
      ...(options.home ? { home: options.home } : {}),
      dataDir: options.dataDir ?? dataDir({ HOME: options.home }),
      planUsage,
    },
    { state: poolState, planUsage, redis, metrics },
  );

  const accessLogStream = openAccessLog(config, enabled, logger);
  const capture = captureStoreOf(config, logger);
  const responsesStore = responsesStoreOf(options, clock, redis);
  const shutdown = new SharedAbort();
  const dashboardUsage = options.planUsage ?? dashboardUsageSource(planUsage);
  const dashboard = enabled.has('dashboard')
    ? createDashboardFeed({ wallClock: now, planUsage: dashboardUsage })
    : undefined;
  // The bars move as soon as an answer reports usage (the feed does nothing while nobody watches).
  if (dashboard) planUsage.watch(() => dashboard.planUsageChanged());
  const { app, direct } = createApp({
    shutdown,
    config,
    logger,
    ...(metrics ? { metrics } : {}),
    formats,
    providers,
    planUsage,
    restingAccounts,
    ...(redis
      ? {
          sharedState: {
            backend: 'redis' as const,
            status: redis.status,
            ...(usageMirror ? { sync: usageMirror.sync } : {}),
          },
        }
      : {}),
    plugins: [...enabled],
    accessLog: enabled.has('access_log'),
    ...(responsesStore ? { responsesStore } : {}),
    ...(capture ? { startCapture: capture.start } : {}),
    ...(dashboard
      ? {
          dashboard: dashboardDeps(
            options,
            dashboardUsage,
            dashboard,
            providers,
            [...enabled],
            now,
          ),
        }
      : {}),
    ...(accessLogStream
      ? { accessLogFile: (line: string) => accessLogStream.write(`${line}\n`) }
      : {}),
  });
  return {
    app,
    direct,
    plugins: [...enabled],
    providers,
    metrics,
    planUsage,
    sharedState: redis,
    warnings: selection.warnings,
    dashboard,
    closeFeeds: () => dashboard?.closeAll(),
    endStreams: () => {
      dashboard?.closeAll();
      shutdown.abort(new ProxyError('unavailable', 'ccproxy is shutting down; retry the request'));
    },
    close: async () => {
      if (usageSync) clearInterval(usageSync);
      await redis?.close();
      await capture?.flush();
      await agent.close().catch(() => {});
      await new Promise<void>((resolve) =>
        accessLogStream ? accessLogStream.end(() => resolve()) : resolve(),
      );
    },
  };
}
