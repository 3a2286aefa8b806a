/**
 * Starts the proxy from code: the same composition and listener as `ccproxy serve`, configured
 * by an object instead of flags, and stopped by `close()` instead of a signal.
 */
import { homedir } from 'node:os';
import { loadConfig } from '../config/load.js';
import { dataDir } from '../config/paths.js';
import type { PluginFlags } from '../config/plugins.js';
import { layerFrom, resolveConfig } from '../config/resolve.js';
import type { Config } from '../config/schema.js';
import { createSilentLogger, type Logger } from '../observability/logger.js';
import { composeApp } from '../server/compose.js';
import { isLoopbackHost, startServer } from '../server/serve.js';
import type { JsonObject } from '../util/json.js';

/** Options of `startProxy`. */
export interface StartProxyOptions {
  /**
   * Settings in the layout of the config file (`{ server: { port: 0 }, plugins: { codex: {
   * enabled: true } } }`); defaults fill the rest. `server.port` 0 picks a free port.
   */
  settings?: JsonObject;
  /**
   * Also read the config file and the environment (`SECTION__KEY`) as `ccproxy serve` does,
   * below `settings` (default false: only `settings` and the defaults count).
   */
  loadConfigFile?: boolean;
  /** Plugins to enable or disable on top of the settings (like `--enable-plugin`). */
  plugins?: PluginFlags;
  /** Where logs go (default: nowhere). */
  logger?: Logger;
  /** The environment for `api_key_env` keys, `HOME` and XDG directories (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory a config file is searched from when `loadConfigFile` is set (default cwd). */
  cwd?: string;
}

/** A running proxy. */
export interface RunningProxy {
  /** `http://host:port`; routes are `<url>/<provider>/v1/...`. */
  url: string;
  host: string;
  port: number;
  /** The providers it serves (route prefixes). */
  providers: string[];
  /** The configuration it runs with. */
  config: Readonly<Config>;
  /**
   * Stops accepting connections, lets requests in flight finish (up to
   * `server.shutdown_timeout`), ends streams still open with their error event, and closes.
   */
  close(): Promise<void>;
}

/**
 * Starts the proxy and resolves once it listens. Throws a `ConfigError` for invalid settings,
 * and refuses a non-loopback host without `security.auth_token` unless
 * `security.allow_unauthenticated` is set, as `ccproxy serve` does.
 */
export async function startProxy(options: StartProxyOptions = {}): Promise<RunningProxy> {
  const env = options.env ?? process.env;
  const flags = layerFrom(options.settings ?? {}, 'flag:startProxy');
  const resolved = options.loadConfigFile
    ? loadConfig({ cwd: options.cwd ?? process.cwd(), env: { ...env }, flags })
    : resolveConfig({ flags });
  const { config } = resolved;
  const logger = options.logger ?? createSilentLogger();
  for (const warning of resolved.warnings) logger.warn(warning);

  const host = config.server.host;
  if (
    !isLoopbackHost(host) &&
    config.security.auth_token === undefined &&
    !config.security.allow_unauthenticated
  ) {
    throw new Error(
      `Refusing to listen on ${host} without an access key: set security.auth_token, or security.allow_unauthenticated if a network policy protects this address`,
    );
  }

  const composed = composeApp({
    config,
    logger,
    ...(options.plugins !== undefined ? { pluginFlags: options.plugins } : {}),
    home: env.HOME || homedir(),
    dataDir: dataDir({ ...env }),
    sources: resolved.sources,
    env,
  });
  for (const warning of composed.warnings) logger.warn(warning);

  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    running = await startServer({
      fetch: composed.app.fetch,
      direct: composed.direct,
      host,
      port: config.server.port,
      logger,
    });
  } catch (error) {
    await composed.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: running.url,
    host: running.host,
    port: running.port,
    providers: [...composed.providers.keys()],
    config,
    close() {
      closing ??= running
        .close(config.server.shutdown_timeout * 1000, () => composed.endStreams())
        .then(() => composed.close());
      return closing;
    },
  };
}
