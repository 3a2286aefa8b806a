import type { WireFormat } from '../formats/format.js';
import type { UpstreamBody, UpstreamResponse } from '../http/upstream-fetch.js';
import { type IrEvent, isBlockEvent } from '../ir/events.js';
import type { IrError } from '../ir/response.js';
import type { RequestCapture } from '../observability/request-capture.js';
import { sseResponseHeaders } from '../sse/headers.js';
import type { SseMessage } from '../sse/message.js';
import type { SseParseStep } from '../sse/parse.js';
import {
  type ChunkSource,
  createFencedSource,
  type FencedSource,
  fencedStream,
} from '../streams/fenced-stream.js';
import { composeSteps, type StreamStep } from '../streams/step.js';
import type { RequestSignal } from '../util/request-signal.js';
import type { AnswerContext } from './context.js';
import { createStreamHalves, type StreamHalves } from './conversion.js';
import type { LiveStreamMode } from './plan.js';
import { irErrorToProxy, streamFailureToIr, withRetryAfter } from './to-ir-error.js';
import {
  bodyFailure,
  createHeadBytes,
  type HeadBytes,
  isEventStreamText,
} from './upstream-body.js';

/** Wraps stream halves so the capture sees the upstream bytes (as parsed) and what the client gets. */
function captured<Mid>(
  halves: StreamHalves<Mid>,
  capture: RequestCapture | undefined,
): StreamHalves<Mid> {
  if (!capture) return halves;
  const parse = halves.parse;
  const clientTap: StreamStep<string | Uint8Array, string | Uint8Array> = {
    push: (chunk) => {
      capture.client(chunk);
      return [chunk];
    },
    end: () => [],
  };
  return {
    ...halves,
    parse: {
      push: (bytes) => {
        capture.upstream(bytes);
        return parse.push(bytes);
      },
      pushUntil: (bytes, stop) => {
        capture.upstream(bytes);
        return parse.pushUntil(bytes, stop);
      },
      end: () => parse.end(),
    },
    encode: composeSteps(halves.encode, clientTap),
  };
}

/** The first event of the head that decides: content (or a normal end), or a failure. */
function verdictOf(events: IrEvent[]): 'answer' | IrError | undefined {
  for (const event of events) {
    if (event.type === 'error') return event.error;
    if (event.type === 'message-end' || isBlockEvent(event)) return 'answer';
  }
  return undefined;
}

/** What the head of an upstream stream left: the messages parsed so far, and the rest. */
interface ReadHead {
  /** Every message the head parsed, for the decoding half to go on from. */
  messages: SseMessage[];
  /** The rest of the upstream stream (nothing more when the head read it to its end). */
  source: ChunkSource;
  /** True when the head read the stream to its end (and ended the parser). */
  ended: boolean;
}

/**
 * Reads the upstream stream up to its first content (or its end) before the client gets a
 * status, parsing it with the answer's own `parse` step (so it is parsed once) and judging it
 * through a probe decoder of the upstream's format. A stream that fails or ends before any
 * content (an error event first, a cut connection, HTML, a JSON error body, nothing at all) is
 * the client's HTTP error with an honest status, as nothing has been sent yet; otherwise the
 * decoding half goes on from the messages parsed. The probe reports no drift: the real decoding
 * half sees the same messages and reports it.
 */
async function readStreamHead(
  response: UpstreamResponse,
  upstream: WireFormat,
  parse: SseParseStep,
  stop: RequestSignal | undefined,
): Promise<ReadHead> {
  const head: StreamHead = {
    parse,
    probe: upstream.createStreamDecoder({ headOnly: true }),
    messages: [],
    bytes: createHeadBytes(),
    ended: false,
  };
  // A server shutdown while waiting ends the wait with its own error (503, "shutting down").
  const onStop = () => {
    response.body.cancel(stop?.reason).catch(() => {});
  };
  stop?.addEventListener('abort', onStop, { once: true });
  try {
    for (;;) {
      let verdict: 'answer' | IrError | undefined;
      try {
        verdict = await readHeadChunk(head, response.body, stop);
      } catch (error) {
        // A cut connection, an idle upstream, an oversized event, a shutdown.
        response.body.cancel(error).catch(() => {});
        throw irErrorToProxy(streamFailureToIr(error));
      }
      if (verdict !== undefined && verdict !== 'answer') {
        if (head.ended) {
          const text = head.bytes.text();
          if (!isEventStreamText(text)) {
            throw bodyFailure(text, upstream, response, 'an event stream');
          }
        }
        throw irErrorToProxy(withRetryAfter(verdict, response.headers));
      }
      if (verdict === 'answer' || head.ended) break;
    }
  } finally {
    stop?.removeEventListener('abort', onStop);
  }
  // Only these outlive the head: its bytes and probe are released while the answer streams.
  const ended = head.ended;
  let started = false;
  return {
    messages: head.messages,
    ended,
    source: {
      read: async () => {
        // An empty first chunk lets the decoding half hand on the head's messages at once,
        // without waiting for the upstream's next bytes.
        if (!started) {
          started = true;
          return { done: false, value: EMPTY };
        }
        return ended ? { done: true } : response.body.read();
      },
      cancel: (reason) => response.body.cancel(reason),
      // (Not before the first read, which hands on the head's messages.)
      atEnd: () => started && (ended || response.body.atEnd?.() === true),
    },
  };
}

