/** Prometheus metrics of one proxy instance (its own registry, so several apps can coexist). */
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { PlanUsageSource, RestingMark, UsageWindow } from '../accounts/plan-usage.js';

/**
 * The four prom-client classes the proxy uses, loaded from their own modules: prom-client's
 * index also loads its default process metrics (and through them `@opentelemetry/api`, 51
 * modules), the push gateway and the cluster aggregator, 1.4 MB of live heap the proxy never
 * uses (issue 13: peak RSS). prom-client has no `exports` map; the lockfile pins the version.
 */
const requirePart = createRequire(import.meta.url);
const Counter: typeof PromClient.Counter = requirePart('prom-client/lib/counter.js');
const Gauge: typeof PromClient.Gauge = requirePart('prom-client/lib/gauge.js');
const Histogram: typeof PromClient.Histogram = requirePart('prom-client/lib/histogram.js');
const Registry: typeof PromClient.Registry = requirePart('prom-client/lib/registry.js');
type Counter<T extends string> = PromClient.Counter<T>;
type Gauge<T extends string> = PromClient.Gauge<T>;
type Histogram<T extends string> = PromClient.Histogram<T>;
type Registry = PromClient.Registry;

/** The metric set; names follow `proxy_<thing>_<unit>`. */
export interface ProxyMetrics {
  registry: Registry;
  requests: Counter<'route' | 'provider' | 'client_format' | 'status'>;
  duration: Histogram<'route' | 'provider' | 'stream'>;
  timeToFirstByte: Histogram<'route' | 'provider' | 'stream'>;
  tokens: Counter<'provider' | 'direction'>;
  upstreamErrors: Counter<'provider' | 'code'>;
  tokenRefreshes: Counter<'provider' | 'outcome'>;
  unknownEvents: Counter<'format' | 'type'>;
  conversionWarnings: Counter<'client_format' | 'upstream_format'>;
  inFlightStreams: Gauge<'provider'>;
  /** Share of each plan window used, as the upstream last reported it (0 to 1). */
  planUsedRatio: Gauge<'provider' | 'account' | 'window'>;
  /** When each plan window resets, in Unix seconds. */
  planResetsAt: Gauge<'provider' | 'account' | 'window'>;
  /** Requests moved from one account of a pool to the next, by why. */
  accountFailovers: Counter<'provider' | 'account' | 'reason'>;
  /** Until when each resting account of a pool rests, in Unix seconds. */
  accountRestingUntil: Gauge<'provider' | 'account' | 'reason'>;
}

/** Options of `createMetrics`. */
export interface MetricsOptions {
  /** Plan usage per account, read at every scrape. */
  planUsage?: PlanUsageSource;
  /** Resting accounts of pools, read at every scrape. */
  restingAccounts?: (nowMs: number) => Promise<RestingMark[]>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * Sets one plan gauge at scrape time from the usage last reported: a value per account and
 * window, or none where `readWindow` gives none (a window without a reset time).
 */
function setPlanWindows(
  gauge: Gauge<'provider' | 'account' | 'window'>,
  planUsage: PlanUsageSource | undefined,
  readWindow: (window: UsageWindow) => number | undefined,
): void {
  if (!planUsage) return;
  gauge.reset();
  for (const usage of planUsage.snapshot()) {
    for (const window of usage.windows) {
      const value = readWindow(window);
      if (value === undefined) continue;
      gauge.set({ provider: usage.provider, account: usage.account, window: window.name }, value);
    }
  }
}

/** Creates the metric set on a fresh registry. */
export function createMetrics(options: MetricsOptions = {}): ProxyMetrics {
  const registry = new Registry();
  const registers = [registry];
  const planUsage = options.planUsage;
  const restingAccounts = options.restingAccounts;
  return {
    registry,
    requests: new Counter({
      name: 'proxy_requests_total',
      help: 'Requests served, by route, provider, client format and status',
      labelNames: ['route', 'provider', 'client_format', 'status'],
      registers,
    }),
    duration: new Histogram({
      name: 'proxy_request_duration_seconds',
      help: 'Time from request to the end of the response body',
      labelNames: ['route', 'provider', 'stream'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    timeToFirstByte: new Histogram({
      name: 'proxy_time_to_first_byte_seconds',
      help: 'Time from request to the first byte of the response body',
      labelNames: ['route', 'provider', 'stream'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    tokens: new Counter({
      name: 'proxy_tokens_total',
      help: 'Tokens reported by upstreams, by direction (input, output, cached, reasoning)',
      labelNames: ['provider', 'direction'],
      registers,
    }),
    upstreamErrors: new Counter({
      name: 'proxy_upstream_errors_total',
      help: 'Upstream failures by error code',
      labelNames: ['provider', 'code'],
      registers,
    }),
    tokenRefreshes: new Counter({
      name: 'proxy_token_refreshes_total',
      help: 'OAuth token refreshes by outcome',
      labelNames: ['provider', 'outcome'],
      registers,
    }),
    unknownEvents: new Counter({
      name: 'proxy_unknown_upstream_events_total',
      help: 'Upstream stream events of a type the decoder does not know',
      labelNames: ['format', 'type'],
      registers,
    }),
    conversionWarnings: new Counter({
      name: 'proxy_conversion_warnings_total',
      help: 'Content or parameters a target format could not express',
      labelNames: ['client_format', 'upstream_format'],
      registers,
    }),
    inFlightStreams: new Gauge({
      name: 'proxy_in_flight_streams',
      help: 'Streaming responses currently being written',
      labelNames: ['provider'],
      registers,
    }),
    planUsedRatio: new Gauge({
      name: 'proxy_plan_used_ratio',
      help: 'Share of a plan window used (0 to 1), as the upstream last reported it',
      labelNames: ['provider', 'account', 'window'],
      registers,
      collect() {
        setPlanWindows(this, planUsage, (window) => window.usedRatio);
      },
    }),
    planResetsAt: new Gauge({
      name: 'proxy_plan_resets_at_seconds',
      help: 'When a plan window resets, in Unix seconds',
      labelNames: ['provider', 'account', 'window'],
      registers,
      collect() {
        setPlanWindows(this, planUsage, (window) =>
          window.resetsAt === undefined ? undefined : Math.round(window.resetsAt / 1000),
        );
      },
    }),
    accountFailovers: new Counter({
      name: 'proxy_account_failovers_total',
      help: 'Requests moved to the next account of a pool before the first byte, by reason',
      labelNames: ['provider', 'account', 'reason'],
      registers,
    }),
    accountRestingUntil: new Gauge({
      name: 'proxy_account_resting_until_seconds',
      help: 'Until when an account of a pool rests after hitting its limit, in Unix seconds',
      labelNames: ['provider', 'account', 'reason'],
      registers,
      async collect() {
        if (!restingAccounts) return;
        const resting = await restingAccounts(Date.now()).catch(() => []);
        this.reset();
        for (const mark of resting) {
          this.set(
            { provider: mark.provider, account: mark.account, reason: mark.reason },
            Math.round(mark.until / 1000),
          );
        }
      },
    }),
  };
}
