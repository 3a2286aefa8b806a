/**
 * The whole flow of one proxied request: client wire → IR → upstream wire → upstream → IR →
 * client wire, on the plan decided once in plan.ts (`routeBetween`, `planResponse`).
 */
import { invalidField, ProxyError } from '../errors.js';
import type { EncodeContext, WireBody } from '../formats/format.js';
import type { UpstreamResponse } from '../http/upstream-fetch.js';
import type { IrRequest } from '../ir/request.js';
import { mergeUsage } from '../ir/usage.js';
import type { Converted } from '../ir/warnings.js';
import { resolveModel } from '../providers/resolve-model.js';
import { assertNever } from '../util/assert-never.js';
import { isRecord } from '../util/json.js';
import type { Answer } from './answer.js';
import { guardBackendEvents } from './backend-events.js';
import { answerBuffered, answerFakeStream } from './buffered-response.js';
import { requireObjectBody } from './client-body.js';
import {
  answerContext,
  createWarningLog,
  type PipelineDeps,
  type PipelineInput,
  type RequestContext,
  requestContext,
} from './context.js';
import type { ConversionPlan } from './conversion.js';
import { wrappedCustomTools } from './custom-tools.js';
import { droppedClientFields } from './foreign-fields.js';
import { type FormatRoute, planResponse, recordedMode, routeBetween } from './plan.js';
import { startStatefulResponses } from './stored-responses.js';
import { answerStream } from './stream-response.js';
import { upstreamError } from './upstream-body.js';

