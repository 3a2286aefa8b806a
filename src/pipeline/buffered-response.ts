/** Answers a non-streaming client: one JSON body, rebuilt from a stream when the upstream streams. */
import type { StreamAccumulation, WireBody } from '../formats/format.js';
import type { UpstreamResponse } from '../http/upstream-fetch.js';
import type { RequestCapture } from '../observability/request-capture.js';
import type { createWarningLog, PipelineDeps, PipelineInput } from './context.js';
import {
  type ConversionPlan,
  convertBufferedBody,
  createStreamReassembler,
  hasContent,
} from './conversion.js';
import { irErrorToProxy, streamFailureToIr, withRetryAfter } from './to-ir-error.js';
import {
  bodyFailure,
  failureOf,
  HEAD_TEXT_LIMIT,
  isEventStreamText,
  readUpstreamAnswer,
} from './upstream-body.js';

interface BufferedAnswerInput {
  input: PipelineInput;
  deps: PipelineDeps;
  plan: ConversionPlan;
  response: UpstreamResponse;
  mode: 'reassemble' | 'convert';
  warnings: ReturnType<typeof createWarningLog>;
  capture: RequestCapture | undefined;
}

/** Reads the whole upstream body, showing the bytes to the capture. */
async function readAll(
  options: BufferedAnswerInput,
  onBytes: (bytes: Uint8Array) => void,
): Promise<unknown> {
  const body = options.response.body;
  try {
    for (;;) {
      const next = await body.read();
      if (next.done) return undefined;
      options.capture?.upstream(next.value);
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
async function reassemble(options: BufferedAnswerInput): Promise<StreamAccumulation> {
  const reassembler = createStreamReassembler(options.plan);
  const textDecoder = new TextDecoder();
  let head = '';
  const failure = await readAll(options, (bytes) => {
    if (head.length < HEAD_TEXT_LIMIT) head += textDecoder.decode(bytes, { stream: true });
    reassembler.push(bytes);
  });
  const result = reassembler.result();
  if (failure === undefined && !result.complete && !isEventStreamText(head)) {
    const upstream = options.plan.formats[options.plan.upstreamFormat];
    throw bodyFailure(head, upstream, options.response, 'an event stream');
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
export async function answerBuffered(options: BufferedAnswerInput): Promise<Response> {
  try {
    return await answerBufferedBody(options);
  } finally {
    // Also on failure: the request's conversion warnings are logged with its error.
    options.warnings.flush();
  }
}

/** The buffered answer, or the client's error for a failed one. */
async function answerBufferedBody(options: BufferedAnswerInput): Promise<Response> {
  const { input, deps, plan, response } = options;
  const { record } = input;

  let upstreamBody: WireBody;
  let streamError: StreamAccumulation['error'];
  if (options.mode === 'reassemble') {
    const result = await reassemble(options);
    upstreamBody = result.body;
    streamError = result.error;
  } else {
    upstreamBody = await readUpstreamAnswer(
      response,
      plan.formats[plan.upstreamFormat],
      options.capture,
    );
  }

  const answer = convertBufferedBody(plan, upstreamBody);
  record.usage = answer.ir.usage;
  record.finishReason = answer.ir.finishReason;
  const failure = streamError
    ? irErrorToProxy(withRetryAfter(streamError, response.headers))
    : failureOf(answer.ir, response.headers);
  if (failure) {
    record.errorCode = failure.code;
    if (hasContent(answer.ir)) {
      input.logger.warn(
        { error_code: failure.code },
        'upstream answer failed after content; the client gets the error',
      );
    }
    throw failure;
  }
  options.capture?.finish({ status: 200, body: answer.body });
  record.ttfbMs = deps.now() - record.startedAt;
  return new Response(JSON.stringify(answer.body), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
}
