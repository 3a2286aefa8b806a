/** What the application is built from, and the per-request values its middleware hands on. */
import type { Hono } from 'hono';
import type { PlanUsageSource, RestingMark } from '../accounts/plan-usage.js';
import type { Config } from '../config/schema.js';
import type { WireFormat, WireFormatId } from '../formats/format.js';
import type { Logger } from '../observability/logger.js';
import type { ProxyMetrics } from '../observability/metrics.js';
import type { RecordLifecycle } from '../observability/request-record.js';
import type { PipelineDeps } from '../pipeline/context.js';
import type { Provider } from '../providers/provider.js';
import type { ResponsesStore } from '../responses-store/store.js';
import type { RequestSignal } from '../util/request-signal.js';
import type { DashboardDeps } from './dashboard/routes.js';

/** Everything the application needs, injected (tests build it with fakes and loopback URLs). */
export interface AppDeps {
  config: Readonly<Config>;
  logger: Logger;
  metrics?: ProxyMetrics;
  formats: Readonly<Record<WireFormatId, WireFormat>>;
  providers: ReadonlyMap<string, Provider>;
  /** Enabled plugin names, for `/health`. */
  plugins: readonly string[];
  /** Plan usage per account, shown by an authorized `/health`. */
  planUsage?: PlanUsageSource;
  /** The shared state backend (Redis), reported by `/health`. */
  sharedState?: SharedStateStatus;
  /** Accounts of pools resting until their limit resets, shown with the plan usage. */
  restingAccounts?: (nowMs: number) => Promise<RestingMark[]>;
  /** Monotonic milliseconds. */
  now?(): number;
  /** Appends access-log records to a file, when configured. */
  accessLogFile?: (line: string) => void;
  accessLog?: boolean;
  /** Aborted at shutdown once draining times out: open streams end with their error event. */
  shutdown?: RequestSignal;
  /** Starts capturing a request (raw upstream stream and the answer), when capture is on. */
  startCapture?: PipelineDeps['startCapture'];
  /** The dashboard plugin (its own access check, routes and feed), when it is on. */
  dashboard?: DashboardDeps;
  /** Kept Responses answers (`[responses_store]`); absent when the store is off. */
  responsesStore?: ResponsesStore;
}

/** What `/health` shows of the shared state backend. */
export interface SharedStateStatus {
  backend: 'redis';
  status(): 'ok' | 'unreachable';
  /** Takes the other replicas' plan usage. */
  sync?(): Promise<void>;
}

/** The values the request-record middleware sets for every later handler. */
export interface AppEnv {
  Variables: {
    lifecycle: RecordLifecycle;
    logger: Logger;
    /**
     * Headers every answer of the request carries (`x-request-id`, CORS), gathered by the
     * middleware before the handler runs, for an answer the handler writes itself.
     */
    answerHeaders: Record<string, string>;
  };
}

/** The application. */
export type App = Hono<AppEnv>;
