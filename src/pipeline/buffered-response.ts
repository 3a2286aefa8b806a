/** Answers a non-streaming client: one JSON body, rebuilt from a stream when the upstream streams. */
import { ProxyError } from '../errors.js';
import type { StreamAccumulation, WireBody } from '../formats/format.js';
import type { UpstreamResponse } from '../http/upstream-fetch.js';
import type { RequestCapture } from '../observability/request-capture.js';
import { isRecord } from '../util/json.js';
import type { createWarningLog, PipelineDeps, PipelineInput } from './context.js';
import {
  type ConversionPlan,
  convertBufferedBody,
  createStreamReassembler,
  hasContent,
} from './conversion.js';
import { irErrorToProxy, streamFailureToIr } from './to-ir-error.js';

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

/** Reads an upstream stream to its end into the upstream format's native accumulator. */
async function reassemble(options: BufferedAnswerInput): Promise<StreamAccumulation> {
  const reassembler = createStreamReassembler(options.plan);
  const failure = await readAll(options, (bytes) => reassembler.push(bytes));
  const result = reassembler.result();
  if (failure === undefined) return result;
  return {
    ...result,
    complete: false,
    error: result.complete || !result.error ? streamFailureToIr(failure) : result.error,
  };
}

/** The buffered answer. */
export async function answerBuffered(options: BufferedAnswerInput): Promise<Response> {
  const { input, deps, plan, warnings } = options;
  const { record } = input;

  let upstreamBody: WireBody;
  let streamError: StreamAccumulation['error'];
  if (options.mode === 'reassemble') {
    const result = await reassemble(options);
    upstreamBody = result.body;
    streamError = result.error;
  } else {
    const chunks: Uint8Array[] = [];
    const failure = await readAll(options, (bytes) => chunks.push(bytes));
    let parsed: unknown;
    try {
      parsed =
        failure === undefined ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!isRecord(parsed)) {
      throw new ProxyError(
        'upstream_protocol',
        'Upstream answered with a body that is not a JSON object',
      );
    }
    upstreamBody = parsed;
  }

  const answer = convertBufferedBody(plan, upstreamBody);
  record.usage = answer.ir.usage;
  record.finishReason = answer.ir.finishReason;
  if (streamError) {
    record.errorCode = streamError.code;
    // Rule: answer with what was gathered; only a stream that gave nothing becomes an error.
    if (!hasContent(answer.ir)) {
      warnings.flush();
      throw irErrorToProxy(streamError);
    }
    input.logger.warn(
      { error_code: streamError.code, error: streamError.message },
      'upstream stream did not complete; answering with what was gathered',
    );
  }
  warnings.flush();
  options.capture?.finish({ status: 200, body: answer.body });
  record.ttfbMs = deps.now() - record.startedAt;
  return new Response(JSON.stringify(answer.body), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
}
