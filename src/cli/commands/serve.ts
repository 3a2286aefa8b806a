/** `ccproxy serve`: resolves the configuration, starts the proxy, and stops it cleanly on a signal. */
import { homedir } from 'node:os';
import { type LoadedConfig, loadConfig } from '../../config/load.js';
import { dataDir } from '../../config/paths.js';
import {
  ConfigError,
  type ConfigLayer,
  type ConfigSource,
  layerFrom,
} from '../../config/resolve.js';
import { type Config, normalizeLogLevel } from '../../config/schema.js';
import { demoSettings } from '../../demo/demo-settings.js';
import { startDemoUpstream } from '../../demo/replay-upstream.js';
import { createLogger, type Logger } from '../../observability/logger.js';
import { type ComposedApp, composeApp } from '../../server/compose.js';
import {
  connectionSettings,
  isLoopbackHost,
  type RunningServer,
  startServer,
} from '../../server/serve.js';
import { setHeapGrowth, setPretenuring } from '../../server/v8-heap.js';
import { VERSION } from '../../version.js';
import { type CliIo, UsageError } from '../io.js';

/** Options of `serve`, as parsed from the command line. */
export interface ServeOptions {
  host?: string;
  port?: string;
  logLevel?: string;
  logFile?: string;
  captureDir?: string;
  config?: string;
  enablePlugin?: string[];
  disablePlugin?: string[];
  authToken?: string;
  allowUnauthenticated?: boolean;
  allowedOrigin?: string[];
  allowedHost?: string[];
  headersTimeout?: string;
  requestTimeout?: string;
  keepAliveTimeout?: string;
  maxConnections?: string;
  reload?: boolean;
  demo?: boolean;
}

function flagLayer(options: ServeOptions): ConfigLayer {
  const values: Record<string, Record<string, unknown>> = {};
  const sources: Record<string, ConfigSource> = {};
  const set = (section: string, key: string, value: unknown, flag: string) => {
    values[section] ??= {};
    values[section][key] = value;
    sources[`${section}.${key}`] = `flag:${flag}`;
  };
  if (options.host !== undefined) set('server', 'host', options.host, '--host');
  if (options.port !== undefined) {
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new UsageError(
        `Invalid value for --port: "${options.port}" is not a port number (0-65535)`,
      );
    }
    set('server', 'port', port, '--port');
  }
  if (options.logLevel !== undefined) {
    const level = normalizeLogLevel(options.logLevel);
    if (!level) {
      throw new UsageError(
        `Invalid value for --log-level: "${options.logLevel}" (use debug, info, warn or error)`,
      );
    }
    set('logging', 'level', level, '--log-level');
  }
  if (options.logFile !== undefined) set('logging', 'file', options.logFile, '--log-file');
  if (options.captureDir !== undefined) set('capture', 'dir', options.captureDir, '--capture-dir');
  if (options.authToken !== undefined)
    set('security', 'auth_token', options.authToken, '--auth-token');
  if (options.allowUnauthenticated)
    set('security', 'allow_unauthenticated', true, '--allow-unauthenticated');
  if (options.allowedOrigin !== undefined)
    set('security', 'allowed_origins', options.allowedOrigin, '--allowed-origin');
  if (options.allowedHost !== undefined)
    set('server', 'allowed_hosts', options.allowedHost, '--allowed-host');
  const numeric: Array<[string | undefined, string, string, boolean]> = [
    [options.headersTimeout, 'headers_timeout', '--headers-timeout', false],
    [options.requestTimeout, 'request_timeout', '--request-timeout', false],
    [options.keepAliveTimeout, 'keep_alive_timeout', '--keep-alive-timeout', false],
    [options.maxConnections, 'max_connections', '--max-connections', true],
  ];
  for (const [raw, key, flag, integer] of numeric) {
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new UsageError(
        `Invalid value for ${flag}: "${raw}" is not a positive ${integer ? 'whole number' : 'number of seconds'}`,
      );
    }
    set('server', key, value, flag);
  }
  return { values, sources };
}

/** Adds the demo settings (every provider pointed at the demo upstream) to the flag layer. */
function withDemo(
  layer: ConfigLayer,
  settings: Record<string, Record<string, unknown>>,
): ConfigLayer {
  const demo = layerFrom(settings, 'flag:--demo');
  const values = { ...layer.values };
  for (const [section, table] of Object.entries(settings)) {
    values[section] = { ...(values[section] as Record<string, unknown> | undefined), ...table };
  }
  return { values, sources: { ...layer.sources, ...demo.sources } };
}

