/**
 * The whole flow of one proxied request: client wire → IR → upstream wire → upstream → IR →
 * client wire, choosing passthrough or translation in one place (see `planResponse`).
 */
import { invalidField, ProxyError } from '../errors.js';
import type { EncodeContext, WireBody, WireFormatId } from '../formats/format.js';
import { readBodyJson } from '../http/upstream-fetch.js';
import type { IrRequest } from '../ir/request.js';
import { mergeUsage } from '../ir/usage.js';
import type { Converted } from '../ir/warnings.js';
import type { RequestCapture } from '../observability/request-capture.js';
import { resolveModel } from '../providers/resolve-model.js';
import { isRecord } from '../util/json.js';
import { answerBuffered } from './buffered-response.js';
import { createWarningLog, type PipelineDeps, type PipelineInput } from './context.js';
import type { ConversionPlan } from './conversion.js';
import { customToolNames } from './custom-tools.js';
import { droppedClientFields } from './foreign-fields.js';
import { startStatefulResponses } from './stored-responses.js';
import { answerStream } from './stream-response.js';

/** How a response is produced. */
export type ResponseMode =
  /** Same format both sides: events forwarded, fixed only where the format needs it. */
  | 'passthrough'
  /** Different formats: decoded to IR and encoded again, event by event. */
  | 'translate'
  /** A non-streaming client over a stream: the stream is rebuilt into one body. */
  | 'reassemble'
  /** A non-streaming client over a non-streaming upstream body. */
  | 'convert';

/** Decides how the response is produced — the one place that makes this choice. */
export function planResponse(options: {
  sameFormat: boolean;
  clientStream: boolean;
  upstreamStreams: boolean;
}): ResponseMode {
  if (options.clientStream)
    return options.sameFormat && options.upstreamStreams ? 'passthrough' : 'translate';
  return options.upstreamStreams ? 'reassemble' : 'convert';
}

function buildUpstreamBody(
  input: PipelineInput,
  deps: PipelineDeps,
  upstreamFormat: WireFormatId,
  request: IrRequest,
  upstreamModel: string,
  upstreamStream: boolean,
  addWarning: (warning: import('../ir/warnings.js').ConversionWarning) => void,
): WireBody {
  const upstream = deps.formats[upstreamFormat];
  if (input.clientFormat === upstreamFormat && isRecord(input.body)) {
    // Same format: forward the client's own body (every field it sent, known or not); `stream`
    // is written only when the client sent it or the upstream must stream.
    const body: WireBody = { ...input.body, model: upstreamModel };
    if (upstreamStream || 'stream' in input.body) body.stream = upstreamStream;
    return body;
  }
  for (const warning of droppedClientFields(request, input.clientFormat, upstreamFormat)) {
    addWarning(warning);
  }
  const encoded = upstream.encodeRequest({
    ...request,
    model: upstreamModel,
    stream: upstreamStream,
  });
  for (const warning of encoded.warnings) addWarning(warning);
  return encoded.value;
}

/** The client's model: the one field every route must read to choose an upstream. */
function readModel(body: WireBody): string {
  if (body.model === undefined || body.model === null) throw invalidField('model', 'is required');
  if (typeof body.model !== 'string') throw invalidField('model', 'must be a string');
  return body.model;
}

/**
 * The neutral request. On a same-format route the client's body goes upstream as it came, so a
 * body the decoder cannot read whole (a field shaped in a way ccproxy does not know yet) is not
 * refused: the upstream judges it, and the proxy keeps only what it must read (model, stream).
 * On a converting route the decoder's `invalid_request` stands: there is nothing to forward.
 */
function decodeClientRequest(
  deps: PipelineDeps,
  clientFormat: WireFormatId,
  upstreamFormat: WireFormatId,
  body: WireBody,
): Converted<IrRequest> {
  try {
    return deps.formats[clientFormat].decodeRequest(body);
  } catch (error) {
    if (
      clientFormat !== upstreamFormat ||
      !(error instanceof ProxyError) ||
      error.code !== 'invalid_request'
    ) {
      throw error;
    }
    const model = body.model as string;
    return {
      value: { model, system: [], messages: [], tools: [], stream: body.stream === true },
      warnings: [
        {
          code: 'unexpected',
          message: `Forwarded as sent, for the upstream to judge: ${error.message}`,
          ...(error.param !== undefined ? { path: error.param } : {}),
        },
      ],
    };
  }
}

