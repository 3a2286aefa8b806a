/**
 * Answers from the upstream's whole answer: a non-streaming client gets one JSON body (rebuilt
 * from a stream when the upstream streams), a streaming client over one upstream body gets it
 * as events (fake streaming). Both judge the body and its failure the same way.
 */
import type { StreamAccumulation, WireBody } from '../formats/format.js';
import type { IrResponse } from '../ir/response.js';
import { responseToEvents } from '../ir/response-to-events.js';
import { encodeSse } from '../sse/encode.js';
import { sseResponseHeaders } from '../sse/headers.js';
import { runStep } from '../streams/step.js';
import { answerJsonText } from '../util/json-text.js';
import { TextAnswer } from './answer.js';
import type { AnswerContext } from './context.js';
import {
  convertBufferedBody,
  createStreamReassembler,
  forwardBufferedBody,
  hasContent,
} from './conversion.js';
import { unwrapCustomToolCalls } from './custom-tools.js';
import type { BufferedMode } from './plan.js';
import { irErrorToProxy, streamFailureToIr, withRetryAfter } from './to-ir-error.js';
import {
  bodyFailure,
  createHeadBytes,
  failureOf,
  type HeadBytes,
  isEventStreamText,
  readUpstreamAnswer,
} from './upstream-body.js';

/** Reads the whole upstream body, showing the bytes to the capture. */
async function readAll(ctx: AnswerContext, onBytes: (bytes: Uint8Array) => void): Promise<unknown> {
  const body = ctx.response.body;
  try {
    for (;;) {
      const next = await body.read();
      if (next.done) return undefined;
      ctx.capture?.upstream(next.value);
      onBytes(next.value);
    }
  } catch (error) {
    body.cancel(error).catch(() => {});
    return error;
  }
}

/**
 * Reads an upstream stream to its end into the upstream format's native accumulator. A body
 * without a single SSE line (HTML, a JSON error, nothing) is judged as a body instead.
 */
async function reassemble(ctx: AnswerContext): Promise<StreamAccumulation> {
  const reassembler = createStreamReassembler(ctx.conversion);
  // The body's start, to explain a body that is not an event stream; let go at its first event
  // (50 requests in flight held 3 MB of it to the end of their streams).
  let head: HeadBytes | undefined = createHeadBytes();
  const failure = await readAll(ctx, (bytes) => {
    head?.push(bytes);
    if (reassembler.push(bytes)) head = undefined;
  });
  const result = reassembler.result();
  if (failure === undefined && !result.complete && head !== undefined) {
    const text = head.text();
    if (!isEventStreamText(text)) {
      const upstream = ctx.conversion.formats[ctx.conversion.upstreamFormat];
      throw bodyFailure(text, upstream, ctx.response, 'an event stream');
    }
  }
  if (failure === undefined) return result;
  return {
    ...result,
    complete: false,
    error: result.complete || !result.error ? streamFailureToIr(failure) : result.error,
  };
}

/**
 * The buffered answer. A stream that failed or broke off is the client's error, even when it
 * carried content: a non-streaming client cannot be told inside Chat or Messages bodies that the
 * answer is unfinished (their finish reasons have no failure value), and a Responses client looks
 * at the HTTP status first, so every format gets its HTTP error (429 with `retry-after`, 529 or
 * 503 for an overload, 502 for a server failure or a cut stream). A length cut the upstream
 * reported is an answer.
 */
export async function answerBuffered(ctx: AnswerContext, mode: BufferedMode): Promise<TextAnswer> {
  try {
    return await answerBufferedBody(ctx, mode);
  } finally {
    // Also on failure: the request's conversion warnings are logged with its error.
    ctx.warnings.flush();
  }
}

/** The buffered answer, or the client's error for a failed one. */
async function answerBufferedBody(ctx: AnswerContext, mode: BufferedMode): Promise<TextAnswer> {
  let upstreamBody: WireBody;
  let streamError: StreamAccumulation['error'];
  if (mode === 'reassemble') {
    const result = await reassemble(ctx);
    upstreamBody = result.body;
    streamError = result.error;
  } else {
    upstreamBody = await readUpstreamBody(ctx);
  }
  // A same-format answer that went well is read for its outcome only; any other is decoded.
  const forwarded = streamError ? undefined : forwardBufferedBody(ctx.conversion, upstreamBody);
  let body: WireBody;
  if (forwarded) {
    ctx.record.usage = forwarded.outcome.usage;
    ctx.record.finishReason = forwarded.outcome.finishReason;
    body = forwarded.body;
  } else {
    const answer = convertBufferedBody(ctx.conversion, upstreamBody);
    settle(ctx, answer.ir, streamError);
    body = answer.body;
  }
  ctx.capture?.finish({ status: 200, body });
  ctx.record.ttfbMs = ctx.deps.now() - ctx.record.startedAt;
  return new TextAnswer(200, { 'content-type': 'application/json' }, answerJsonText(body));
}

/**
 * A streaming client over an upstream that answered with one JSON body: the body is judged as
 * for a non-streaming client, then written out as the client format's events.
 */
export async function answerFakeStream(ctx: AnswerContext): Promise<TextAnswer> {
  try {
    const { conversion } = ctx;
    const upstreamBody = await readUpstreamBody(ctx);
    const decoded = conversion.formats[conversion.upstreamFormat].decodeResponse(upstreamBody);
    for (const warning of decoded.warnings) ctx.warnings.add(warning);
    const ir = unwrapCustomToolCalls(decoded.value, conversion.customTools);
    settle(ctx, ir, undefined);
    const encoder = conversion.formats[conversion.clientFormat].createStreamEncoder(
      conversion.encodeContext,
    );
    const sse = encodeSse(runStep(encoder, responseToEvents(ir)));
    ctx.capture?.client(sse);
    ctx.capture?.finish({ status: 200 });
    ctx.record.ttfbMs = ctx.deps.now() - ctx.record.startedAt;
    return new TextAnswer(200, sseResponseHeaders(), sse);
  } finally {
    ctx.warnings.flush();
  }
}

/** The upstream's one JSON answer, or the client's error for a body that is not one. */
function readUpstreamBody(ctx: AnswerContext): Promise<WireBody> {
  const { conversion } = ctx;
  return readUpstreamAnswer(
    ctx.response,
    conversion.formats[conversion.upstreamFormat],
    ctx.capture,
    conversion.sameFormat,
  );
}

/**
 * Records the answer's usage and finish reason, and throws the client's error when the answer
 * failed or broke off (`streamError`, from a reassembled stream) or reports a failure itself.
 */
function settle(
  ctx: AnswerContext,
  ir: IrResponse,
  streamError: StreamAccumulation['error'],
): void {
  const { record, response } = ctx;
  record.usage = ir.usage;
  record.finishReason = ir.finishReason;
  const failure = streamError
    ? irErrorToProxy(withRetryAfter(streamError, response.headers))
    : failureOf(ir, response.headers);
  if (!failure) return;
  record.errorCode = failure.code;
  if (hasContent(ir)) {
    ctx.logger.warn(
      { error_code: failure.code },
      'upstream answer failed after content; the client gets the error',
    );
  }
  throw failure;
}
