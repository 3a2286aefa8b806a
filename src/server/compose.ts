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
import { createPlanUsageStore, type PlanUsageStore } from '../accounts/plan-usage.js';
import { createMemoryPoolState, type PoolState } from '../accounts/pool-state.js';
import { dataDir } from '../config/paths.js';
import type { PluginFlags } from '../config/plugins.js';
import { selectPlugins } from '../config/plugins.js';
import { ConfigError } from '../config/resolve.js';
import type { Config } from '../config/schema.js';
import { ProxyError } from '../errors.js';
import { formats } from '../formats/index.js';
import { createUpstreamAgent } from '../http/upstream-fetch.js';
import { createCaptureStore } from '../observability/capture.js';
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
import { createCompatibleProvider } from '../providers/openai-compatible/index.js';
import type { Provider } from '../providers/provider.js';
import type { UpstreamHttp } from '../providers/upstream-http.js';
import { createMemoryResponsesStore } from '../responses-store/memory-store.js';
import type { ResponsesStore } from '../responses-store/store.js';
import { createRedisState, type RedisState } from '../state/redis-state.js';
import { registerSecret, registerSecretsIn } from '../util/secrets.js';
import { createApp } from './app.js';
import { dashboardUsageSource } from './dashboard/account-usage.js';
import { createDashboardFeed, type DashboardFeed } from './dashboard/feed.js';
import type { PlanUsageSource as DashboardUsageSource } from './dashboard/plan-usage.js';

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
  /** Sticky sessions and cooldowns of account pools (default: in memory, or Redis). */
  poolState?: PoolState;
  /** Plan usage the dashboard shows instead of what the providers report (tests). */
  planUsage?: DashboardUsageSource;
  /** Replaces the in-memory Responses store (a shared backend, or a test's). */
  responsesStore?: ResponsesStore;
  /** Monotonic milliseconds for expiries (the Responses store, model list caching); tests inject one. */
  clock?: () => number;
  /** Wall-clock milliseconds for token expiry and the dashboard's history (default `Date.now`; tests move it). */
  now?(): number;
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

