/** `/health` (minimal for strangers, account state for the proxy's own users) and `/metrics`. */
import type { ProxyMetrics } from '../../observability/metrics.js';
import type { Provider } from '../../providers/provider.js';
import { VERSION } from '../../version.js';
import type { App } from '../app-deps.js';
import { keysMatch, presentedKey } from '../local-auth.js';
import { incomingOf } from '../request-guards.js';
import { isLoopbackHost } from '../serve.js';

/** Registers `/health`. */
export function registerHealthRoute(
  app: App,
  options: {
    authToken: string | undefined;
    loopbackBind: boolean;
    plugins: readonly string[];
    providers: ReadonlyMap<string, Provider>;
  },
): void {
  const { authToken, plugins } = options;
  app.get('/health', async (c) => {
    // Account identity and credential sources are for the proxy's own users only: requests
    // with the key, or (keyless) loopback requests to a loopback server.
    const authorized =
      authToken !== undefined
        ? keysMatch(authToken, presentedKey(c.req.raw.headers))
        : options.loopbackBind && isLoopbackHost(incomingOf(c)?.socket.remoteAddress ?? '');
    if (!authorized) return c.json({ status: 'ok', version: VERSION, plugins });
    const providers: Record<string, unknown> = {};
    for (const [id, provider] of options.providers) {
      providers[id] = await provider.credentialStatus();
    }
    return c.json({ status: 'ok', version: VERSION, plugins, providers });
  });
}

/** Registers `/metrics` (Prometheus text), when metrics are on. */
export function registerMetricsRoute(app: App, metrics: ProxyMetrics): void {
  const registry = metrics.registry;
  app.get('/metrics', async (c) =>
    c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
  );
}
