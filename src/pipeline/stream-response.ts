/** Answers a streaming client over a stream: forwards or translates it event by event. */
import type { ProxyError } from '../errors.js';
import type { WireFormat } from '../formats/format.js';
import type { UpstreamBody, UpstreamResponse } from '../http/upstream-fetch.js';
import { type IrEvent, isBlockEvent } from '../ir/events.js';
import type { IrError } from '../ir/response.js';
import type { RequestCapture } from '../observability/request-capture.js';
import { sseResponseHeaders } from '../sse/headers.js';
import { createSseParser } from '../sse/parse.js';
import { type ChunkSource, createFencedStream } from '../streams/fenced-stream.js';
import { composeSteps, type StreamStep } from '../streams/step.js';
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

/** Wraps stream halves so the capture sees the upstream bytes and what the client gets. */
function captured<Mid>(
  halves: StreamHalves<Mid>,
  capture: RequestCapture | undefined,
): StreamHalves<Mid> {
  if (!capture) return halves;
  const upstreamTap: StreamStep<Uint8Array, Uint8Array> = {
    push: (bytes) => {
      capture.upstream(bytes);
      return [bytes];
    },
    end: () => [],
  };
  const clientTap: StreamStep<string | Uint8Array, string | Uint8Array> = {
    push: (chunk) => {
      capture.client(chunk);
      return [chunk];
    },
    end: () => [],
  };
  return {
    ...halves,
    decode: composeSteps(upstreamTap, halves.decode),
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

/**
 * Reads the upstream stream up to its first content (or its end) through a probe decoder of the
 * upstream's format, before the client gets a status. A stream that fails or ends before any
 * content (an error event first, a cut connection, HTML, a JSON error body, nothing at all) is
 * the client's HTTP error with an honest status, as nothing has been sent yet; otherwise the
 * bytes read are replayed, then reading goes on. The probe reports no drift: the real decoding
 * half sees the same bytes and reports it.
 */
async function readStreamHead(
  response: UpstreamResponse,
  upstream: WireFormat,
  capture: RequestCapture | undefined,
  stop: AbortSignal | undefined,
): Promise<ChunkSource> {
  const head = createHead(upstream);
  const fail = (error: ProxyError): never => {
    for (const chunk of head.chunks) capture?.upstream(chunk);
    throw error;
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
        return fail(irErrorToProxy(streamFailureToIr(error)));
      }
      if (verdict !== undefined && verdict !== 'answer') {
        if (head.ended) {
          const text = head.bytes.text();
          if (!isEventStreamText(text))
            fail(bodyFailure(text, upstream, response, 'an event stream'));
        }
        fail(irErrorToProxy(withRetryAfter(verdict, response.headers)));
      }
      if (verdict === 'answer' || head.ended) break;
    }
  } finally {
    stop?.removeEventListener('abort', onStop);
  }
  return {
    read: async () => {
      const chunk = head.chunks.shift();
      if (chunk !== undefined) return { done: false, value: chunk };
      return head.ended ? { done: true } : response.body.read();
    },
    cancel: (reason) => response.body.cancel(reason),
  };
}

/** The head of an upstream stream read so far, and the probe decoding it. */
interface StreamHead {
  parser: ReturnType<typeof createSseParser>;
  decoder: ReturnType<WireFormat['createStreamDecoder']>;
  /** The chunks read, to replay to the real decoding half. */
  chunks: Uint8Array[];
  /** The head's first bytes, to explain a body that is not a stream. */
  bytes: HeadBytes;
  ended: boolean;
}

function createHead(upstream: WireFormat): StreamHead {
  return {
    parser: createSseParser(),
    decoder: upstream.createStreamDecoder(),
    chunks: [],
    bytes: createHeadBytes(),
    ended: false,
  };
}

/**
 * Reads the next chunk (or the end) into the head; the probe's verdict so far. The probe decodes
 * a chunk's messages only up to the first that decides: a short stream often comes in one read,
 * and the real decoding half decodes all of it anyway.
 */
async function readHeadChunk(
  head: StreamHead,
  body: UpstreamBody,
  stop: AbortSignal | undefined,
): Promise<'answer' | IrError | undefined> {
  if (stop?.aborted) throw stop.reason;
  const next = await body.read();
  if (stop?.aborted) throw stop.reason;
  if (next.done) head.ended = true;
  else {
    head.chunks.push(next.value);
    head.bytes.push(next.value);
  }
  const messages = next.done ? head.parser.end() : head.parser.push(next.value);
  for (const message of messages) {
    const verdict = verdictOf(head.decoder.push(message));
    if (verdict !== undefined) return verdict;
  }
  return next.done ? verdictOf(head.decoder.end()) : undefined;
}

/** The streamed answer; the request record is completed when the body ends or the client leaves. */
export async function answerStream(ctx: AnswerContext, mode: LiveStreamMode): Promise<Response> {
  const { deps, record, warnings, capture, conversion } = ctx;
  // Nothing is sent before the upstream stream shows content: a failure before it is an HTTP error.
  const source = await readStreamHead(
    ctx.response,
    deps.formats[conversion.upstreamFormat],
    capture,
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
  const halves = captured(createStreamHalves(conversion, mode) as StreamHalves<unknown>, capture);
  const body = createFencedStream<unknown>({
    ...halves,
    source,
    ...(deps.shutdown ? { stop: deps.shutdown } : {}),
    onFirstBytes: () => {
      record.ttfbMs = deps.now() - record.startedAt;
    },
    onDone: () => complete(false),
    onCancel: () => complete(true),
  });
  return new Response(body, { status: 200, headers: sseResponseHeaders() });
}
