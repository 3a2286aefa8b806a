/** Starts the real ccproxy server on loopback for tests, with captured log lines. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { PluginFlags } from '../../src/config/plugins.js';
import { layerFrom, resolveConfig } from '../../src/config/resolve.js';
import { createLogger } from '../../src/observability/logger.js';
import { type ComposedApp, composeApp } from '../../src/server/compose.js';
import type { PlanUsageSource } from '../../src/server/dashboard/plan-usage.js';
import { connectionSettings, type RunningServer, startServer } from '../../src/server/serve.js';
import type { JsonObject } from '../../src/util/json.js';
import { findSecrets } from './secrets.js';

/** A running proxy. */
export interface TestProxy {
  url: string;
  server: RunningServer;
  composed: ComposedApp;
  /** Every log line written so far, parsed. */
  logs(): Array<Record<string, unknown>>;
  /** The raw log output. */
  logText(): string;
  close(): Promise<void>;
}

/** Options of `startProxy`. */
export interface StartProxyOptions {
  /** Settings in the TOML layout (as a config file would give them). */
  config?: JsonObject;
  env?: Record<string, string>;
  pluginFlags?: PluginFlags;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  home?: string;
  /** Plan usage for the dashboard. */
  planUsage?: PlanUsageSource;
  /** Port to listen on (default: a free one). */
  port?: number;
  /** Monotonic milliseconds for expiries (Responses store, model list cache). */
  clock?: () => number;
  /** Wall-clock milliseconds: token expiry and the dashboard's history (default the real one). */
  now?(): number;
}

/** Starts the proxy on 127.0.0.1 with a random port. */
export async function startProxy(options: StartProxyOptions = {}): Promise<TestProxy> {
  const { config, sources } = resolveConfig({
    ...(options.config ? { file: { path: 'test.toml', data: options.config } } : {}),
    env: options.env ?? {},
    flags: layerFrom({ server: { host: '127.0.0.1', port: 0 } }, 'flag:test'),
  });
  let text = '';
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  const logger = createLogger({ level: options.logLevel ?? 'debug', format: 'json', destination });
  const composed = composeApp({
    config,
    logger,
    ...(options.pluginFlags ? { pluginFlags: options.pluginFlags } : {}),
    home: options.home ?? mkdtempSync(join(tmpdir(), 'ccproxy-test-home-')),
    sources,
    env: options.env ?? {},
    ...(options.planUsage ? { planUsage: options.planUsage } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const server = await startServer({
    fetch: composed.app.fetch,
    direct: composed.direct,
    host: '127.0.0.1',
    port: options.port ?? 0,
    logger,
    connections: connectionSettings(config),
  });
  return {
    url: server.url,
    server,
    composed,
    logText: () => text,
    logs: () =>
      text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async close() {
      composed.closeFeeds();
      await server.close(1000, () => composed.endStreams());
      await composed.close();
      // Every test's traffic, logged at debug level, must leave no secret in the logs.
      const leaked = findSecrets(text);
      if (leaked.length > 0)
        throw new Error(`Secrets reached the log output: ${leaked.join(', ')}`);
    },
  };
}

/**
 * The access log line of a request: written once its answer (or stream) has ended, which can be
 * a moment after the client has read the last byte, so it is polled for.
 */
export async function accessLine(
  proxy: TestProxy,
  requestId: string,
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const line = proxy
      .logs()
      .find(
        (l) => l.msg === 'access' && (l.access as Record<string, unknown>).request_id === requestId,
      );
    if (line) return line.access as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no access line for ${requestId}`);
}
