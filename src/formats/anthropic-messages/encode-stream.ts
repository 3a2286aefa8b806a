/**
 * Encodes neutral events as an Anthropic Messages SSE stream that the official SDK's
 * `messages.stream()` and Claude Code accept.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 * @see https://github.com/anthropics/anthropic-sdk-typescript/blob/main/src/lib/MessageStream.ts
 */
import { type IrEvent, isBlockEvent } from '../../ir/events.js';
import type { IrMeta } from '../../ir/meta.js';
import type { IrError } from '../../ir/response.js';
import { type IrUsage, mergeUsage } from '../../ir/usage.js';
import type { SseMessage } from '../../sse/message.js';
import type { StreamStep } from '../../streams/step.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import type { EncodeContext } from '../format.js';
import { encodeErrorObject } from './encode-error.js';
import { createBlockWriter } from './encode-stream-blocks.js';
import { encodeStopReason } from './finish-reason.js';
import { ownExtra, ownMeta } from './meta.js';
import { encodeUsage } from './usage.js';

/** One SSE message whose `event:` name equals its JSON `type`, as the SDK dispatches on it. */
export function sseEvent(type: string, payload: JsonObject): SseMessage {
  return { event: type, data: JSON.stringify({ type, ...payload }) };
}

function usageExtras(meta: IrMeta | undefined): JsonObject | undefined {
  const extras = ownMeta(meta)?.usage;
  return isRecord(extras) ? extras : undefined;
}

/** Envelope fields that `message_delta` carries inside `delta` rather than at its top level. */
const DELTA_FIELDS = new Set(['stop_details', 'container']);

/**
 * Creates an encoder. It writes `message_start` at the first usage or block event after the IR
 * `message-start` (so an Anthropic upstream's input usage is in it), content blocks strictly one
 * after another with dense indices (blocks that overlap in the IR are buffered and written when
 * the open one ends), then `message_delta` with the stop reason and the full usage, then
 * `message_stop`. An IR `error` closes the open block and ends the stream with `event: error`.
 * `end()` finishes a stream that stopped without its last event.
 */
export function createAnthropicStreamEncoder(
  context: EncodeContext,
): StreamStep<IrEvent, SseMessage> {
  let phase: 'idle' | 'pending' | 'streaming' | 'done' = 'idle';
  let id = '';
  let model = '';
  let startMeta: IrMeta | undefined;
  let usage: IrUsage = {};
  let endMeta: IrMeta | undefined;
  const blocks = createBlockWriter(context);

  function writeStart(out: SseMessage[]): void {
    if (phase === 'streaming' || phase === 'done') return;
    phase = 'streaming';
    out.push(
      sseEvent('message_start', {
        message: {
          id: id === '' ? context.createId('msg_') : id,
          type: 'message',
          role: 'assistant',
          model: context.model ?? model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: encodeUsage(usage, usageExtras(startMeta)),
          ...ownExtra(startMeta),
        },
      }),
    );
  }

  function writeEnd(
    finish: Extract<IrEvent, { type: 'message-end' }> | undefined,
    out: SseMessage[],
  ): void {
    writeStart(out);
    blocks.finish(out);
    const own = ownMeta(finish?.meta);
    const stopSequence = finish?.stopSequence;
    const stopReason =
      own !== undefined && 'stopReason' in own
        ? own.stopReason
        : encodeStopReason(finish?.finishReason ?? 'other', {
            hasToolCalls: blocks.hasToolCalls(),
            hasRefusal: blocks.hasRefusal(),
            stopSequence,
          });
    const delta: JsonObject = { stop_reason: stopReason, stop_sequence: stopSequence ?? null };
    const topLevel: JsonObject = {};
    const startExtra = ownExtra(startMeta);
    for (const [key, value] of Object.entries(ownExtra(finish?.meta))) {
      if (DELTA_FIELDS.has(key)) delta[key] = value;
      else if (!(key in startExtra)) topLevel[key] = value;
    }
    out.push(
      sseEvent('message_delta', {
        delta,
        usage: encodeUsage(usage, usageExtras(endMeta ?? startMeta)),
        ...topLevel,
      }),
      sseEvent('message_stop', {}),
    );
    phase = 'done';
  }

  function writeError(error: IrError, out: SseMessage[]): void {
    if (phase === 'pending') writeStart(out);
    blocks.abort(out);
    out.push(sseEvent('error', { error: encodeErrorObject(error) }));
    phase = 'done';
  }

  function push(event: IrEvent): SseMessage[] {
    if (phase === 'done') return [];
    const out: SseMessage[] = [];
    if (isBlockEvent(event)) {
      // Most events: one delta to the open block, its message alone (no list grown for it).
      if (phase === 'streaming') {
        const message = blocks.openDelta(event);
        if (message !== undefined) return [message];
      }
      writeStart(out);
      blocks.push(event, out);
      return out;
    }
    switch (event.type) {
      case 'message-start':
        if (phase !== 'idle') return out;
        phase = 'pending';
        id = event.id ?? '';
        model = event.model ?? '';
        startMeta = event.meta;
        return out;
      case 'usage':
        usage = mergeUsage(usage, event.usage);
        // The first usage (Anthropic upstreams send it with message_start) goes into
        // message_start; waiting longer would only delay the client's first byte.
        if (phase === 'pending') writeStart(out);
        return out;
      case 'message-end':
        endMeta = event.meta;
        writeEnd(event, out);
        return out;
      case 'error':
        writeError(event.error, out);
        return out;
      default:
        return assertNever(event, 'IR event');
    }
  }

  return {
    push,
    end() {
      if (phase === 'done') return [];
      const out: SseMessage[] = [];
      writeEnd(undefined, out);
      return out;
    },
  };
}