/** The demo upstream of `serve --demo` and the settings that point every provider at it. */
interface Demo {
  url: string;
  settings: Record<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/** Starts the demo upstream and writes its throwaway credentials. */
async function startDemo(): Promise<Demo> {
  const upstream = await startDemoUpstream();
  const credentials = demoSettings(upstream.url);
  return {
    url: upstream.url,
    settings: credentials.settings,
    close: async () => {
      await upstream.close();
      credentials.remove();
    },
  };
}

/** Resolves the configuration: flags (with the demo's settings), config file, environment. */
function loadServeConfig(options: ServeOptions, io: CliIo, demo: Demo | undefined): LoadedConfig {
  const flags = flagLayer(options);
  return loadConfig({
    ...(options.config !== undefined ? { configFile: options.config } : {}),
    cwd: io.cwd,
    env: io.env,
    flags: demo ? withDemo(flags, demo.settings) : flags,
  });
}

/** The logger `[logging]` (or the older `[server]` keys) asks for, writing to stderr. */
function serveLogger(config: Config, io: CliIo): Logger {
  const file = config.logging.file ?? config.server.log_file;
  return createLogger({
    level: config.logging.level ?? config.server.log_level ?? 'info',
    format: config.logging.format,
    destination: io.stderr,
    ...(file ? { file } : {}),
  });
}

/** Logs what the configuration and the command line decided before the server starts. */
function logStartupNotes(
  logger: Logger,
  loaded: LoadedConfig,
  options: ServeOptions,
  demo: Demo | undefined,
): void {
  if (loaded.file) logger.info({ path: loaded.file }, 'loaded config file');
  for (const warning of loaded.warnings) logger.warn(warning);
  if (options.reload) logger.warn('--reload is not supported by ccproxy and is ignored');
  if (demo) {
    logger.warn(
      { upstream: demo.url },
      'demo mode: every provider answers with canned transcripts from a local replay upstream; no account is used',
    );
  }
}

/** Refuses a non-loopback address without an access key, unless told the network protects it. */
function checkExposure(config: Config, logger: Logger): void {
  const host = config.server.host;
  if (isLoopbackHost(host)) return;
  if (config.security.auth_token === undefined && !config.security.allow_unauthenticated) {
    throw new UsageError(
      `Refusing to listen on ${host} without an access key: set one with --auth-token, SECURITY__AUTH_TOKEN or [security] auth_token ` +
        '(make one with `ccproxy config generate-token`), or pass --allow-unauthenticated if a network policy protects this address',
    );
  }
  if (config.security.auth_token === undefined) {
    logger.warn(
      { host },
      'serving a non-loopback address WITHOUT an access key (--allow-unauthenticated)',
    );
  }
}

/** The application, with the plugins the flags (and the demo) turn on or off. */
function composeServe(
  options: ServeOptions,
  io: CliIo,
  loaded: LoadedConfig,
  logger: Logger,
  demo: Demo | undefined,
): ComposedApp {
  return composeApp({
    config: loaded.config,
    logger,
    pluginFlags: {
      enable: [
        ...(options.enablePlugin ?? []),
        ...(demo ? ['codex', 'claude_api', 'copilot'] : []),
      ],
      disable: options.disablePlugin ?? [],
    },
    home: io.env.HOME || homedir(),
    dataDir: dataDir(io.env),
    sources: loaded.sources,
    env: io.env,
  });
}

/** Starts listening; `undefined` (after saying why) when the address cannot be had. */
async function listen(
  composed: ComposedApp,
  config: Config,
  logger: Logger,
  io: CliIo,
): Promise<RunningServer | undefined> {
  const { host, port } = config.server;
  try {
    return await startServer({
      fetch: composed.app.fetch,
      direct: composed.direct,
      host,
      port,
      logger,
      connections: connectionSettings(config),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    logger.error({ code }, `cannot listen on ${host}:${port}`);
    io.stderr.write(`ccproxy: cannot listen on ${host}:${port} (${code ?? 'error'})\n`);
    return undefined;
  }
}

/**
 * Serves until SIGINT or SIGTERM, then drains (ending open streams after the shutdown timeout),
 * closes everything and resolves to 0.
 */
function serveUntilSignal(
  running: RunningServer,
  composed: ComposedApp,
  config: Config,
  logger: Logger,
  io: CliIo,
  demo: Demo | undefined,
): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, in_flight: running.inFlight() }, 'shutting down');
      composed.closeFeeds();
      running
        .close(config.server.shutdown_timeout * 1000, () => {
          logger.warn({ in_flight: running.inFlight() }, 'drain timeout: ending open streams');
          composed.endStreams();
        })
        .then(() => composed.close())
        .then(() => demo?.close())
        .then(() => {
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          logger.info('stopped');
          logger.flush?.();
          resolve(0);
        });
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    // The ready line goes out only once the handlers are in place: a supervisor (or a test) that
    // stops the proxy as soon as it reads the line must get a clean shutdown, not the default
    // action of a signal that arrived between the line and the handlers (seen under CPU load).
    logger.info(
      { version: VERSION, plugins: composed.plugins, providers: [...composed.providers.keys()] },
      'ccproxy started',
    );
    // The start-up lines (warnings included) reach stderr before the ready line reaches stdout.
    logger.flush?.();
    io.stdout.write(`listening on ${running.url}\n`);
  });
}

/** Runs the proxy until SIGINT/SIGTERM; resolves to the exit code. */
export async function runServe(options: ServeOptions, io: CliIo): Promise<number> {
  const demo = options.demo ? await startDemo() : undefined;
  let config: Config;
  let logger: Logger;
  let composed: ComposedApp;
  try {
    const loaded = loadServeConfig(options, io, demo);
    config = loaded.config;
    logger = serveLogger(config, io);
    logStartupNotes(logger, loaded, options, demo);
    checkExposure(config, logger);
    setHeapGrowth(config.server.heap_growth_percent);
    setPretenuring(config.server.allocation_site_pretenuring);
    composed = composeServe(options, io, loaded, logger, demo);
  } catch (error) {
    await demo?.close();
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
  for (const warning of composed.warnings) logger.warn(warning);
  // Serve even when Redis is down (requests that need it get 503 until it is back).
  if (composed.sharedState && !(await composed.sharedState.ready(5000))) {
    logger.warn('starting without shared state: Redis is unreachable; retrying in the background');
  }
  const running = await listen(composed, config, logger, io);
  if (!running) {
    await composed.close();
    await demo?.close();
    return 1;
  }
  return serveUntilSignal(running, composed, config, logger, io, demo);
}
