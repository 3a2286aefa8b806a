/**
 * The conversions of one answer, as pure steps and functions: the same code serves the live
 * pipeline (fed from the upstream socket) and `ccproxy replay` (fed from a captured file).
 */
import type {
  AnswerOutcome,
  BackendEventSink,
  EncodeContext,
  IrErrorEvent,
  StreamAccumulation,
  WireBody,
  WireFormat,
  WireFormatId,
} from '../formats/format.js';
import type { IrEvent } from '../ir/events.js';
import type { IrResponse } from '../ir/response.js';
import type { IrUsage } from '../ir/usage.js';
import type { ConversionWarning } from '../ir/warnings.js';
import { createSseSerializer } from '../sse/encode.js';
import { type SseMessage, wireBytesOf } from '../sse/message.js';
import { createSseParser, type SseParseStep } from '../sse/parse.js';
import { composeSteps, type StreamStep } from '../streams/step.js';
import { withTopLevelModel } from '../util/json-text.js';
import { scrubSecrets } from '../util/secrets.js';
import { createCustomToolUnwrapStep, unwrapCustomToolCalls } from './custom-tools.js';
import type { FormatRoute, LiveStreamMode } from './plan.js';
import { streamFailureToIr } from './to-ir-error.js';

/** Everything a conversion needs to know, and the hooks it reports through. */
export interface ConversionPlan extends FormatRoute {
  formats: Readonly<Record<WireFormatId, WireFormat>>;
  encodeContext: EncodeContext;
  /** Client custom tools the upstream took as wrapped function tools (see custom-tools.ts). */
  customTools: ReadonlySet<string>;
  onWarning(warning: ConversionWarning): void;
  onUnknownEvent(type: string): void;
  /** The upstream's own stream events, for the provider that answered (`UpstreamResponse`). */
  onBackendEvent?: BackendEventSink;
  /** Every usage snapshot, finish and error seen (for the request record). */
  onUsage?(usage: IrUsage): void;
  onFinish?(reason: string): void;
  onError?(code: string): void;
}

/**
 * The two halves of a streamed answer, run by the stream fence (or synchronously by replay). The
 * decoding half is two steps, so the live pipeline can parse the stream's head once: `parse`
 * (bytes to SSE messages) reads the head before the client gets a status, and `decode` goes on
 * from the messages it parsed.
 */
export interface StreamHalves<Mid> {
  parse: SseParseStep;
  decode: StreamStep<SseMessage, Mid>;
  encode: StreamStep<Mid, string | Uint8Array>;
  toErrorItem(error: unknown): Mid;
}

/** The whole decoding half: bytes to items (replay, tests). */
export function decodingHalf<Mid>(halves: StreamHalves<Mid>): StreamStep<Uint8Array, Mid> {
  return composeSteps(halves.parse, halves.decode);
}

/** Passes SSE messages on as they are (the decoding of a same-format route). */
const forwardMessages: StreamStep<SseMessage, SseMessage> = {
  push: (message) => [message],
  end: () => [],
};

