/**
 * The dashboard's live feed and in-memory history: every finished request record goes through
 * `record()`, which keeps per-minute token counts and the last requests (references, no copies),
 * and serializes and publishes the record only while at least one dashboard is connected; plan
 * usage changes are published the same way (a `usage` event), so the bars move without polling.
 */
import type { RequestRecord } from '../../observability/request-record.js';
import type { PlanUsageSource } from './plan-usage.js';

/** A finished request as the dashboard shows it (JSON). */
export interface DashboardRequest {
  id: string;
  /** When the request started and finished (ISO dates). */
  time: string;
  finishedAt: string;
  method: string;
  path: string;
  provider?: string;
  account?: string;
  clientFormat?: string;
  upstreamFormat?: string;
  mode?: string;
  stream?: boolean;
  model?: string;
  upstreamModel?: string;
  status?: number;
  upstreamStatus?: number;
  errorCode?: string;
  error?: string;
  finishReason?: string;
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  ttfbMs?: number;
  durationMs?: number;
  warnings: number;
  warningTexts: string[];
  unknownEvents: number;
  unknownEventTypes: string[];
  cancelled?: boolean;
  /** The capture's path without extension, when capture is on. */
  capture?: string;
  /** The `ccproxy replay` command of the capture. */
  replay?: string;
}