/** The upstream body: the client's own on a same-format route, else encoded from the IR. */
function buildUpstreamBody(
  ctx: RequestContext,
  route: FormatRoute,
  neutral: () => IrRequest,
  upstreamModel: string,
  upstreamStream: boolean,
): WireBody {
  if (route.sameFormat && isRecord(ctx.body)) {
    // Same format: forward the client's own body (every field it sent, known or not); `stream`
    // is written only when the client sent it or the upstream must stream. Nothing to change:
    // the very object, so its text goes upstream as it came (see util/json-text.ts).
    const client = ctx.body;
    const streamKept = 'stream' in client ? client.stream === upstreamStream : !upstreamStream;
    if (client.model === upstreamModel && streamKept) return client;
    const body: WireBody = { ...client, model: upstreamModel };
    if (upstreamStream || 'stream' in client) body.stream = upstreamStream;
    return body;
  }
  const request = neutral();
  for (const warning of droppedClientFields(request, route.clientFormat, route.upstreamFormat)) {
    ctx.warnings.add(warning);
  }
  const encoded = ctx.deps.formats[route.upstreamFormat].encodeRequest({
    ...request,
    model: upstreamModel,
    stream: upstreamStream,
  });
  for (const warning of encoded.warnings) ctx.warnings.add(warning);
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
  route: FormatRoute,
  body: WireBody,
): Converted<IrRequest> {
  try {
    return deps.formats[route.clientFormat].decodeRequest(body);
  } catch (error) {
    if (!route.sameFormat || !(error instanceof ProxyError) || error.code !== 'invalid_request') {
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
export async function handleRequest(input: PipelineInput, deps: PipelineDeps): Promise<Answer> {
  const { record } = input;
  record.clientFormat = input.clientFormat;
  record.provider = input.provider.id;
  const body = requireObjectBody(input.body);
  const capture = deps.startCapture?.({ record, headers: input.headers, body });
  try {
    // Stateful Responses: stored references expanded before anything reads the body; the
    // answer kept after it is served (see stored-responses.ts).
    const stateful = await startStatefulResponses(input, deps);
    const ctx = requestContext(stateful.input, deps, createWarningLog(input), capture);
    return await stateful.remember(await proxyRequest(ctx));
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

/** What went upstream: the formats, the client's request and model. */
interface SentRequest {
  route: FormatRoute;
  /** True when the client asked for a stream. */
  clientStream: boolean;
  /** The neutral request (see `neutralRequest`). */
  neutral: () => IrRequest;
  clientModel: string;
  /** The model sent upstream (the client's unless a `model_mappings` rule changed it). */
  upstreamModel: string;
  response: UpstreamResponse;
}

/**
 * The neutral request, decoded when first needed. A converting route needs it at once (it is
 * what the upstream's body is encoded from). A same-format route sends the client's body as it
 * came and may never need it (a Responses envelope echoes it; Chat stream options are read from
 * it): decoding a coding agent's 150 KB request only to forward it cost more than parsing it.
 */
function neutralRequest(
  deps: PipelineDeps,
  route: FormatRoute,
  body: WireBody,
  warnings: RequestContext['warnings'],
): () => IrRequest {
  let request: IrRequest | undefined;
  return () => {
    if (request === undefined) {
      const decoded = decodeClientRequest(deps, route, body);
      for (const warning of decoded.warnings) warnings.add(warning);
      request = decoded.value;
    }
    return request;
  };
}

/** The client's request, decoded, shaped for the upstream and sent. */
async function sendUpstream(ctx: RequestContext): Promise<SentRequest> {
  const { provider, record, deps, warnings } = ctx;
  const body = ctx.body as WireBody;
  const clientModel = readModel(body);
  const upstreamModel = resolveModel(provider.modelMappings, clientModel);
  record.model = clientModel;
  if (upstreamModel !== clientModel) record.upstreamModel = upstreamModel;
  // A provider with several upstream APIs picks the client's own when it can (no translation).
  const route = routeBetween(
    ctx.clientFormat,
    provider.selectFormat?.(ctx.clientFormat, upstreamModel) ?? provider.format,
  );
  record.upstreamFormat = route.upstreamFormat;
  const neutral = neutralRequest(deps, route, body, warnings);
  // Read from the body on a same-format route, as its decoder reads it (`stream: true` only).
  const clientStream = route.sameFormat ? body.stream === true : neutral().stream;
  record.stream = clientStream;

  const upstreamStream = clientStream || provider.streamingOnly;
  const context = {
    clientFormat: route.clientFormat,
    upstreamFormat: route.upstreamFormat,
    clientHeaders: ctx.headers,
    clientStream,
    routeSessionId: ctx.routeSessionId,
  };
  const wire = buildUpstreamBody(ctx, route, neutral, upstreamModel, upstreamStream);
  const prepared = provider.prepareBody(wire, context);
  for (const warning of prepared.warnings) warnings.add(warning);

  const response = await provider.send({
    body: prepared.value,
    stream: upstreamStream,
    context,
    signal: ctx.signal,
    logger: ctx.logger,
  });
  return { route, clientStream, neutral, clientModel, upstreamModel, response };
}

/** The client's request sent upstream; the upstream's answer (or its error) on the plan for it. */
async function proxyRequest(ctx: RequestContext): Promise<Answer> {
  const sent = await sendUpstream(ctx);
  const { route, clientStream, response } = sent;
  ctx.record.upstreamStatus = response.status;
  if (response.account !== undefined) ctx.record.account = response.account;
  ctx.capture?.upstreamResponse(response.status, response.headers);
  if (!response.ok) {
    const upstream = ctx.deps.formats[route.upstreamFormat];
    const error = await upstreamError(response, upstream, ctx.capture);
    ctx.warnings.flush();
    throw error;
  }

  const mode = planResponse(route, {
    clientStream,
    upstreamStreams: (response.headers.get('content-type') ?? '').includes('text/event-stream'),
  });
  ctx.record.mode = recordedMode(mode);
  const answer = answerContext(ctx, response, conversionPlan(ctx, sent));
  switch (mode) {
    case 'passthrough':
    case 'translate':
      return answerStream(answer, mode);
    case 'fake-stream':
      return answerFakeStream(answer);
    case 'reassemble':
    case 'convert':
      return answerBuffered(answer, mode);
    default:
      return assertNever(mode);
  }
}

/**
 * The model the client's answer names: the client's when a mapping sent another upstream or the
 * formats differ; none on a same-format route whose model went up unchanged, so the upstream's
 * own name (often a dated version of the client's, as the upstream's API answers it) is forwarded
 * as it came.
 */
function shownModel(sent: SentRequest): string | undefined {
  return sent.route.sameFormat && sent.upstreamModel === sent.clientModel
    ? undefined
    : sent.clientModel;
}

/** The conversion of the answer, reporting into the request's record and warning log. */
function conversionPlan(ctx: RequestContext, sent: SentRequest): ConversionPlan {
  const { route, neutral } = sent;
  const { record, deps, warnings } = ctx;
  // Built once per request: plain fields and a class for the context (an object literal with a
  // getter and spreads took the slow path of object creation, ~5 µs a request).
  return {
    clientFormat: route.clientFormat,
    upstreamFormat: route.upstreamFormat,
    sameFormat: route.sameFormat,
    formats: deps.formats,
    encodeContext: new RequestEncodeContext(
      shownModel(sent),
      deps,
      warnings.add,
      neutral,
      route.sameFormat ? (ctx.body as WireBody) : undefined,
    ),
    customTools: wrappedCustomTools(route, route.sameFormat ? undefined : neutral()),
    onWarning: warnings.add,
    onUnknownEvent: (type) => {
      record.unknownEvents += 1;
      record.unknownEventTypes ??= [];
      const types = record.unknownEventTypes;
      if (types.length < 10 && !types.includes(type)) types.push(type);
      deps.reportUnknownEvent(route.upstreamFormat, type);
    },
    onBackendEvent: guardBackendEvents(sent.response.onBackendEvent, ctx.logger),
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
}

/** A request's encode context; the neutral request is decoded when an encoder first reads it. */
class RequestEncodeContext implements EncodeContext {
  readonly createdAt: number;
  readonly createId: (prefix: string) => string;
  readonly #neutral: () => IrRequest;

  constructor(
    readonly model: string | undefined,
    deps: PipelineDeps,
    readonly onWarning: NonNullable<EncodeContext['onWarning']>,
    neutral: () => IrRequest,
    readonly clientBody: WireBody | undefined,
  ) {
    this.createdAt = deps.unixSeconds();
    this.createId = deps.createId;
    this.#neutral = neutral;
  }

  /** Decoded only when an encoder or a pass-through step asks (see `neutralRequest`). */
  get request(): IrRequest {
    return this.#neutral();
  }
}
