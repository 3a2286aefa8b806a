/**
 * What the pipeline needs from the outside world (injected so it can be tested and reused), what a
 * route hands it, and the one context a request carries through every step.
 */
import type { WireFormat, WireFormatId } from '../formats/format.js';
import type { UpstreamResponse } from '../http/upstream-fetch.js';
import type { ConversionWarning } from '../ir/warnings.js';
import type { Logger } from '../observability/logger.js';
import type { ProxyMetrics } from '../observability/metrics.js';
import type { RequestCapture } from '../observability/request-capture.js';
import type { RequestRecord } from '../observability/request-record.js';
import type { Provider } from '../providers/provider.js';
import type { ResponsesStore } from '../responses-store/store.js';
import type { RequestSignal } from '../util/request-signal.js';
import type { ConversionPlan } from './conversion.js';

/** Dependencies of the request pipeline. */
export interface PipelineDeps {
  formats: Readonly<Record<WireFormatId, WireFormat>>;
  logger: Logger;
  /** Monotonic milliseconds (for durations). */
  now(): number;
  /** Unix seconds (for `created` fields). */
  unixSeconds(): number;
  createId(prefix: string): string;
  /** Reports an upstream event type a decoder did not know (the server logs once and counts). */
  reportUnknownEvent(format: WireFormatId, type: string): void;
  /** Starts capturing one request (raw upstream bytes and what the client got), when enabled. */
  startCapture?(request: {
    record: RequestRecord;
    headers: Headers;
    body: unknown;
  }): RequestCapture | undefined;
  /** Counts streams being written (the in-flight gauge), when metrics are on. */
  metrics?: ProxyMetrics;
  /** Aborted when the server gives up draining: open streams end with their error event. */
  shutdown?: RequestSignal;
  /** Where Responses answers are kept for `previous_response_id` and `item_reference` (absent: off). */
  responsesStore?: ResponsesStore;
}

/** One request going through the pipeline. */
export interface PipelineInput {
  clientFormat: WireFormatId;
  provider: Provider;
  body: unknown;
  headers: Headers;
  /** Aborts when the client disconnects. */
  signal: RequestSignal;
  record: RequestRecord;
  /** Marks the end of a streamed body (from the request record's lifecycle). */
  deferFinish(): () => void;
  logger: Logger;
  routeSessionId?: string;
}

function warningText(warning: ConversionWarning): string {
  return warning.path ? `${warning.path}: ${warning.message}` : warning.message;
}

/** The conversion warnings of one request, counted as they come and logged once, together. */
export interface WarningLog {
  add(warning: ConversionWarning): void;
  flush(): void;
}

/**
 * One request inside the pipeline: what the route handed over, the app's services, and what the
 * request collects on its way. Built once by `handleRequest` and passed to every step.
 */
export interface RequestContext extends PipelineInput {
  deps: PipelineDeps;
  warnings: WarningLog;
  /** The request's capture, when capture is on. */
  capture: RequestCapture | undefined;
}

/**
 * The request's context once the upstream has answered: the answer and its conversion. Each
 * answer branch is given its `ResponseMode` (see `planResponse`) beside it, narrowed to its own.
 */
export interface AnswerContext extends RequestContext {
  response: UpstreamResponse;
  conversion: ConversionPlan;
}

/** Collects warnings of one request and logs them once, together. */
export function createWarningLog(input: Pick<PipelineInput, 'record' | 'logger'>): WarningLog {
  const warnings: ConversionWarning[] = [];
  return {
    add(warning) {
      warnings.push(warning);
      input.record.warnings += 1;
      input.record.warningTexts ??= [];
      const texts = input.record.warningTexts;
      if (texts.length < 20) texts.push(warningText(warning));
    },
    flush() {
      if (warnings.length === 0) return;
      input.logger.warn(
        {
          warnings: warnings.slice(0, 20).map(warningText),
        },
        'conversion warnings',
      );
      warnings.length = 0;
    },
  };
}

/**
 * The request's context, every field set one by one: a spread of the input object took V8's
 * slow path of object creation (~3 µs a request). The type lists every field of the input,
 * optional ones included, so a field added to `PipelineInput` must be added here too.
 */
export function requestContext(
  input: PipelineInput,
  deps: PipelineDeps,
  warnings: WarningLog,
  capture: RequestCapture | undefined,
): RequestContext {
  const context: RequestContext & Record<keyof Required<PipelineInput>, unknown> = {
    clientFormat: input.clientFormat,
    provider: input.provider,
    body: input.body,
    headers: input.headers,
    signal: input.signal,
    record: input.record,
    deferFinish: input.deferFinish,
    logger: input.logger,
    routeSessionId: input.routeSessionId,
    deps,
    warnings,
    capture,
  };
  return context;
}

/** The answer's context: the request's and the upstream's answer (set one by one, as above). */
export function answerContext(
  ctx: RequestContext,
  response: UpstreamResponse,
  conversion: ConversionPlan,
): AnswerContext {
  const context: AnswerContext & Record<keyof Required<AnswerContext>, unknown> = {
    clientFormat: ctx.clientFormat,
    provider: ctx.provider,
    body: ctx.body,
    headers: ctx.headers,
    signal: ctx.signal,
    record: ctx.record,
    deferFinish: ctx.deferFinish,
    logger: ctx.logger,
    routeSessionId: ctx.routeSessionId,
    deps: ctx.deps,
    warnings: ctx.warnings,
    capture: ctx.capture,
    response,
    conversion,
  };
  return context;
}
