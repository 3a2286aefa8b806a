/** The access log: one line per request when its body ends, plus the metrics derived from it. */
import type { Logger } from '../observability/logger.js';
import type { ProxyMetrics } from '../observability/metrics.js';
import type { RequestRecord } from '../observability/request-record.js';

/** The access-log line of a record (snake_case, stable field names). */
export function accessLogFields(record: RequestRecord): Record<string, unknown> {
  return {
    request_id: record.requestId,
    method: record.method,
    path: record.path,
    route: record.route,
    client_format: record.clientFormat,
    provider: record.provider,
    account: record.account,
    upstream_format: record.upstreamFormat,
    model: record.model,
    upstream_model: record.upstreamModel,
    stream: record.stream,
    mode: record.mode,
    status: record.status,
    error_code: record.errorCode,
    upstream_status: record.upstreamStatus,
    finish_reason: record.finishReason,
    ttfb_ms: record.ttfbMs === undefined ? undefined : Math.round(record.ttfbMs),
    duration_ms: record.durationMs === undefined ? undefined : Math.round(record.durationMs),
    input_tokens: record.usage.inputTokens,
    output_tokens: record.usage.outputTokens,
    cached_tokens: record.usage.cachedInputTokens,
    reasoning_tokens: record.usage.reasoningTokens,
    warnings: record.warnings,
    unknown_events: record.unknownEvents,
    cancelled: record.cancelled,
  };
}

/** Logs the record and feeds the metrics. */
export function logAccess(
  record: RequestRecord,
  options: {
    logger: Logger;
    metrics: ProxyMetrics | undefined;
    enabled: boolean;
    file: ((line: string) => void) | undefined;
  },
): void {
  const fields = accessLogFields(record);
  if (options.enabled) {
    options.logger.info({ access: fields }, 'access');
    options.file?.(JSON.stringify({ time: new Date().toISOString(), ...fields }));
  }
  const metrics = options.metrics;
  if (!metrics) return;
  const route = record.route ?? 'unmatched';
  const provider = record.provider ?? 'none';
  metrics.requests.inc({
    route,
    provider,
    client_format: record.clientFormat ?? 'none',
    status: String(record.status ?? 0),
  });
  const stream = String(record.stream ?? false);
  if (record.durationMs !== undefined)
    metrics.duration.observe({ route, provider, stream }, record.durationMs / 1000);
  if (record.ttfbMs !== undefined)
    metrics.timeToFirstByte.observe({ route, provider, stream }, record.ttfbMs / 1000);
  const usage = record.usage;
  if (usage.inputTokens) metrics.tokens.inc({ provider, direction: 'input' }, usage.inputTokens);
  if (usage.outputTokens) metrics.tokens.inc({ provider, direction: 'output' }, usage.outputTokens);
  if (usage.cachedInputTokens)
    metrics.tokens.inc({ provider, direction: 'cached' }, usage.cachedInputTokens);
  if (usage.reasoningTokens)
    metrics.tokens.inc({ provider, direction: 'reasoning' }, usage.reasoningTokens);
  if (record.warnings && record.clientFormat && record.upstreamFormat) {
    metrics.conversionWarnings.inc(
      { client_format: record.clientFormat, upstream_format: record.upstreamFormat },
      record.warnings,
    );
  }
}
