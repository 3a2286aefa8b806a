/** Answers a streaming client: forwards or translates the upstream stream event by event. */
import type { ProxyError } from '../errors.js';
import type { EncodeContext, WireFormat, WireFormatId } from '../formats/format.js';
import type { UpstreamResponse } from '../http/upstream-fetch.js';
import { type IrEvent, isBlockEvent } from '../ir/events.js';
import type { IrError } from '../ir/response.js';
import { responseToEvents } from '../ir/response-to-events.js';
import type { RequestCapture } from '../observability/request-capture.js';
import { encodeSse } from '../sse/encode.js';
import { sseResponseHeaders } from '../sse/headers.js';
import { createSseParser } from '../sse/parse.js';
import { type ChunkSource, createFencedStream } from '../streams/fenced-stream.js';
import { composeSteps, runStep, type StreamStep } from '../streams/step.js';
import type { createWarningLog, PipelineDeps, PipelineInput } from './context.js';
import {
  type ConversionPlan,
  createPassthroughHalves,
  createTranslateHalves,
  type StreamHalves,
} from './conversion.js';
import { unwrapCustomToolCalls } from './custom-tools.js';
import { irErrorToProxy, streamFailureToIr, withRetryAfter } from './to-ir-error.js';
import {
  bodyFailure,
  failureOf,
  HEAD_TEXT_LIMIT,
  isEventStreamText,
  readUpstreamAnswer,
} from './upstream-body.js';

interface StreamAnswerInput {
  input: PipelineInput;
  deps: PipelineDeps;
  plan: ConversionPlan;
  response: UpstreamResponse;
  mode: 'passthrough' | 'translate';
  encodeContext: EncodeContext;
  warnings: ReturnType<typeof createWarningLog>;
  upstreamStreams: boolean;
  upstreamFormat: WireFormatId;
  capture: RequestCapture | undefined;
}

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
  const parser = createSseParser();
  const decoder = upstream.createStreamDecoder();
  const chunks: Uint8Array[] = [];
  const textDecoder = new TextDecoder();
  let text = '';
  let ended = false;
  const fail = (error: ProxyError): never => {
    for (const chunk of chunks) capture?.upstream(chunk);
    throw error;
  };
  // A server shutdown while waiting ends the wait with its own error (503, "shutting down").
  const onStop = () => {
    response.body.cancel(stop?.reason).catch(() => {});
  };
  stop?.addEventListener('abort', onStop, { once: true });
  try {
    for (;;) {
      let events: IrEvent[];
      try {
        if (stop?.aborted) throw stop.reason;
        const next = await response.body.read();
        if (stop?.aborted) throw stop.reason;
        events = [];
        if (next.done) {
          ended = true;
          for (const message of parser.end()) events.push(...decoder.push(message));
          events.push(...decoder.end());
        } else {
          chunks.push(next.value);
          if (text.length < HEAD_TEXT_LIMIT) {
            text += textDecoder.decode(next.value, { stream: true });
          }
          for (const message of parser.push(next.value)) events.push(...decoder.push(message));
        }
      } catch (error) {
        // A cut connection, an idle upstream, an oversized event, a shutdown.
        response.body.cancel(error).catch(() => {});
        return fail(irErrorToProxy(streamFailureToIr(error)));
      }
      const verdict = verdictOf(events);
      if (verdict !== undefined && verdict !== 'answer') {
        if (ended && !isEventStreamText(text)) {
          fail(bodyFailure(text, upstream, response, 'an event stream'));
        }
        fail(irErrorToProxy(withRetryAfter(verdict, response.headers)));
      }
      if (verdict === 'answer' || ended) break;
    }
  } finally {
    stop?.removeEventListener('abort', onStop);
  }
  return {
    read: async () => {
      const chunk = chunks.shift();
      if (chunk !== undefined) return { done: false, value: chunk };
      return ended ? { done: true } : response.body.read();
    },
    cancel: (reason) => response.body.cancel(reason),
  };
}

/** The streamed answer; the request record is completed when the body ends or the client leaves. */
export async function answerStream(options: StreamAnswerInput): Promise<Response> {
  const { input, deps, plan, response, encodeContext, warnings, capture } = options;
  const { record } = input;
  const client = deps.formats[input.clientFormat];

  if (!options.upstreamStreams) {
    // The upstream answered with one JSON body: stream it as events (fake streaming).
    const upstream = deps.formats[options.upstreamFormat];
    const upstreamBody = await readUpstreamAnswer(response, upstream, capture).catch(
      (error: unknown) => {
        warnings.flush();
        throw error;
      },
    );
    const decoded = upstream.decodeResponse(upstreamBody);
    for (const warning of decoded.warnings) warnings.add(warning);
    const ir = unwrapCustomToolCalls(decoded.value, plan.customTools);
    record.usage = ir.usage;
    record.finishReason = ir.finishReason;
    const failure = failureOf(ir, response.headers);
    if (failure) {
      warnings.flush();
      throw failure;
    }
    const sse = encodeSse(runStep(client.createStreamEncoder(encodeContext), responseToEvents(ir)));
    capture?.client(sse);
    capture?.finish({ status: 200 });
    warnings.flush();
    record.ttfbMs = deps.now() - record.startedAt;
    return new Response(sse, { status: 200, headers: sseResponseHeaders() });
  }

  // Nothing is sent before the upstream stream shows content: a failure before it is an HTTP error.
  const source = await readStreamHead(
    response,
    deps.formats[options.upstreamFormat],
    capture,
    deps.shutdown,
  ).catch((error: unknown) => {
    warnings.flush();
    throw error;
  });
  const finish = input.deferFinish();
  const provider = input.provider.id;
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
  const halves =
    options.mode === 'passthrough'
      ? captured(createPassthroughHalves(plan), capture)
      : captured(createTranslateHalves(plan), capture);
  const body = createFencedStream<unknown>({
    ...(halves as StreamHalves<unknown>),
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
