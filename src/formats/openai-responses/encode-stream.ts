/**
 * Encodes IR events as the Responses SSE stream a client (and openai-node's `responses.stream()`) accepts.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 * @see https://github.com/openai/openai-node/blob/master/src/lib/responses/ResponseStream.ts
 */
import { type IrEvent, isBlockEvent } from '../../ir/events.js';
import type { IrError, IrFinishReason, IrStatus } from '../../ir/response.js';
import { type IrUsage, mergeUsage } from '../../ir/usage.js';
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
  let out: SseMessage[] = [];
  let sequence = 0;
  let envelope: JsonObject | undefined;
  let usage: IrUsage = {};
  let sawUsage = false;
  let terminated = false;
  let active: number | undefined;
  const queue: number[] = [];
  const pending = new Map<number, BlockEvent[]>();
  const finished = new Set<number>();

  function write(type: string, fields: JsonObject): void {
    const event = { type, sequence_number: sequence++, ...fields };
    out.push({ event: type, data: JSON.stringify(event) });
  }

  const items = new StreamItemEncoder(
    write,
    { createId: context.createId, warnings: [], ensureIds: true },
    context.onWarning,
  );

  function begin(start?: Extract<IrEvent, { type: 'message-start' }>): void {
    if (envelope) return;
    envelope = {
      id: responseIdFor(start?.id, context),
      object: 'response',
      created_at: start?.createdAt ?? context.createdAt,
      ...buildEnvelope(context),
      model: context.model ?? start?.model ?? context.request?.model ?? '',
    };
    const snapshot = {
      ...envelope,
      status: 'in_progress',
      error: null,
      incomplete_details: null,
      output: [],
      usage: null,
    };
    write('response.created', { response: snapshot });
    write('response.in_progress', { response: snapshot });
  }

  function process(event: BlockEvent): void {
    switch (event.type) {
      case 'text-start':
      case 'refusal-start':
      case 'reasoning-start':
      case 'tool-call-start':
        items.start(event);
        return;
      case 'opaque':
        items.start(event);
        finished.add(event.index);
        return;
      case 'text-delta':
      case 'text-annotation':
      case 'refusal-delta':
      case 'reasoning-delta':
      case 'tool-call-delta':
        items.delta(event);
        return;
      case 'text-end':
      case 'refusal-end':
      case 'reasoning-end':
      case 'tool-call-end':
        items.end(event, 'completed');
        finished.add(event.index);
        return;
      default:
        assertNever(event, 'IR block event');
    }
  }

  /** Writes buffered blocks, in order, until one of them is still open. */
  function drain(force: boolean): void {
    for (;;) {
      if (active !== undefined) {
        if (!force) return;
        items.end(undefined, 'incomplete');
        finished.add(active);
        active = undefined;
      }
      const next = queue.shift();
      if (next === undefined) return;
      const events = pending.get(next) ?? [];
      pending.delete(next);
      active = next;
      for (const event of events) process(event);
      if (finished.has(next)) active = undefined;
    }
  }

  function onBlock(event: BlockEvent): void {
    const index = event.index;
    if (finished.has(index)) return;
    if (index === active) {
      process(event);
      if (isEnd(event)) {
        active = undefined;
        drain(false);
      }
      return;
    }
    const buffered = pending.get(index);
    if (buffered) {
      buffered.push(event);
      return;
    }
    const opening = isStart(event) ? event : implicitStart(event);
    if (active === undefined && queue.length === 0) {
      active = index;
      process(opening);
      if (opening !== event) process(event);
      if (finished.has(index)) active = undefined;
      return;
    }
    queue.push(index);
    pending.set(index, opening === event ? [event] : [opening, event]);
  }

  function response(status: string, extra: JsonObject): JsonObject {
    return {
      ...envelope,
      status,
      error: null,
      incomplete_details: null,
      ...(status === 'completed' ? { completed_at: context.createdAt } : {}),
      output: items.output,
      usage: encodeUsage(usage),
      ...extra,
    };
  }

  function finish(finishReason: IrFinishReason, status: IrStatus): void {
    begin();
    drain(true);
    const ending = encodeFinishReason(finishReason, status);
    items.closeMessage(ending.status === 'completed' ? 'completed' : 'incomplete');
    terminated = true;
    if (ending.status === 'failed') {
      fail({ code: 'upstream_error', message: 'Upstream response failed' });
      return;
    }
    write(ending.status === 'completed' ? 'response.completed' : 'response.incomplete', {
      response: response(ending.status, { incomplete_details: ending.incomplete_details }),
    });
  }

  function fail(error: IrError): void {
    begin();
    drain(true);
    items.closeMessage('incomplete');
    terminated = true;
    // The upstream's own error type, when there is one, says more than ours.
    const base = encodeOpenAIErrorObject(error);
    const object: JsonObject = { ...base, type: error.upstreamType ?? base.type };
    // Both documented (flat) and observed (nested) shapes: openai-node throws an `APIError`
    // carrying `error.message` only for the nested one.
    write('error', {
      code: object.code,
      message: object.message,
      param: object.param,
      error: object,
    });
    write('response.failed', {
      response: response('failed', {
        error: encodeResponseError(error),
        usage: sawUsage ? encodeUsage(usage) : null,
      }),
    });
  }

  function push(event: IrEvent): void {
    if (terminated) return;
    if (isBlockEvent(event)) {
      begin();
      onBlock(event);
      return;
    }
    switch (event.type) {
      case 'message-start':
        begin(event);
        return;
      case 'usage':
        usage = mergeUsage(usage, event.usage);
        sawUsage = true;
        return;
      case 'message-end':
        for (const warning of endingLosses(event.finishReason, event.stopSequence)) {
          context.onWarning?.(warning);
        }
        finish(event.finishReason, event.status ?? 'completed');
        return;
      case 'error':
        fail(event.error);
        return;
      default:
        assertNever(event, 'IR event');
    }
  }

  function take(): SseMessage[] {
    const messages = out;
    out = [];
    return messages;
  }

  return {
    push(event) {
      push(event);
      return take();
    },
    end() {
      // The IR stopped without its end: close what is open and say the response is incomplete.
      if (!terminated) finish('other', 'incomplete');
      return take();
    },
  };
}