/** Handles one request; throws `ProxyError` for anything the client must see as an error. */
export async function handleRequest(input: PipelineInput, deps: PipelineDeps): Promise<Response> {
  const { record } = input;
  record.clientFormat = input.clientFormat;
  record.provider = input.provider.id;
  if (!isRecord(input.body)) {
    throw new ProxyError('invalid_request', 'Request body must be a JSON object');
  }
  const capture = deps.startCapture?.({ record, headers: input.headers, body: input.body });
  try {
    // Stateful Responses: stored references expanded before anything reads the body; the
    // answer kept after it is served (see stored-responses.ts).
    const stateful = await startStatefulResponses(input, deps);
    const body = stateful.input.body as WireBody;
    return await stateful.remember(await proxyRequest(stateful.input, deps, body, capture));
  } catch (error) {
    const status = error instanceof ProxyError ? error.status : 500;
    const message = error instanceof Error ? error.message : 'error';
    capture?.finish({
      status,
      error: { code: error instanceof ProxyError ? error.code : 'internal', message },
    });
    throw error;
  }
}

async function proxyRequest(
  input: PipelineInput,
  deps: PipelineDeps,
  body: WireBody,
  capture: RequestCapture | undefined,
): Promise<Response> {
  const { provider, record } = input;
  const warnings = createWarningLog(input);
  const clientModel = readModel(body);
  const upstreamModel = resolveModel(provider.modelMappings, clientModel);
  record.model = clientModel;
  if (upstreamModel !== clientModel) record.upstreamModel = upstreamModel;
  // A provider with several upstream APIs picks the client's own when it can (no translation).
  const upstreamFormat =
    provider.selectFormat?.(input.clientFormat, upstreamModel) ?? provider.format;
  const upstream = deps.formats[upstreamFormat];
  record.upstreamFormat = upstreamFormat;
  const decoded = decodeClientRequest(deps, input.clientFormat, upstreamFormat, body);
  for (const warning of decoded.warnings) warnings.add(warning);
  const request = decoded.value;
  record.stream = request.stream;

  const upstreamStream = request.stream || provider.streamingOnly;
  const context = {
    clientFormat: input.clientFormat,
    upstreamFormat,
    clientHeaders: input.headers,
    clientStream: request.stream,
    ...(input.routeSessionId !== undefined ? { routeSessionId: input.routeSessionId } : {}),
  };
  const wire = buildUpstreamBody(
    input,
    deps,
    upstreamFormat,
    request,
    upstreamModel,
    upstreamStream,
    warnings.add,
  );
  const prepared = provider.prepareBody(wire, context);
  for (const warning of prepared.warnings) warnings.add(warning);

  const response = await provider.send({
    body: prepared.value,
    stream: upstreamStream,
    context,
    signal: input.signal,
    logger: input.logger,
  });
  record.upstreamStatus = response.status;
  capture?.upstreamResponse(response.status, response.headers);
  if (!response.ok) {
    const errorBody = await readBodyJson(response);
    capture?.upstream(
      new TextEncoder().encode(
        typeof errorBody === 'string' ? errorBody : JSON.stringify(errorBody),
      ),
    );
    warnings.flush();
    throw upstream.decodeError(response.status, errorBody, response.headers);
  }

  const upstreamStreams = (response.headers.get('content-type') ?? '').includes(
    'text/event-stream',
  );
  const mode = planResponse({
    sameFormat: input.clientFormat === upstreamFormat,
    clientStream: request.stream,
    upstreamStreams,
  });
  record.mode = mode;
  const encodeContext: EncodeContext = {
    model: clientModel,
    createdAt: deps.unixSeconds(),
    createId: deps.createId,
    onWarning: warnings.add,
    request,
  };
  const plan: ConversionPlan = {
    formats: deps.formats,
    clientFormat: input.clientFormat,
    upstreamFormat,
    encodeContext,
    // Only Anthropic cannot express freeform tools: its encoder wrapped them, so unwrap the calls.
    customTools:
      upstreamFormat === 'anthropic-messages' && input.clientFormat !== upstreamFormat
        ? customToolNames(request)
        : new Set<string>(),
    onWarning: warnings.add,
    onUnknownEvent: (type) => {
      record.unknownEvents += 1;
      record.unknownEventTypes ??= [];
      const types = record.unknownEventTypes;
      if (types.length < 10 && !types.includes(type)) types.push(type);
      deps.reportUnknownEvent(upstreamFormat, type);
    },
    onUsage: (usage) => {
      record.usage = mergeUsage(record.usage, usage);
    },
    onFinish: (reason) => {
      record.finishReason = reason;
    },
    onError: (code) => {
      record.errorCode = code;
    },
  };
  if (mode === 'passthrough' || mode === 'translate') {
    return answerStream({
      input,
      deps,
      plan,
      response,
      mode,
      encodeContext,
      warnings,
      upstreamStreams,
      upstreamFormat,
      capture,
    });
  }
  return answerBuffered({ input, deps, plan, response, mode, warnings, capture });
}
