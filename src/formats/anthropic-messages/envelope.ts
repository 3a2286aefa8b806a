/**
 * The message envelope (everything but `content`): folding a `message_delta` into it the way the
 * official SDK's MessageStream does, and decoding it into neutral fields. Shared by the
 * non-streaming decoder, the stream decoder and the native accumulator, so all three agree.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming#event-types
 */
import type { IrMeta } from '../../ir/meta.js';
import type { IrFinishReason } from '../../ir/response.js';
import type { IrUsage } from '../../ir/usage.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import type { AnswerOutcome } from '../format.js';
import { decodeStopReason } from './finish-reason.js';
import { extrasOf, makeMeta } from './meta.js';
import { narrowMessage } from './narrow.js';
import type { AnthropicStreamEvent } from './types.js';
import { decodeUsage } from './usage.js';

/** Message fields the decoders map; every other top-level field is kept in meta. */
export const MESSAGE_KEYS = [
  'id',
  'type',
  'role',
  'model',
  'content',
  'stop_reason',
  'stop_sequence',
  'usage',
] as const;

/** Delta fields set even when `null` (the SDK assigns them unconditionally). */
const ALWAYS_SET = new Set(['stop_reason', 'stop_sequence', 'stop_details']);

/**
 * Folds a `message_delta` event into `envelope`, in place: `stop_reason`, `stop_sequence` and
 * `stop_details` are set; other delta fields (`container`, ...) and top-level fields
 * (`context_management`) only when non-null; usage counters are cumulative, so each non-null one
 * overwrites (never adds) the earlier value.
 */
export function applyMessageDelta(envelope: JsonObject, event: AnthropicStreamEvent): void {
  const delta = event.delta;
  if (delta !== undefined) {
    for (const [key, value] of Object.entries(delta)) {
      if (ALWAYS_SET.has(key) || (value !== null && value !== undefined)) envelope[key] = value;
    }
  }
  const usage = event.usage;
  if (usage !== undefined) {
    const target = isRecord(envelope.usage) ? envelope.usage : {};
    for (const [key, value] of Object.entries(usage)) {
      if (value !== null && value !== undefined) target[key] = value;
    }
    envelope.usage = target;
  }
  for (const [key, value] of Object.entries(event)) {
    if (key === 'type' || key === 'delta' || key === 'usage') continue;
    if (value !== null && value !== undefined) envelope[key] = value;
  }
}

/** The neutral fields of an envelope. */
export interface DecodedEnvelope {
  id: string;
  model: string;
  finishReason: IrFinishReason;
  stopSequence: string | undefined;
  usage: IrUsage;
  /** `stopReason` (raw), `usage` extras and unknown top-level fields (`extra`). */
  meta: IrMeta | undefined;
}

/** Decodes an envelope (a Message, with or without its content). */
export function decodeEnvelope(message: JsonObject): DecodedEnvelope {
  // Mapped fields are read typed; the raw stop reason and the extras come as they came.
  const read = narrowMessage(message) ?? {};
  const usage = decodeUsage(read.usage ?? {});
  return {
    id: read.id ?? '',
    model: read.model ?? '',
    finishReason: decodeStopReason(message.stop_reason),
    stopSequence: read.stop_sequence,
    usage: usage.usage,
    meta: makeMeta({
      stopReason: message.stop_reason,
      usage: usage.extras,
      extra: extrasOf(message, MESSAGE_KEYS),
    }),
  };
}

/**
 * The usage and finish reason `decodeEnvelope` gives a Message, without its ids and meta (a
 * same-format route forwards the Message as it came). A Message never reports a failure.
 */
export function readEnvelopeOutcome(message: JsonObject): AnswerOutcome {
  const read = narrowMessage(message) ?? {};
  return {
    usage: decodeUsage(read.usage ?? {}).usage,
    finishReason: decodeStopReason(message.stop_reason),
  };
}
