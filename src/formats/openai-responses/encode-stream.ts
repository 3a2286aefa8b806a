/**
 * Encodes IR events as the Responses SSE stream a client (and openai-node's `responses.stream()`) accepts.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 * @see https://github.com/openai/openai-node/blob/master/src/lib/responses/ResponseStream.ts
 */
import { type IrEvent, isBlockEvent } from '../../ir/events.js';
import type { IrError, IrFinishReason, IrStatus } from '../../ir/response.js';
import { type IrUsage, mergeUsage } from '../../ir/usage.js';
import { oneLineEvent } from '../../sse/encode.js';
import type { SseMessage } from '../../sse/message.js';
import type { StreamStep } from '../../streams/step.js';
import { assertNever } from '../../util/assert-never.js';
import type { JsonObject } from '../../util/json.js';
import type { EncodeContext } from '../format.js';
import { encodeOpenAIErrorObject } from '../openai-error.js';
import { encodeResponseError, responseIdFor } from './encode-response.js';
import {
  type DeltaEvent,
  type EndEvent,
  type StartEvent,
  StreamItemEncoder,
} from './encode-stream-items.js';
import { buildEnvelope } from './envelope.js';
import { encodeFinishReason, endingLosses } from './finish-reason.js';
import { encodeUsage } from './usage.js';

type BlockEvent = StartEvent | DeltaEvent | EndEvent;

function isStart(event: BlockEvent): boolean {
  return event.type.endsWith('-start') || event.type === 'opaque';
}

function isEnd(event: BlockEvent): boolean {
  return event.type.endsWith('-end') || event.type === 'opaque';
}

/** The start event a block that never started gets (lenient, like the IR accumulator). */
function implicitStart(event: BlockEvent): BlockEvent {
  const kind = /^(text|refusal|reasoning|tool-call)/.exec(event.type)?.[1] ?? 'text';
  if (kind === 'tool-call') {
    return { type: 'tool-call-start', index: event.index, callId: '', name: '', kind: 'function' };
  }
  return { type: `${kind}-start` as 'text-start', index: event.index };
}

/** Per-stream state of the encoder. */
interface ResponsesEncodeState {
  context: EncodeContext;
  /** Messages written since the last `push`/`end` returned. */
  out: SseMessage[];
  sequence: number;
  /** The response's fixed fields, set by the first event. */
  envelope: JsonObject | undefined;
  usage: IrUsage;
  sawUsage: boolean;
  terminated: boolean;
  /** The block being written; others wait in `queue`/`pending` (items do not interleave). */
  active: number | undefined;
  queue: number[];
  pending: Map<number, BlockEvent[]>;
  finished: Set<number>;
  items: StreamItemEncoder;
}

/** Writes one event, as its wire text (`oneLineEvent`: the data is JSON, one line). */
function write(state: ResponsesEncodeState, type: string, fields: JsonObject): void {
  const event = { type, sequence_number: state.sequence++, ...fields };
  state.out.push(oneLineEvent(type, JSON.stringify(event)));
}

function begin(
  state: ResponsesEncodeState,
  start?: Extract<IrEvent, { type: 'message-start' }>,
): void {
  if (state.envelope) return;
  state.envelope = {
    id: responseIdFor(start?.id, state.context),
    object: 'response',
    created_at: start?.createdAt ?? state.context.createdAt,
    ...buildEnvelope(state.context),
    model: state.context.model ?? start?.model ?? state.context.request?.model ?? '',
  };
  const snapshot = {
    ...state.envelope,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    output: [],
    usage: null,
  };
  write(state, 'response.created', { response: snapshot });
  write(state, 'response.in_progress', { response: snapshot });
}

function processBlock(state: ResponsesEncodeState, event: BlockEvent): void {
  switch (event.type) {
    case 'text-start':
    case 'refusal-start':
    case 'reasoning-start':
    case 'tool-call-start':
      state.items.start(event);
      return;
    case 'opaque':
      state.items.start(event);
      state.finished.add(event.index);
      return;
    case 'text-delta':
    case 'text-annotation':
    case 'refusal-delta':
    case 'reasoning-delta':
    case 'tool-call-delta':
      state.items.delta(event);
      return;
    case 'text-end':
    case 'refusal-end':
    case 'reasoning-end':
    case 'tool-call-end':
      state.items.end(event, 'completed');
      state.finished.add(event.index);
      return;
    default:
      assertNever(event, 'IR block event');
  }
}

/** Writes buffered blocks, in order, until one of them is still open. */
function drain(state: ResponsesEncodeState, force: boolean): void {
  for (;;) {
    if (state.active !== undefined) {
      if (!force) return;
      state.items.end(undefined, 'incomplete');
      state.finished.add(state.active);
      state.active = undefined;
    }
    const next = state.queue.shift();
    if (next === undefined) return;
    const events = state.pending.get(next) ?? [];
    state.pending.delete(next);
    state.active = next;
    for (const event of events) processBlock(state, event);
    if (state.finished.has(next)) state.active = undefined;
  }
}

