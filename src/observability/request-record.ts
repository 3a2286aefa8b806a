/** The one record per request that feeds the access log and the metrics. */
import type { WireFormatId } from '../formats/format.js';
import type { IrUsage } from '../ir/usage.js';

/** What is known about one request; filled in as it goes, complete when its body ends. */
export interface RequestRecord {
  requestId: string;
  method: string;
  path: string;
  /** The route pattern (`/codex/v1/chat/completions`), not the raw path. */
  route?: string;
  clientFormat?: WireFormatId;
  provider?: string;
  /** The provider account that served the request, when the provider has several. */
  account?: string;
  upstreamFormat?: WireFormatId;
  /** The model the client asked for. */
  model?: string;
  /** The model sent upstream, when a rule renamed it. */
  upstreamModel?: string;
  stream?: boolean;
  /** `passthrough`, `normalize`, `translate` or `reassemble`. */
  mode?: string;
  status?: number;
  errorCode?: string;
  /** The error message the client got (secrets scrubbed). */
  errorMessage?: string;
  upstreamStatus?: number;
  finishReason?: string;
  usage: IrUsage;
  warnings: number;
  /** The first warnings in words (`path: message`), for the dashboard; capped. */
  warningTexts?: string[];
  unknownEvents: number;
  /** The distinct unknown upstream event types seen; capped. */
  unknownEventTypes?: string[];
  /** The capture's path without extension (`DIR/<stamp>-<id>`), when capture is on. */
  capture?: string;
  /** Start time (ms, from the server's monotonic clock). */
  startedAt: number;
  ttfbMs?: number;
  durationMs?: number;
  /** The client went away before the body ended. */
  cancelled?: boolean;
}

/** Tracks when a record's response body has ended. */
export interface RecordLifecycle {
  record: RequestRecord;
  /** Called by whoever produces a streamed body: the returned function marks its end. */
  deferFinish(): () => void;
  /** Resolves when the body has ended (at once when nothing deferred). */
  whenFinished(): Promise<void>;
}

/** Creates a record and its lifecycle. */
export function createRequestRecord(init: {
  requestId: string;
  method: string;
  path: string;
  startedAt: number;
}): RecordLifecycle {
  // Every field present from the start, in one order: the record keeps one hidden class, so
  // the stores made as the request goes are plain field writes (a field added later moved it
  // through a chain of classes, a write cost ~1.5 µs once that chain was megamorphic).
  const record: RequestRecord = {
    requestId: init.requestId,
    method: init.method,
    path: init.path,
    route: undefined,
    clientFormat: undefined,
    provider: undefined,
    account: undefined,
    upstreamFormat: undefined,
    model: undefined,
    upstreamModel: undefined,
    stream: undefined,
    mode: undefined,
    status: undefined,
    errorCode: undefined,
    errorMessage: undefined,
    upstreamStatus: undefined,
    finishReason: undefined,
    usage: {},
    warnings: 0,
    warningTexts: undefined,
    unknownEvents: 0,
    unknownEventTypes: undefined,
    capture: undefined,
    startedAt: init.startedAt,
    ttfbMs: undefined,
    durationMs: undefined,
    cancelled: undefined,
  };
  let pending: Promise<void> | undefined;
  return {
    record,
    deferFinish() {
      let resolve!: () => void;
      pending = new Promise<void>((done) => {
        resolve = done;
      });
      let called = false;
      return () => {
        if (called) return;
        called = true;
        resolve();
      };
    },
    whenFinished() {
      return pending ?? Promise.resolve();
    },
  };
}