/** Builds providers and features from the configuration and creates the application. */
export function composeApp(options: ComposeOptions): ComposedApp {
  const { config, logger } = options;
  registerConfigSecrets(config);
  const selection = selectPlugins(config, options.pluginFlags);
  const enabled = new Set<string>(selection.enabled);
  const now = options.now ?? (() => Date.now());
  const planUsage = createPlanUsageStore(now);
  const shared = createSharedState(config, logger);
  const usageMirror = shared?.mirrorUsage(planUsage);
  // Other replicas' usage reports, for headroom and for what this replica shows.
  const usageSync = usageMirror
    ? setInterval(() => void usageMirror.sync(), 5000).unref()
    : undefined;
  const poolState = options.poolState ?? shared?.poolState ?? createMemoryPoolState();
  const metrics = enabled.has('metrics')
    ? createMetrics({ planUsage, restingAccounts: (nowMs) => poolState.allResting(nowMs) })
    : undefined;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const providers = new Map<string, Provider>();
  const settings = {
    connectTimeoutMs: config.http.connect_timeout * 1000,
    firstByteTimeoutMs: config.http.first_byte_timeout * 1000,
    idleTimeoutMs: config.http.idle_timeout * 1000,
    maxRetries: config.http.max_retries,
  };
  const agent = createUpstreamAgent(settings);
  const clock = options.clock ?? (() => performance.now());
  const modelCache = { ttlMs: config.models.cache_ttl_seconds * 1000, now: clock };
  const http: UpstreamHttp = { ...settings, dispatcher: agent };

  const data = options.dataDir ?? dataDir({ HOME: options.home });
  const home = options.home ?? homedir();
  /** One provider per account, pooled when there are several. */
  function addPool(
    id: AccountProvider,
    settings: { accounts?: string[] | undefined; account_strategy: AccountStrategy },
    defaultHasCredentials: boolean,
    make: (account: string, file: string | undefined) => Provider,
  ): void {
    const names = resolveAccounts({
      configured: settings.accounts,
      stored: listNamedAccounts(data, id),
      defaultHasCredentials,
    });
    const members = names.map((name) => ({
      name,
      provider: make(name, name === DEFAULT_ACCOUNT ? undefined : namedAccountFile(data, id, name)),
    }));
    if (members.length === 1) {
      providers.set(id, (members[0] as { provider: Provider }).provider);
      return;
    }
    providers.set(
      id,
      createAccountPool({
        members,
        strategy: settings.account_strategy,
        state: poolState,
        usageOf: (account) => planUsage.get(id, account),
        now,
        maxAttempts: 1 + config.http.max_retries,
        logger: logger.child({ provider: id }),
        onFailover: (account, reason) =>
          metrics?.accountFailovers.inc({ provider: id, account, reason }),
      }),
    );
  }

  if (enabled.has('codex')) {
    const codex = config.plugins.codex;
    const defaultFile = join(codex.codex_home ?? join(home, '.codex'), 'auth.json');
    addPool('codex', codex, shared !== undefined || existsSync(defaultFile), (account, authFile) =>
      createCodexProvider({
        settings: codex,
        fetch: fetchImpl,
        logger: logger.child({ provider: 'codex', account }),
        ...(metrics ? { metrics } : {}),
        now,
        http,
        modelCache,
        ...(options.home ? { home: options.home } : {}),
        planUsage,
        account,
        ...(authFile ? { authFile } : {}),
        ...(shared ? { shared: shared.shared('codex', account) } : {}),
      }),
    );
  }

  if (enabled.has('claude_api')) {
    const claude = config.plugins.claude_api;
    const keySource = options.sources?.['plugins.claude_api.api_key'];
    const paths = claudeCredentialPaths({
      credentialsFile: claude.credentials_file,
      dataDir: data,
      home,
    });
    addPool(
      'claude',
      claude,
      shared !== undefined ||
        claude.api_key !== undefined ||
        existsSync(resolveClaudeCredentialsFile(paths).path),
      (account, credentialsFile) =>
        createClaudeProvider({
          settings: claude,
          ...(keySource
            ? { apiKeySource: keySource.replace(/^env:/, '').replace(/^file:/, '') }
            : {}),
          fetch: fetchImpl,
          http,
          logger: logger.child({ provider: 'claude', account }),
          ...(metrics ? { metrics } : {}),
          now,
          dataDir: data,
          modelCache,
          ...(options.home ? { home: options.home } : {}),
          planUsage,
          account,
          ...(credentialsFile ? { credentialsFile } : {}),
          ...(shared ? { shared: shared.shared('claude', account) } : {}),
        }),
    );
  }

  if (enabled.has('copilot')) {
    const copilot = config.plugins.copilot;
    const tokenSource = options.sources?.['plugins.copilot.github_token'];
    addPool(
      'copilot',
      copilot,
      copilot.github_token !== undefined || existsSync(copilotStorePath(data)),
      (account, storeFile) =>
        createCopilotProvider({
          settings: copilot,
          ...(tokenSource
            ? { githubTokenSource: tokenSource.replace(/^env:/, '').replace(/^file:/, '') }
            : {}),
          fetch: fetchImpl,
          http,
          logger: logger.child({ provider: 'copilot', account }),
          ...(metrics ? { metrics } : {}),
          now,
          dataDir: data,
          modelCache,
          ...(storeFile ? { storeFile } : {}),
          account,
          planUsage,
        }),
    );
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
        http,
        modelCache,
        logger: logger.child({ provider: name }),
      }),
    );
  }

  const accessLogPath = config.plugins.access_log.file;
  let accessLogStream: WriteStream | undefined;
  if (accessLogPath && enabled.has('access_log')) {
    accessLogStream = createWriteStream(accessLogPath, { flags: 'a', mode: 0o600 });
    accessLogStream.on('error', (error) =>
      logger.error({ err: error, path: accessLogPath }, 'cannot write the access log file'),
    );
  }
  const capture = config.capture.dir
    ? createCaptureStore(
        {
          dir: config.capture.dir,
          maxFiles: config.capture.max_files,
          maxBytes: config.capture.max_bytes,
          maxResponseBytes: config.capture.max_response_bytes,
        },
        logger,
      )
    : undefined;
  const storeSettings = config.responses_store;
  const tooLarge = (id: string, bytes: number) =>
    logger.warn(
      { response_id: id, bytes, max_bytes: storeSettings.max_bytes },
      'response larger than [responses_store] max_bytes; not kept',
    );
  const responsesStore = storeSettings.enabled
    ? (options.responsesStore ??
      // With shared state, a conversation continues on whichever replica gets its next turn.
      shared?.responsesStore({
        maxBytes: storeSettings.max_bytes,
        ttlMs: storeSettings.ttl_seconds * 1000,
        onTooLarge: tooLarge,
      }) ??
      createMemoryResponsesStore({
        maxBytes: storeSettings.max_bytes,
        ttlMs: storeSettings.ttl_seconds * 1000,
        now: clock,
        onTooLarge: tooLarge,
      }))
    : undefined;
  const shutdown = new AbortController();
  const dashboard = enabled.has('dashboard') ? createDashboardFeed({ wallClock: now }) : undefined;
  const app = createApp({
    shutdown: shutdown.signal,
    config,
    logger,
    ...(metrics ? { metrics } : {}),
    formats,
    providers,
    planUsage,
    restingAccounts: (nowMs) => poolState.allResting(nowMs).catch(() => []),
    ...(shared
      ? {
          sharedState: {
            backend: 'redis',
            status: shared.status,
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
          dashboard: {
            feed: dashboard,
            authToken: config.security.auth_token,
            providers,
            plugins: [...enabled],
            planUsage: options.planUsage ?? dashboardUsageSource(planUsage),
            captureDir: config.capture.dir,
            refreshSkewSeconds: {
              codex: config.plugins.codex.refresh_skew_seconds,
              claude: config.plugins.claude_api.refresh_skew_seconds,
              copilot: config.plugins.copilot.refresh_skew_seconds,
            },
            wallClock: now,
          },
        }
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
    planUsage,
    sharedState: shared,
    warnings: selection.warnings,
    dashboard,
    closeFeeds: () => dashboard?.closeAll(),
    endStreams: () => {
      dashboard?.closeAll();
      shutdown.abort(new ProxyError('unavailable', 'ccproxy is shutting down; retry the request'));
    },
    close: async () => {
      if (usageSync) clearInterval(usageSync);
      await shared?.close();
      await capture?.flush();
      await agent.close().catch(() => {});
      await new Promise<void>((resolve) =>
        accessLogStream ? accessLogStream.end(() => resolve()) : resolve(),
      );
    },
  };
}
