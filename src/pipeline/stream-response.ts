/** Answers a streaming client: forwards or translates the upstream stream event by event. */
import type { EncodeContext, WireFormatId } from '../formats/format.js';
import { readBodyText, type UpstreamResponse } from '../http/upstream-fetch.js';
import { responseToEvents } from '../ir/response-to-events.js';
import type { RequestCapture } from '../observability/request-capture.js';
import { encodeSse } from '../sse/encode.js';
import { sseResponseHeaders } from '../sse/headers.js';
import { createFencedStream } from '../streams/fenced-stream.js';
import { composeSteps, runStep, type StreamStep } from '../streams/step.js';
import type { createWarningLog, PipelineDeps, PipelineInput } from './context.js';
import {
  type ConversionPlan,
  createPassthroughHalves,
  createTranslateHalves,
  type StreamHalves,
} from './conversion.js';
import { unwrapCustomToolCalls } from './custom-tools.js';

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

/** The streamed answer; the request record is completed when the body ends or the client leaves. */
export async function answerStream(options: StreamAnswerInput): Promise<Response> {
  const { input, deps, plan, response, encodeContext, warnings, capture } = options;
  const { record } = input;
  const client = deps.formats[input.clientFormat];

  if (!options.upstreamStreams) {
    // The upstream answered with one JSON body: stream it as events (fake streaming).
    const text = await readBodyText(response.body);
    capture?.upstream(new TextEncoder().encode(text));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const decoded = deps.formats[options.upstreamFormat].decodeResponse(body);
    for (const warning of decoded.warnings) warnings.add(warning);
    const ir = unwrapCustomToolCalls(decoded.value, plan.customTools);
    record.usage = ir.usage;
    record.finishReason = ir.finishReason;
    const sse = encodeSse(runStep(client.createStreamEncoder(encodeContext), responseToEvents(ir)));
    capture?.client(sse);
    capture?.finish({ status: 200 });
    warnings.flush();
    record.ttfbMs = deps.now() - record.startedAt;
    return new Response(sse, { status: 200, headers: sseResponseHeaders() });
  }

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
    source: response.body,
    ...(deps.shutdown ? { stop: deps.shutdown } : {}),
    onFirstBytes: () => {
      record.ttfbMs = deps.now() - record.startedAt;
    },
    onDone: () => complete(false),
    onCancel: () => complete(true),
  });
  return new Response(body, { status: 200, headers: sseResponseHeaders() });
}
