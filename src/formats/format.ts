/** The contract every wire format folder implements: eight converters plus native reassembly. */
import type { ProxyError } from '../errors.js';
import type { IrEvent } from '../ir/events.js';
import type { WireFormatId } from '../ir/meta.js';
import type { IrRequest } from '../ir/request.js';
import type { IrError, IrFinishReason, IrResponse } from '../ir/response.js';
import type { IrUsage } from '../ir/usage.js';
import type { Converted, WarningSink } from '../ir/warnings.js';
import type { SseMessage } from '../sse/message.js';
import type { PlainEvent, PlainRun } from '../sse/parse.js';
import type { StreamStep } from '../streams/step.js';

export type { WireFormatId } from '../ir/meta.js';

/** A JSON body in some wire format. */
export type WireBody = Record<string, unknown>;

/**
 * The usage and finish reason of an answer that reports no failure, exactly as `decodeResponse`
 * gives them (a differential test of each format checks it).
 */
export interface AnswerOutcome {
  usage: IrUsage;
  finishReason: IrFinishReason;
}

/**
 * What an encoder needs that the IR does not hold. Everything that would otherwise come from
 * the clock or a random source comes from here, so encoders are deterministic under test.
 */
export interface EncodeContext {
  /**
   * Model name to show the client (the one it asked for), overriding the response's model; unset
   * on a same-format route whose model went upstream unchanged (see `shownModel` in
   * handle-request.ts): the upstream's own name is then forwarded.
   */
  model?: string;
  /** Unix seconds to use for `created` fields when the response has no `createdAt`. */
  createdAt: number;
  /** Makes a fresh id with the given prefix (`msg_`, `resp_`, `call_`, ...). */
  createId(prefix: string): string;
  /** Receives what the target format cannot express. */
  onWarning?: WarningSink;
  /**
   * The client's decoded request, when there is one: lets an encoder echo what its format echoes
   * (Responses envelopes repeat `tools` and `instructions`) and honour stream options
   * (`stream_options.include_usage` in `meta['openai-chat']`).
   */
  request?: IrRequest;
  /**
   * The client's body as it was sent upstream's way, on a same-format route: a pass-through step
   * reads the little it needs from it (Chat `stream_options`) without decoding `request`.
   */
  clientBody?: WireBody;
}

/** Hooks a stream decoder or accumulator reports drift through. */
export interface DecodeStreamOptions {
  onWarning?: WarningSink;
  /** Called for every upstream event whose type the decoder does not know. */
  onUnknownEvent?: (type: string) => void;
  /**
   * Called with each event of the upstream's own that clients do not get (the Codex backend's
   * `codex.*`, `keepalive`), parsed, for the provider that answered (`UpstreamResponse`).
   */
  onBackendEvent?: BackendEventSink;
  /**
   * The decoder only judges a stream's head (the pipeline's probe, whose events are read for an
   * error, content or an end, and dropped): it may give `message-start` without the fields it
   * would read from an event that only starts the message, and skip reading that event (a Codex
   * `response.created` echoes 50 KB of instructions, which the answer's own decoder reads again).
   */
  headOnly?: boolean;
  /**
   * The rebuilt body is only decoded to the IR, for a client of another format: envelope fields
   * the IR does not model (meta carries them, for an encoder of the upstream's own format only)
   * may be left out. A Codex `response.created` echoes 50 KB of instructions and tools; the
   * Responses accumulator then parses a lifecycle envelope only when the terminal event lacks a
   * field the IR reads.
   */
  irOnly?: boolean;
}

/** Takes an upstream's own stream event (see `DecodeStreamOptions.onBackendEvent`). */
export type BackendEventSink = (event: Record<string, unknown> & { type: string }) => void;

/** The IR error event, the one IR item a passthrough stream accepts besides SSE messages. */
export type IrErrorEvent = Extract<IrEvent, { type: 'error' }>;

/**
 * A same-format passthrough step. `plain`, when the format has one, recognises an ordinary event
 * from its text (see `PlainEvent`): the route's parser then hands runs of them on as their wire
 * text (`SseMessage.raw`), which the step forwards as they are while it is still forwarding. It
 * must be a pure function of the event: the step's state applies when the run reaches it.
 */
