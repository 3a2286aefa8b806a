/** Answers a non-streaming client: one JSON body, rebuilt from a stream when the upstream streams. */
import { ProxyError } from '../errors.js';
import type {
  EncodeContext,
  StreamAccumulation,
  WireBody,
  WireFormatId,
} from '../formats/format.js';
import type { IrResponse } from '../ir/response.js';
import { createSseParser } from '../sse/parse.js';
import { isRecord } from '../util/json.js';
import type { createWarningLog, PipelineDeps, PipelineInput } from './context.js';
import { unwrapCustomToolCalls } from './custom-tools.js';
import { irErrorToProxy, streamFailureToIr } from './to-ir-error.js';
import { readBodyText, type UpstreamResponse } from './upstream-fetch.js';

interface BufferedAnswerInput {
  input: PipelineInput;
  deps: PipelineDeps;
  upstreamFormat: WireFormatId;
  response: UpstreamResponse;
  mode: 'reassemble' | 'convert';
  encodeContext: EncodeContext;
  warnings: ReturnType<typeof createWarningLog>;
  /** Client custom tools the upstream took as wrapped function tools (see custom-tools.ts). */
  customTools: ReadonlySet<string>;
}

function jsonResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
}

/** Reads an upstream stream to its end into the upstream format's native accumulator. */
async function reassemble(options: BufferedAnswerInput): Promise<StreamAccumulation> {
  const { input, deps, response, warnings } = options;
  const upstream = deps.formats[options.upstreamFormat];
  const accumulator = upstream.createStreamAccumulator({
    onWarning: warnings.add,
    onUnknownEvent: (type) => {
      input.record.unknownEvents += 1;
      deps.reportUnknownEvent(options.upstreamFormat, type);
    },
  });
  const parser = createSseParser();
  const capture = deps.captureUpstream?.(input.record);
  const body = response.body;
  let failure: unknown;
  try {
    for (;;) {
      const next = await body.read();
      if (next.done) break;
      capture?.chunk(next.value);
      for (const message of parser.push(next.value)) accumulator.push(message);
    }
    for (const message of parser.end()) accumulator.push(message);
  } catch (error) {
    failure = error;
    body.cancel(error).catch(() => {});
  }
  const result = accumulator.result();
  capture?.end({});
  if (failure !== undefined && (result.complete || result.error === undefined)) {
    return { ...result, complete: false, error: streamFailureToIr(failure) };
  }
  if (failure !== undefined) return { ...result, error: streamFailureToIr(failure) };
  return result;
}

function hasContent(response: IrResponse): boolean {
  return response.content.some((part) =>
    part.type === 'text' || part.type === 'refusal' || part.type === 'reasoning'
      ? part.text !== ''
      : true,
  );
}

/** The buffered answer. */
export async function answerBuffered(options: BufferedAnswerInput): Promise<Response> {
  const { input, deps, encodeContext, warnings } = options;
  const { record } = input;
  const client = deps.formats[input.clientFormat];
  const upstream = deps.formats[options.upstreamFormat];
  const sameFormat = input.clientFormat === options.upstreamFormat;

  let upstreamBody: WireBody;
  let streamError: StreamAccumulation['error'];
  if (options.mode === 'reassemble') {
    const result = await reassemble(options);
    upstreamBody = result.body;
    streamError = result.error;
  } else {
    const parsed: unknown = await readBodyText(options.response.body)
      .then((text) => JSON.parse(text) as unknown)
      .catch(() => undefined);
    if (!isRecord(parsed)) {
      throw new ProxyError(
        'upstream_protocol',
        'Upstream answered with a body that is not a JSON object',
      );
    }
    upstreamBody = parsed;
  }

  const decoded = upstream.decodeResponse(upstreamBody);
  const ir = unwrapCustomToolCalls(decoded.value, options.customTools);
  record.usage = ir.usage;
  record.finishReason = ir.finishReason;
  if (streamError) {
    record.errorCode = streamError.code;
    // Rule: answer with what was gathered; only a stream that gave nothing becomes an error.
    if (!hasContent(ir)) {
      warnings.flush();
      throw irErrorToProxy(streamError);
    }
    input.logger.warn(
      { error_code: streamError.code, error: streamError.message },
      'upstream stream did not complete; answering with what was gathered',
    );
  }
  let body: WireBody;
  if (sameFormat) {
    body = { ...upstreamBody, model: encodeContext.model ?? upstreamBody.model };
  } else {
    for (const warning of decoded.warnings) warnings.add(warning);
    const encoded = client.encodeResponse(ir, encodeContext);
    for (const warning of encoded.warnings) warnings.add(warning);
    body = encoded.value;
  }
  warnings.flush();
  record.ttfbMs = deps.now() - record.startedAt;
  return jsonResponse(body);
}