/** Token totals of one provider. */
export interface ProviderTotals {
  requests: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

/** Tokens (input + output) per provider during one minute. */
export interface MinuteBucket {
  /** Start of the minute (Unix ms). */
  minute: number;
  tokens: Record<string, number>;
}

/** Usage since start and over the last hour. */
export interface UsageHistory {
  since: string;
  totals: Record<string, ProviderTotals>;
  /** The last 60 minutes, oldest first, one bucket per minute (empty minutes included). */
  perMinute: MinuteBucket[];
}

/** One connected dashboard. */
export interface FeedSubscriber {
  /** Receives a ready SSE chunk. */
  send(chunk: string): void;
  /** The feed is shutting down. */
  close(): void;
}

/** The feed. */
export interface DashboardFeed {
  /** Takes a finished record (called for every request, so it must stay cheap). */
  record(record: RequestRecord): void;
  /** Plan usage changed: connected dashboards get the new figures (nothing happens otherwise). */
  planUsageChanged(): void;
  /** Connects a dashboard; returns the function that disconnects it. */
  subscribe(subscriber: FeedSubscriber): () => void;
  /** Number of connected dashboards. */
  subscribers(): number;
  /** Number of records serialized and published so far (zero while nobody watches). */
  published(): number;
  /** The last requests, oldest first. */
  recent(): DashboardRequest[];
  usage(): UsageHistory;
  /** Ends every connected feed (shutdown). */
  closeAll(): void;
}

const MINUTE = 60_000;
const HISTORY_MINUTES = 60;

/** Options of `createDashboardFeed`. */
export interface FeedOptions {
  /** Wall-clock milliseconds. */
  wallClock?: () => number;
  /** How many recent requests the snapshot keeps. */
  keep?: number;
  /** The plan usage `planUsageChanged()` publishes. */
  planUsage?: PlanUsageSource;
}

interface Kept {
  record: RequestRecord;
  finishedAt: number;
}

/** The `ccproxy replay` command that reruns a capture as its client saw it. */
export function replayCommand(
  capture: string,
  clientFormat: string | undefined,
  stream: boolean | undefined,
): string {
  const as =
    clientFormat === 'openai-chat'
      ? 'chat'
      : clientFormat === 'openai-responses'
        ? 'responses'
        : 'messages';
  const file = `${capture}.sse`;
  const quoted = /^[\w./:@%+=-]+$/.test(file) ? file : `'${file.replace(/'/g, "'\\''")}'`;
  return `ccproxy replay ${quoted} --as ${as}${stream ? ' --stream' : ''}`;
}

/** Converts a record to its dashboard view. */
export function dashboardRequest(record: RequestRecord, finishedAt: number): DashboardRequest {
  const duration = record.durationMs ?? 0;
  const usage = record.usage;
  return {
    id: record.requestId,
    time: new Date(finishedAt - duration).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    method: record.method,
    path: record.path,
    provider: record.provider,
    account: record.account,
    clientFormat: record.clientFormat,
    upstreamFormat: record.upstreamFormat,
    mode: record.mode,
    stream: record.stream,
    model: record.model,
    upstreamModel: record.upstreamModel,
    status: record.status,
    upstreamStatus: record.upstreamStatus,
    errorCode: record.errorCode,
    error: record.errorMessage,
    finishReason: record.finishReason,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cachedTokens: usage.cachedInputTokens,
    reasoningTokens: usage.reasoningTokens,
    ttfbMs: record.ttfbMs === undefined ? undefined : Math.round(record.ttfbMs),
    durationMs: record.durationMs === undefined ? undefined : Math.round(record.durationMs),
    warnings: record.warnings,
    warningTexts: record.warningTexts ?? [],
    unknownEvents: record.unknownEvents,
    unknownEventTypes: record.unknownEventTypes ?? [],
    cancelled: record.cancelled,
    capture: record.capture,
    replay:
      record.capture === undefined
        ? undefined
        : replayCommand(record.capture, record.clientFormat, record.stream),
  };
}

/** True when a record is a failure (an error status or an error mid-stream). */
export function isFailed(record: RequestRecord): boolean {
  return (record.status ?? 0) >= 400 || record.errorCode !== undefined;
}

/** Creates the feed. */
export function createDashboardFeed(options: FeedOptions = {}): DashboardFeed {
  const wallClock = options.wallClock ?? Date.now;
  const keep = options.keep ?? 200;
  const since = new Date(wallClock()).toISOString();
  const subscribers = new Set<FeedSubscriber>();
  const kept: Kept[] = [];
  const totals = new Map<string, ProviderTotals>();
  // Minute start -> provider -> tokens; minutes older than an hour are dropped as new ones come.
  const minutes = new Map<number, Map<string, number>>();
  let published = 0;
  // A Codex answer reports usage in its headers and again in its stream's first event: changes
  // made in one go are published once.
  let usagePending = false;

  function publishUsage(): void {
    usagePending = false;
    if (subscribers.size === 0 || !options.planUsage) return;
    const usage = {
      now: new Date(wallClock()).toISOString(),
      planUsage: options.planUsage.snapshot(),
    };
    const chunk = `event: usage\ndata: ${JSON.stringify(usage)}\n\n`;
    for (const subscriber of subscribers) subscriber.send(chunk);
  }

  function count(record: RequestRecord, finishedAt: number): void {
    const provider = record.provider;
    if (provider === undefined) return;
    let total = totals.get(provider);
    if (!total) {
      total = {
        requests: 0,
        failed: 0,
        inputTokens: 0,
        outputTokens: 0,
        cachedTokens: 0,
        reasoningTokens: 0,
      };
      totals.set(provider, total);
    }
    const usage = record.usage;
    total.requests += 1;
    if (isFailed(record)) total.failed += 1;
    total.inputTokens += usage.inputTokens ?? 0;
    total.outputTokens += usage.outputTokens ?? 0;
    total.cachedTokens += usage.cachedInputTokens ?? 0;
    total.reasoningTokens += usage.reasoningTokens ?? 0;
    const tokens = (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
    if (tokens === 0) return;
    const minute = Math.floor(finishedAt / MINUTE) * MINUTE;
    let bucket = minutes.get(minute);
    if (!bucket) {
      bucket = new Map();
      minutes.set(minute, bucket);
      for (const old of minutes.keys())
        if (old <= minute - HISTORY_MINUTES * MINUTE) minutes.delete(old);
    }
    bucket.set(provider, (bucket.get(provider) ?? 0) + tokens);
  }

  return {
    record(record) {
      const finishedAt = wallClock();
      count(record, finishedAt);
      kept.push({ record, finishedAt });
      if (kept.length > keep) kept.shift();
      // Nobody watching: nothing is serialized or written.
      if (subscribers.size === 0) return;
      const chunk = `event: request\ndata: ${JSON.stringify(dashboardRequest(record, finishedAt))}\n\n`;
      published += 1;
      for (const subscriber of subscribers) subscriber.send(chunk);
    },
    planUsageChanged() {
      // Nobody watching (or already queued): nothing to do.
      if (subscribers.size === 0 || usagePending || !options.planUsage) return;
      usagePending = true;
      queueMicrotask(publishUsage);
    },
    subscribe(subscriber) {
      subscribers.add(subscriber);
      return () => {
        subscribers.delete(subscriber);
      };
    },
    subscribers: () => subscribers.size,
    published: () => published,
    recent: () => kept.map((entry) => dashboardRequest(entry.record, entry.finishedAt)),
    usage() {
      const current = Math.floor(wallClock() / MINUTE) * MINUTE;
      const perMinute: MinuteBucket[] = [];
      for (let i = HISTORY_MINUTES - 1; i >= 0; i--) {
        const minute = current - i * MINUTE;
        perMinute.push({ minute, tokens: Object.fromEntries(minutes.get(minute) ?? []) });
      }
      return {
        since,
        totals: Object.fromEntries([...totals].map(([id, total]) => [id, { ...total }])),
        perMinute,
      };
    },
    closeAll() {
      for (const subscriber of [...subscribers]) subscriber.close();
      subscribers.clear();
    },
  };
}