export interface PassthroughStep extends StreamStep<SseMessage | IrErrorEvent, SseMessage> {
  plain?: PlainEvent;
  /** Runs of events `plain` accepts, matched at once (`SseParserOptions.plainRun`). */
  plainRun?: () => PlainRun | undefined;
}

/** Hooks of a passthrough step. */
export interface PassthroughOptions extends DecodeStreamOptions {
  /** Called with each usage snapshot seen in the stream (cumulative; later values win). */
  onUsage?: (usage: IrUsage) => void;
  /** Called with each failure the stream reports or ends with (forwarded or written). */
  onError?: (error: IrError) => void;
}

/** What a native stream accumulator rebuilt. */
export interface StreamAccumulation {
  /** The final non-streaming body in the same format, as complete as the stream allowed. */
  body: WireBody;
  /** Whether the stream reached its terminal event (completed, incomplete or finished). */
  complete: boolean;
  /** The failure the stream reported (error event, `response.failed`) or its early end. */
  error?: IrError;
}

/** Rebuilds a format's own non-streaming body from its stream, losslessly. */
export interface WireStreamAccumulator {
  push(message: SseMessage): void;
  result(): StreamAccumulation;
  /**
   * The events the accumulator takes as runs of their text (`SseMessage.raw`), for the parser
   * in front of it (`SseParserOptions.plain` and `plainRun`): it keeps them unread until they
   * are needed.
   */
  plain?: PlainEvent;
  plainRun?: () => PlainRun | undefined;
}

/** An error as a client of this format expects to receive it. */
export interface EncodedError {
  status: number;
  body: WireBody;
  headers: Record<string, string>;
}

/** One wire format. Decode = wire to IR, encode = IR to wire. All functions are pure. */
export interface WireFormat {
  id: WireFormatId;
  /** Client request to IR. Throws `ProxyError('invalid_request')` naming the bad field. */
  decodeRequest(body: unknown): Converted<IrRequest>;
  /** IR to an upstream request body. */
  encodeRequest(request: IrRequest): Converted<WireBody>;
  /** Upstream non-streaming body to IR (lenient). */
  decodeResponse(body: unknown): Converted<IrResponse>;
  /**
   * What a same-format route reads of a whole answer it forwards as it came (`AnswerOutcome`),
   * without decoding the rest; `undefined` when the full decode must judge the body. Optional:
   * without it the answer is decoded in full.
   */
  readAnswerOutcome?(body: WireBody): AnswerOutcome | undefined;
  /** IR to the non-streaming body a client of this format expects. */
  encodeResponse(response: IrResponse, context: EncodeContext): Converted<WireBody>;
  /** Upstream SSE messages to IR events (lenient: unknown events are skipped and reported). */
  createStreamDecoder(options?: DecodeStreamOptions): StreamStep<SseMessage, IrEvent>;
  /** IR events to SSE messages a client's official SDK accepts; always ends properly. */
  createStreamEncoder(context: EncodeContext): StreamStep<IrEvent, SseMessage>;
  /** Upstream SSE messages to the same format's final body (the drift-proof reassembly). */
  createStreamAccumulator(options?: DecodeStreamOptions): WireStreamAccumulator;
  /**
   * Same-format forwarding of a stream (client and upstream speak this format): passes events
   * through, with only the fixes this format needs (drop backend-only events, keep the numbers
   * increasing, complete the terminal event, show `context.model`). An `error` item (a failure of
   * the upstream connection) becomes this format's terminal error frame. Usage seen on the way is
   * reported through `options.onUsage`.
   */
  createStreamPassthrough(context: EncodeContext, options?: PassthroughOptions): PassthroughStep;
  /** Upstream error status and body to a `ProxyError` that keeps the upstream's meaning. */
  decodeError(status: number, body: unknown, headers: Headers): ProxyError;
  /** A `ProxyError` (or stream error) as this format's HTTP error response. */
  encodeError(error: ProxyError | IrError): EncodedError;
}
