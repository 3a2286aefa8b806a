/** The access log: one line per request when its body ends, plus the metrics derived from it. */
import { isoTimestamp, type JsonLineWriter, type Logger } from '../observability/logger.js';
import type { ProxyMetrics } from '../observability/metrics.js';
import { markRedacted, redactRepeatedText, redactText } from '../observability/redact.js';
import type { RequestRecord } from '../observability/request-record.js';
import { jsonString } from '../util/json-text.js';

/**
 * The access-log line of a record (snake_case, stable field names), with only the fields the
 * record has. Its strings are scrubbed here (the request id, path and model come from the
 * client), so the access-log file gets the same scrubbed line, and the log's own redaction may
 * leave the object as it is (`logAccess` marks it so, `markRedacted`, when pino formats it).
 */
export function accessLogFields(record: RequestRecord): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    request_id: redactText(record.requestId),
    method: record.method,
    path: redactText(record.path),
  };
  // One test per field, no list of pairs: this runs once per request.
  if (record.route !== undefined) fields.route = redactText(record.route);
  if (record.clientFormat !== undefined) fields.client_format = record.clientFormat;
  if (record.provider !== undefined) fields.provider = redactText(record.provider);
  if (record.account !== undefined) fields.account = redactText(record.account);
  if (record.upstreamFormat !== undefined) fields.upstream_format = record.upstreamFormat;
  if (record.model !== undefined) fields.model = redactText(record.model);
  if (record.upstreamModel !== undefined) fields.upstream_model = redactText(record.upstreamModel);
  if (record.stream !== undefined) fields.stream = record.stream;
  if (record.mode !== undefined) fields.mode = record.mode;
  if (record.status !== undefined) fields.status = record.status;
  if (record.errorCode !== undefined) fields.error_code = redactText(record.errorCode);
  if (record.upstreamStatus !== undefined) fields.upstream_status = record.upstreamStatus;
  if (record.finishReason !== undefined) fields.finish_reason = redactText(record.finishReason);
  if (record.ttfbMs !== undefined) fields.ttfb_ms = Math.round(record.ttfbMs);
  if (record.durationMs !== undefined) fields.duration_ms = Math.round(record.durationMs);
  const usage = record.usage;
  if (usage.inputTokens !== undefined) fields.input_tokens = usage.inputTokens;
  if (usage.outputTokens !== undefined) fields.output_tokens = usage.outputTokens;
  if (usage.cachedInputTokens !== undefined) fields.cached_tokens = usage.cachedInputTokens;
  if (usage.reasoningTokens !== undefined) fields.reasoning_tokens = usage.reasoningTokens;
  fields.warnings = record.warnings;
  fields.unknown_events = record.unknownEvents;
  if (record.cancelled !== undefined) fields.cancelled = record.cancelled;
  return fields;
}

/**
 * The access line of `record` exactly as the request's logger would write it (pino, a child
 * bound to the request id, `info({ access: markRedacted(accessLogFields(record)) }, 'access')`):
 * `"level"`, `"time"`, the binding, the fields, the message; a test compares the two lines. It
 * is written field by field, without the fields object and its `JSON.stringify`, and the scrubbed
 * values that recur (routes, providers, models) are remembered: 0.9 µs a line against 1.7
 * (issue 13; the access log and metrics were 6% of a short request's CPU at 50 connections).
 */
export function accessLogLine(record: RequestRecord): string {
  const id = jsonString(redactText(record.requestId));
  let line = `{"level":"info"${isoTimestamp()},"request_id":${id},"access":{"request_id":${id},"method":${jsonString(record.method)},"path":${quoted(record.path)}`;
  if (record.route !== undefined) line += `,"route":${quoted(record.route)}`;
  if (record.clientFormat !== undefined)
    line += `,"client_format":${jsonString(record.clientFormat)}`;
  if (record.provider !== undefined) line += `,"provider":${quoted(record.provider)}`;
  if (record.account !== undefined) line += `,"account":${quoted(record.account)}`;
  if (record.upstreamFormat !== undefined)
    line += `,"upstream_format":${jsonString(record.upstreamFormat)}`;
  if (record.model !== undefined) line += `,"model":${quoted(record.model)}`;
  if (record.upstreamModel !== undefined)
    line += `,"upstream_model":${quoted(record.upstreamModel)}`;
  if (record.stream !== undefined) line += `,"stream":${jsonBoolean(record.stream)}`;
  if (record.mode !== undefined) line += `,"mode":${jsonString(record.mode)}`;
  if (record.status !== undefined) line += `,"status":${jsonNumber(record.status)}`;
  if (record.errorCode !== undefined) line += `,"error_code":${quoted(record.errorCode)}`;
  if (record.upstreamStatus !== undefined)
    line += `,"upstream_status":${jsonNumber(record.upstreamStatus)}`;
  if (record.finishReason !== undefined) line += `,"finish_reason":${quoted(record.finishReason)}`;
  if (record.ttfbMs !== undefined) line += `,"ttfb_ms":${jsonNumber(Math.round(record.ttfbMs))}`;
  if (record.durationMs !== undefined)
    line += `,"duration_ms":${jsonNumber(Math.round(record.durationMs))}`;
  const usage = record.usage;
  if (usage.inputTokens !== undefined) line += `,"input_tokens":${jsonNumber(usage.inputTokens)}`;
  if (usage.outputTokens !== undefined)
    line += `,"output_tokens":${jsonNumber(usage.outputTokens)}`;
  if (usage.cachedInputTokens !== undefined)
    line += `,"cached_tokens":${jsonNumber(usage.cachedInputTokens)}`;
  if (usage.reasoningTokens !== undefined)
    line += `,"reasoning_tokens":${jsonNumber(usage.reasoningTokens)}`;
  line += `,"warnings":${jsonNumber(record.warnings)},"unknown_events":${jsonNumber(record.unknownEvents)}`;
  if (record.cancelled !== undefined) line += `,"cancelled":${jsonBoolean(record.cancelled)}`;
  return `${line}},"msg":"access"}\n`;
}

/** `JSON.stringify(value)` of a number (`String` of a finite one is the same text). */
function jsonNumber(value: number): string {
  return typeof value === 'number' && Number.isFinite(value)
    ? String(value)
    : (JSON.stringify(value) ?? 'null');
}

/** `JSON.stringify(value)` of a boolean. */
function jsonBoolean(value: boolean): string {
  return value === true ? 'true' : value === false ? 'false' : JSON.stringify(value);
}

/** A field value of the access line, scrubbed (`redactRepeatedText`), as JSON. */
function quoted(value: string): string {
  return jsonString(redactRepeatedText(value));
}

/** Logs the record and feeds the metrics. */
export function logAccess(
  record: RequestRecord,
  options: {
    /** The request's logger, bound to its id. */
    logger: Logger;
    /**
     * The root logger's JSON line writer (`jsonLineWriter`), when it has one: the line is then
     * formatted here and written there, without pino's generic formatting.
     */
    lines: JsonLineWriter | undefined;
    metrics: ProxyMetrics | undefined;
    enabled: boolean;
    file: ((line: string) => void) | undefined;
  },
): void {
  if (options.enabled) {
    if (options.lines) {
      if (options.logger.isLevelEnabled('info')) options.lines(accessLogLine(record));
    } else options.logger.info({ access: markRedacted(accessLogFields(record)) }, 'access');
    if (options.file) {
      options.file(JSON.stringify({ time: new Date().toISOString(), ...accessLogFields(record) }));
    }
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