/** What follows `"error"` in a message that reports an error: a colon, then an object or a string. */
const AFTER_ERROR_KEY = /\s*:\s*[{"]/y;

/** Data longer than this is searched by `ERROR_REPORT`, shorter data for `rror"` (`isForwardedError`). */
const LONG_DATA = 4096;

/** What `isForwardedError` looks for in a message's data. */
const ERROR_REPORT = /"error"\s*:\s*[{"]/;

/** `"error"`, searched in a message's bytes (`reportsErrorInBytes`). */
const ERROR_KEY = Buffer.from('"error"');

/** Whether a byte is one `\s` matches among ASCII: tab, line feed, vertical tab, form feed, CR, space. */
function isAsciiSpace(byte: number | undefined): boolean {
  return byte === 0x20 || (byte !== undefined && byte >= 0x09 && byte <= 0x0d);
}

/**
 * `ERROR_REPORT` searched in the ASCII bytes of an event (its whole wire text, `wireBytesOf`):
 * `"error"` found by Node's byte search, which reads about 60 bytes a nanosecond on the bench's
 * Responses events (the expression 8, V8's `indexOf` of the same text 6), then what follows
 * each one checked in place. On ASCII, `\s` is exactly `isAsciiSpace`, so the answer is the
 * expression's over the event's data (its `event:` line is searched too: one could only add a
 * scrub of an event that needs none).
 */
function reportsErrorInBytes(bytes: Uint8Array): boolean {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (
    let at = buffer.indexOf(ERROR_KEY);
    at !== -1;
    at = buffer.indexOf(ERROR_KEY, at + ERROR_KEY.length)
  ) {
    let next = at + ERROR_KEY.length;
    while (isAsciiSpace(buffer[next])) next++;
    if (buffer[next] !== 0x3a) continue;
    next++;
    while (isAsciiSpace(buffer[next])) next++;
    if (buffer[next] === 0x7b || buffer[next] === 0x22) return true;
  }
  return false;
}

/**
 * Whether a forwarded message reports an error: an `error` event, or text matching
 * `ERROR_REPORT` (an `error` object or message) in its data (in the upstream's data it was
 * edited from, `sourceData`, when the step set it). A short event (a Chat or Messages chunk:
 * dense JSON, a `"` every few bytes) is searched for `rror"`, and what follows each one is
 * tested in place: V8 finds a pattern of fewer than 7 characters by its first one, `r`, rarer
 * there than `"` (3-10 times faster than the expression). A long one (a Responses envelope or
 * item of 10-100 KB) is matched by the expression, which reads about 7 bytes a nanosecond
 * whatever the text: V8 searches `"error"` (7 characters) by Boyer-Moore-Horspool, slow where
 * its skips are short (60 against 32 µs over the bench's Responses stream, and 18 against 5.5
 * on 40 KB of dense JSON), and `"error` by its `"`, slow on dense JSON (53 µs). A long event
 * forwarded as the upstream's bytes (`wireBytesOf`) is searched in those (`reportsErrorInBytes`).
 */
export function isForwardedError(message: SseMessage): boolean {
  if (message.event === 'error') return true;
  const data = message.sourceData ?? message.data;
  if (data.length > LONG_DATA) {
    const bytes = wireBytesOf(message);
    return bytes === undefined ? ERROR_REPORT.test(data) : reportsErrorInBytes(bytes);
  }
  for (let at = data.indexOf('rror"'); at !== -1; at = data.indexOf('rror"', at + 5)) {
    if (at < 2 || data.charCodeAt(at - 1) !== 0x65 || data.charCodeAt(at - 2) !== 0x22) continue;
    AFTER_ERROR_KEY.lastIndex = at + 5;
    if (AFTER_ERROR_KEY.test(data)) return true;
  }
  return false;
}

/** The same scrubbing for upstream error events a same-format route forwards as they came. */
const scrubForwardedErrors: StreamStep<SseMessage, SseMessage> = {
  push: (message) =>
    isForwardedError(message) ? [{ ...message, data: scrubSecrets(message.data) }] : [message],
  end: () => [],
};

/** Same format on both sides: events forwarded with the format's own fixes. */
export function createPassthroughHalves(
  plan: ConversionPlan,
): StreamHalves<SseMessage | IrErrorEvent> {
  const client = plan.formats[plan.clientFormat];
  // Option objects with every field present (`undefined` where there is none): a conditional
  // spread in the literal made a slow-mode object, read on every event.
  const passthrough = client.createStreamPassthrough(plan.encodeContext, {
    onWarning: plan.onWarning,
    onUnknownEvent: plan.onUnknownEvent,
    onBackendEvent: plan.onBackendEvent,
    onUsage: plan.onUsage,
    onError: (error) => plan.onError?.(error.code),
  });
  return {
    // Runs of ordinary events reach the passthrough as their wire text (`SseMessage.raw`).
    parse: createSseParser({
      keepComments: true,
      plain: passthrough.plain,
      plainRun: passthrough.plainRun,
      wireBytes: true,
    }),
    decode: forwardMessages,
    encode: composeSteps(composeSteps(passthrough, scrubForwardedErrors), createSseSerializer()),
    toErrorItem: (error) => ({ type: 'error', error: streamFailureToIr(error) }),
  };
}

/** Different formats: decoded to IR and encoded again, event by event. */
export function createTranslateHalves(plan: ConversionPlan): StreamHalves<IrEvent> {
  const observe = (event: IrEvent) => {
    if (event.type === 'usage') plan.onUsage?.(event.usage);
    else if (event.type === 'message-end') plan.onFinish?.(event.finishReason);
    else if (event.type === 'error') plan.onError?.(event.error.code);
  };
  // After the decoder: error messages scrubbed (upstream error messages reach the client inside
  // its stream; like errors before the first byte, scrubbed at the server boundary, they must not
  // carry anything that looks like a secret), every event observed. Done on the decoder's own
  // list, not as a step of its own: a step makes a list per event, and this runs on every delta
  // of a converted stream. The list is copied only when an error event is replaced in it.
  const scrubAndObserve = (events: IrEvent[]): IrEvent[] => {
    let out = events;
    for (let i = 0; i < out.length; i++) {
      const event = out[i] as IrEvent;
      if (event.type === 'error') {
        if (out === events) out = events.slice();
        out[i] = {
          ...event,
          error: { ...event.error, message: scrubSecrets(event.error.message) },
        };
      }
      observe(out[i] as IrEvent);
    }
    return out;
  };
  const upstreamDecoder = plan.formats[plan.upstreamFormat].createStreamDecoder({
    onWarning: plan.onWarning,
    onUnknownEvent: plan.onUnknownEvent,
    onBackendEvent: plan.onBackendEvent,
  });
  const decoded: StreamStep<SseMessage, IrEvent> = {
    push: (message) => scrubAndObserve(upstreamDecoder.push(message)),
    end: () => scrubAndObserve(upstreamDecoder.end()),
  };
  // Custom tools the upstream took as function tools, when the client declared any.
  const decoder =
    plan.customTools.size > 0
      ? composeSteps(decoded, createCustomToolUnwrapStep(plan.customTools))
      : decoded;
  return {
    parse: createSseParser(),
    decode: decoder,
    encode: composeSteps(
      plan.formats[plan.clientFormat].createStreamEncoder(plan.encodeContext),
      createSseSerializer(),
    ),
    toErrorItem: (error) => {
      const event: IrEvent = { type: 'error', error: streamFailureToIr(error) };
      observe(event);
      return event;
    },
  };
}

/** The halves of a live stream in the given mode. */
export function createStreamHalves(
  plan: ConversionPlan,
  mode: LiveStreamMode,
): StreamHalves<SseMessage | IrErrorEvent> | StreamHalves<IrEvent> {
  return mode === 'passthrough' ? createPassthroughHalves(plan) : createTranslateHalves(plan);
}

/**
 * A native accumulator of the upstream format, fed with raw bytes. For a client of another
 * format its body is only decoded to the IR (`DecodeStreamOptions.irOnly`).
 */
export function createStreamReassembler(plan: ConversionPlan): {
  /** Reads `bytes`; true when they completed at least one event. */
  push(bytes: Uint8Array): boolean;
  result(): StreamAccumulation;
} {
  const accumulator = plan.formats[plan.upstreamFormat].createStreamAccumulator({
    onWarning: plan.onWarning,
    onUnknownEvent: plan.onUnknownEvent,
    onBackendEvent: plan.onBackendEvent,
    irOnly: !plan.sameFormat,
  });
  // Runs the accumulator takes as text (Responses deltas) are not split into messages.
  const parser = createSseParser({ plain: accumulator.plain, plainRun: accumulator.plainRun });
  return {
    push(bytes) {
      const messages = parser.push(bytes);
      for (const message of messages) accumulator.push(message);
      return messages.length > 0;
    },
    result() {
      for (const message of parser.end()) accumulator.push(message);
      return accumulator.result();
    },
  };
}

/** A non-streaming answer: the client's body, and the IR it was made from. */
export interface BufferedAnswer {
  body: WireBody;
  ir: IrResponse;
}

/**
 * The client's body on a same-format route: the upstream's own body, and its own text (see
 * `jsonText`) unless the model is renamed where that cannot be done in the text.
 */
function sameFormatBody(plan: ConversionPlan, upstreamBody: WireBody): WireBody {
  const model = plan.encodeContext.model;
  return model === undefined || upstreamBody.model === model
    ? upstreamBody
    : withTopLevelModel(upstreamBody, model);
}

/**
 * A same-format route's answer read for its outcome only (`WireFormat.readAnswerOutcome`): the
 * client's body and the usage and finish reason, with no decode of the rest. `undefined` when the
 * full path must judge it (the format has no reader or declines, or custom tools are unwrapped).
 */
export function forwardBufferedBody(
  plan: ConversionPlan,
  upstreamBody: WireBody,
): { body: WireBody; outcome: AnswerOutcome } | undefined {
  if (!plan.sameFormat || plan.customTools.size > 0) return undefined;
  const outcome = plan.formats[plan.upstreamFormat].readAnswerOutcome?.(upstreamBody);
  return outcome === undefined ? undefined : { body: sameFormatBody(plan, upstreamBody), outcome };
}

/** True when a response holds anything a client would want. */
export function hasContent(response: IrResponse): boolean {
  return response.content.some((part) =>
    part.type === 'text' || part.type === 'refusal' || part.type === 'reasoning'
      ? part.text !== ''
      : true,
  );
}

/**
 * The client's body from the upstream's whole body (its own non-streaming body, or the one its
 * stream was reassembled into): the upstream's body itself when the formats are the same (with
 * `encodeContext.model` when there is one), else decoded to IR and encoded for the client.
 */
export function convertBufferedBody(plan: ConversionPlan, upstreamBody: WireBody): BufferedAnswer {
  const decoded = plan.formats[plan.upstreamFormat].decodeResponse(upstreamBody);
  const ir = unwrapCustomToolCalls(decoded.value, plan.customTools);
  if (plan.sameFormat) return { body: sameFormatBody(plan, upstreamBody), ir };
  for (const warning of decoded.warnings) plan.onWarning(warning);
  const encoded = plan.formats[plan.clientFormat].encodeResponse(ir, plan.encodeContext);
  for (const warning of encoded.warnings) plan.onWarning(warning);
  return { body: encoded.value, ir };
}
