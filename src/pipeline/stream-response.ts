/** Answers a streaming client: forwards or translates the upstream stream event by event. */
import type { EncodeContext, IrErrorEvent, WireFormatId } from '../formats/format.js';
import type { IrEvent } from '../ir/events.js';
import { responseToEvents } from '../ir/response-to-events.js';
import { mergeUsage } from '../ir/usage.js';
import { createSseSerializer, encodeSse } from '../sse/encode.js';
import { sseResponseHeaders } from '../sse/headers.js';
import type { SseMessage } from '../sse/message.js';
import { createSseParser } from '../sse/parse.js';
import { createFencedStream } from '../streams/fenced-stream.js';
import { composeSteps, runStep, type StreamStep, tapStep } from '../streams/step.js';
import type { createWarningLog, PipelineDeps, PipelineInput } from './context.js';
import { createCustomToolUnwrapStep, unwrapCustomToolCalls } from './custom-tools.js';
import { streamFailureToIr } from './to-ir-error.js';
import { readBodyText, type UpstreamResponse } from './upstream-fetch.js';

interface StreamAnswerInput {
  input: PipelineInput;
  deps: PipelineDeps;
  upstreamFormat: WireFormatId;
  response: UpstreamResponse;
  mode: 'passthrough' | 'translate';
  encodeContext: EncodeContext;
  warnings: ReturnType<typeof createWarningLog>;
  upstreamStreams: boolean;
  /** Client custom tools the upstream took as wrapped function tools (see custom-tools.ts). */
  customTools: ReadonlySet<string>;
}

/** A step that passes bytes on while showing them to the capture. */
function captureStep(
  capture: { chunk(bytes: Uint8Array): void } | undefined,
): StreamStep<Uint8Array, Uint8Array> {
  return {
    push(bytes) {
      capture?.chunk(bytes);
      return [bytes];
    },
    end: () => [],
  };
}

/** The streamed answer; the request record is completed when the body ends or the client leaves. */
export async function answerStream(options: StreamAnswerInput): Promise<Response> {
  const { input, deps, response, encodeContext, warnings } = options;
  const { record } = input;
  const client = deps.formats[input.clientFormat];
  const upstream = deps.formats[options.upstreamFormat];
  const onUnknownEvent = (type: string) => {
    record.unknownEvents += 1;
    deps.reportUnknownEvent(options.upstreamFormat, type);
  };
  const observe = (event: IrEvent) => {
    if (event.type === 'usage') record.usage = mergeUsage(record.usage, event.usage);
    else if (event.type === 'message-end') record.finishReason = event.finishReason;
    else if (event.type === 'error') record.errorCode = event.error.code;
  };

  if (!options.upstreamStreams) {
    // The upstream answered with one JSON body: stream it as events (fake streaming).
    const body: unknown = await readBodyText(response.body)
      .then((text) => JSON.parse(text) as unknown)
      .catch(() => undefined);
    const decoded = upstream.decodeResponse(body);
    for (const warning of decoded.warnings) warnings.add(warning);
    const events = responseToEvents(unwrapCustomToolCalls(decoded.value, options.customTools));
    events.forEach(observe);
    const messages = runStep(client.createStreamEncoder(encodeContext), events);
    warnings.flush();
    record.ttfbMs = deps.now() - record.startedAt;
    return new Response(encodeSse(messages), { status: 200, headers: sseResponseHeaders() });
  }

  const source = response.body;
  const capture = deps.captureUpstream?.(record);
  const finish = input.deferFinish();
  const complete = (cancelled: boolean) => {
    if (cancelled) record.cancelled = true;
    record.durationMs = deps.now() - record.startedAt;
    warnings.flush();
    capture?.end({});
    finish();
  };
  const callbacks = {
    source,
    onFirstBytes: () => {
      record.ttfbMs = deps.now() - record.startedAt;
    },
    onDone: () => complete(false),
    onCancel: () => complete(true),
  };

  if (options.mode === 'passthrough') {
    const passthrough = client.createStreamPassthrough(encodeContext, {
      onWarning: warnings.add,
      onUnknownEvent,
      onUsage: (usage) => {
        record.usage = mergeUsage(record.usage, usage);
      },
    });
    const body = createFencedStream<SseMessage | IrErrorEvent>({
      ...callbacks,
      decode: composeSteps(captureStep(capture), createSseParser({ keepComments: true })),
      encode: composeSteps(
        tapStep<SseMessage | IrErrorEvent>((item) => {
          if ('type' in item && item.type === 'error') record.errorCode = item.error.code;
        }),
        composeSteps(passthrough, createSseSerializer()),
      ),
      toErrorItem: (error) => ({ type: 'error', error: streamFailureToIr(error) }),
    });
    return new Response(body, { status: 200, headers: sseResponseHeaders() });
  }

  const decoder = composeSteps(
    upstream.createStreamDecoder({ onWarning: warnings.add, onUnknownEvent }),
    createCustomToolUnwrapStep(options.customTools),
  );
  const body = createFencedStream<IrEvent>({
    ...callbacks,
    decode: composeSteps(
      composeSteps(captureStep(capture), createSseParser()),
      composeSteps(decoder, tapStep(observe)),
    ),
    encode: composeSteps(client.createStreamEncoder(encodeContext), createSseSerializer()),
    toErrorItem: (error) => {
      const event: IrEvent = { type: 'error', error: streamFailureToIr(error) };
      observe(event);
      return event;
    },
  });
  return new Response(body, { status: 200, headers: sseResponseHeaders() });
}