function onBlock(state: ResponsesEncodeState, event: BlockEvent): void {
  const index = event.index;
  if (state.finished.has(index)) return;
  if (index === state.active) {
    processBlock(state, event);
    if (isEnd(event)) {
      state.active = undefined;
      drain(state, false);
    }
    return;
  }
  const buffered = state.pending.get(index);
  if (buffered) {
    buffered.push(event);
    return;
  }
  const opening = isStart(event) ? event : implicitStart(event);
  if (state.active === undefined && state.queue.length === 0) {
    state.active = index;
    processBlock(state, opening);
    if (opening !== event) processBlock(state, event);
    if (state.finished.has(index)) state.active = undefined;
    return;
  }
  state.queue.push(index);
  state.pending.set(index, opening === event ? [event] : [opening, event]);
}

function responseBody(state: ResponsesEncodeState, status: string, extra: JsonObject): JsonObject {
  return {
    ...state.envelope,
    status,
    error: null,
    incomplete_details: null,
    ...(status === 'completed' ? { completed_at: state.context.createdAt } : {}),
    output: state.items.output,
    usage: encodeUsage(state.usage),
    ...extra,
  };
}

function finish(state: ResponsesEncodeState, finishReason: IrFinishReason, status: IrStatus): void {
  begin(state);
  drain(state, true);
  const ending = encodeFinishReason(finishReason, status);
  state.items.closeMessage(ending.status === 'completed' ? 'completed' : 'incomplete');
  state.terminated = true;
  if (ending.status === 'failed') {
    fail(state, { code: 'upstream_error', message: 'Upstream response failed' });
    return;
  }
  write(state, ending.status === 'completed' ? 'response.completed' : 'response.incomplete', {
    response: responseBody(state, ending.status, { incomplete_details: ending.incomplete_details }),
  });
}

function fail(state: ResponsesEncodeState, error: IrError): void {
  begin(state);
  drain(state, true);
  state.items.closeMessage('incomplete');
  state.terminated = true;
  // The upstream's own error type, when there is one, says more than ours.
  const base = encodeOpenAIErrorObject(error);
  const object: JsonObject = { ...base, type: error.upstreamType ?? base.type };
  // Both documented (flat) and observed (nested) shapes: openai-node throws an `APIError`
  // carrying `error.message` only for the nested one.
  write(state, 'error', {
    code: object.code,
    message: object.message,
    param: object.param,
    error: object,
  });
  write(state, 'response.failed', {
    response: responseBody(state, 'failed', {
      error: encodeResponseError(error),
      usage: state.sawUsage ? encodeUsage(state.usage) : null,
    }),
  });
}

function onEvent(state: ResponsesEncodeState, event: IrEvent): void {
  if (state.terminated) return;
  if (isBlockEvent(event)) {
    begin(state);
    onBlock(state, event);
    return;
  }
  switch (event.type) {
    case 'message-start':
      begin(state, event);
      return;
    case 'usage':
      state.usage = mergeUsage(state.usage, event.usage);
      state.sawUsage = true;
      return;
    case 'message-end':
      for (const warning of endingLosses(event.finishReason, event.stopSequence)) {
        state.context.onWarning?.(warning);
      }
      finish(state, event.finishReason, event.status ?? 'completed');
      return;
    case 'error':
      fail(state, event.error);
      return;
    default:
      assertNever(event, 'IR event');
  }
}

function take(state: ResponsesEncodeState): SseMessage[] {
  const messages = state.out;
  state.out = [];
  return messages;
}

/**
 * Creates the encoder (`WireFormat.createStreamEncoder`): `response.created` and
 * `response.in_progress` first, numbered from 0; blocks written one item at a time (a block that
 * starts while another is open waits in a buffer: Responses items do not interleave); then
 * `response.completed` or `response.incomplete` with the full output and usage. An IR error
 * becomes an `error` event and `response.failed`; when the IR stops without its end, `end()`
 * closes what is open and writes `response.incomplete`.
 */
export function createResponsesStreamEncoder(
  context: EncodeContext,
): StreamStep<IrEvent, SseMessage> {
  const state: ResponsesEncodeState = {
    context,
    out: [],
    sequence: 0,
    envelope: undefined,
    usage: {},
    sawUsage: false,
    terminated: false,
    active: undefined,
    queue: [],
    pending: new Map(),
    finished: new Set(),
    items: new StreamItemEncoder(
      (type, fields) => write(state, type, fields),
      { createId: context.createId, warnings: [], ensureIds: true },
      context.onWarning,
    ),
  };
  return {
    push(event) {
      onEvent(state, event);
      return take(state);
    },
    end() {
      // The IR stopped without its end: close what is open and say the response is incomplete.
      if (!state.terminated) finish(state, 'other', 'incomplete');
      return take(state);
    },
  };
}
