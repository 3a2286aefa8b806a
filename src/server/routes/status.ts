/**
 * `/health` (minimal for strangers, with the shared state's status; account state and plan
 * usage for the proxy's own users) and `/metrics`.
 */
import { type PlanUsageSource, type RestingMark, usageToJson } from '../../accounts/plan-usage.js';
import type { ProxyMetrics } from '../../observability/metrics.js';
import type { Provider } from '../../providers/provider.js';
import { VERSION } from '../../version.js';
import type { App, SharedStateStatus } from '../app-deps.js';
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
    planUsage?: PlanUsageSource;
    sharedState?: SharedStateStatus;
    restingAccounts?: (nowMs: number) => Promise<RestingMark[]>;
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
    const shared = options.sharedState;
    const stateStatus = shared?.status();
    const overall = {
      // Degraded, not down: requests that need no shared state are still served.
      status: stateStatus === 'unreachable' ? 'degraded' : 'ok',
      ...(shared ? { state: { backend: shared.backend, status: stateStatus } } : {}),
      version: VERSION,
      plugins,
    };
    if (!authorized) return c.json(overall);
    const providers: Record<string, unknown> = {};
    for (const [id, provider] of options.providers) {
      providers[id] = await provider.credentialStatus();
    }
    // Other replicas' usage reports, so every replica shows the same figures.
    if (stateStatus === 'ok') await shared?.sync?.();
    const planUsage = options.planUsage;
    return c.json({
      ...overall,
      providers,
      ...(planUsage
        ? {
            plan_usage: usageToJson(
              planUsage.snapshot(),
              (await options.restingAccounts?.(Date.now())) ?? [],
            ),
          }
        : {}),
    });
  });
}

/** Registers `/metrics` (Prometheus text), when metrics are on. */
export function registerMetricsRoute(app: App, metrics: ProxyMetrics): void {
  const registry = metrics.registry;
  app.get('/metrics', async (c) =>
    c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }),
  );
}