const EMPTY = new Uint8Array(0);

/** The head of an upstream stream read so far, and the probe judging it. */
interface StreamHead {
  parse: SseParseStep;
  probe: ReturnType<WireFormat['createStreamDecoder']>;
  /** The messages parsed, for the decoding half. */
  messages: SseMessage[];
  /** The head's first bytes, to explain a body that is not a stream. */
  bytes: HeadBytes;
  ended: boolean;
}

/**
 * Reads the next chunk (or the end) into the head; the probe's verdict so far. The chunk is
 * parsed only up to the first message that decides (`pushUntil`): a short stream often comes in
 * one read, and the rest is parsed once the answer streams (where a same-format route forwards
 * runs of ordinary events as they came).
 */
async function readHeadChunk(
  head: StreamHead,
  body: UpstreamBody,
  stop: RequestSignal | undefined,
): Promise<'answer' | IrError | undefined> {
  if (stop?.aborted) throw stop.reason;
  const next = await body.read();
  if (stop?.aborted) throw stop.reason;
  let verdict: 'answer' | IrError | undefined;
  const decides = (message: SseMessage) => {
    verdict = verdictOf(head.probe.push(message));
    return verdict !== undefined;
  };
  let messages: SseMessage[];
  if (next.done) {
    head.ended = true;
    messages = head.parse.end();
    for (const message of messages) if (verdict === undefined) decides(message);
  } else {
    head.bytes.push(next.value);
    messages = head.parse.pushUntil(next.value, decides);
  }
  for (const message of messages) head.messages.push(message);
  if (verdict === undefined && next.done) verdict = verdictOf(head.probe.end());
  return verdict;
}

/**
 * The parsing step of the rest of the stream: the head's messages first, then the parser goes
 * on (its `end` already ran when the head read the stream to its end).
 */
function resumeParsing(parse: SseParseStep, head: ReadHead): StreamStep<Uint8Array, SseMessage> {
  // The head's messages are let go once handed on (the rest of the stream may be long).
  const ended = head.ended;
  let pending: SseMessage[] | undefined = head.messages;
  const withPending = (messages: SseMessage[]): SseMessage[] => {
    if (pending === undefined) return messages;
    const out = messages.length === 0 ? pending : pending.concat(messages);
    pending = undefined;
    return out;
  };
  return {
    push: (bytes) => withPending(parse.push(bytes)),
    end: () => withPending(ended ? [] : parse.end()),
  };
}

/**
 * A streamed answer as the server can write it itself: its status, headers and fenced source.
 * `toResponse()` makes the web `Response` of the same answer for whoever needs one (a server
 * that is not Node's, the Responses store's tap); it is not made otherwise (a web stream costs
 * about 10 µs to set up). A server writes one or the other, never both.
 */
export class LiveStream {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly source: FencedSource,
  ) {}

  toResponse(): Response {
    return new Response(fencedStream(this.source), { status: this.status, headers: this.headers });
  }
}

/** The streamed answer; the request record is completed when the body ends or the client leaves. */
export async function answerStream(ctx: AnswerContext, mode: LiveStreamMode): Promise<LiveStream> {
  const { deps, record, warnings, capture, conversion } = ctx;
  const halves = captured(createStreamHalves(conversion, mode) as StreamHalves<unknown>, capture);
  // Nothing is sent before the upstream stream shows content: a failure before it is an HTTP error.
  const head = await readStreamHead(
    ctx.response,
    deps.formats[conversion.upstreamFormat],
    halves.parse,
    deps.shutdown,
  ).catch((error: unknown) => {
    warnings.flush();
    throw error;
  });
  const finish = ctx.deferFinish();
  const provider = ctx.provider.id;
  deps.metrics?.inFlightStreams.inc({ provider });
  const complete = (cancelled: boolean) => {
    deps.metrics?.inFlightStreams.dec({ provider });
    if (cancelled) record.cancelled = true;
    record.durationMs = deps.now() - record.startedAt;
    warnings.flush();
    capture?.finish({
      status: 200,
      ...(record.errorCode
        ? { error: { code: record.errorCode, message: 'stream ended with an error' } }
        : {}),
    });
    finish();
  };
  const source = createFencedSource<unknown>({
    decode: composeSteps(resumeParsing(halves.parse, head), halves.decode),
    encode: halves.encode,
    toErrorItem: halves.toErrorItem,
    source: head.source,
    // Present even when undefined: a conditional spread here made the options a slow-mode object.
    stop: deps.shutdown,
    onFirstBytes: () => {
      record.ttfbMs = deps.now() - record.startedAt;
    },
    onDone: () => complete(false),
    onCancel: () => complete(true),
  });
  return new LiveStream(200, sseResponseHeaders(), source);
}
