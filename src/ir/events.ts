/** The neutral stream: what stream decoders emit and stream encoders consume. */
import type { IrAnnotation } from './content.js';
import type { IrMeta, WireFormatId } from './meta.js';
import type { IrError, IrFinishReason, IrStatus } from './response.js';
import type { IrUsage } from './usage.js';

/**
 * One event of a neutral stream. Grammar (checked by `checkEvents`):
 * - `message-start` first; `message-end` or `error` last; nothing after.
 * - Each block is `*-start`, any number of its deltas, `*-end`, all with one `index`.
 * - Block indices are dense (0, 1, 2, ...) in order of their start event. Blocks may interleave.
 * - `usage` may appear anywhere between start and the end; each one is a cumulative snapshot:
 *   defined fields replace earlier values.
 * - A decoder whose input ends without the format's terminal event (the upstream closed early)
 *   ends its output with an `error` event (`upstream_protocol`, see `TRUNCATED_STREAM_ERROR`),
 *   so that encoders tell the client; blocks may still be open before an `error`.
 * - When an upstream's final event holds content its deltas did not (a `.done` text longer than
 *   the deltas), the decoder emits the missing part as a delta, so deltas alone rebuild the output.
 */
export type IrEvent =
  | { type: 'message-start'; id?: string; model?: string; createdAt?: number; meta?: IrMeta }
  | { type: 'text-start'; index: number; meta?: IrMeta }
  | { type: 'text-delta'; index: number; delta: string }
  | { type: 'text-annotation'; index: number; annotation: IrAnnotation }
  | { type: 'text-end'; index: number; meta?: IrMeta }
  | { type: 'refusal-start'; index: number; meta?: IrMeta }
  | { type: 'refusal-delta'; index: number; delta: string }
  | { type: 'refusal-end'; index: number; meta?: IrMeta }
  | { type: 'reasoning-start'; index: number; id?: string; meta?: IrMeta }
  | { type: 'reasoning-delta'; index: number; delta: string }
  | {
      type: 'reasoning-end';
      index: number;
      signature?: string;
      redactedData?: string;
      encryptedContent?: string;
      id?: string;
      meta?: IrMeta;
    }
  | {
      type: 'tool-call-start';
      index: number;
      callId: string;
      name: string;
      kind: 'function' | 'custom';
      meta?: IrMeta;
    }
  | { type: 'tool-call-delta'; index: number; delta: string }
  | { type: 'tool-call-end'; index: number; meta?: IrMeta }
  /** A whole block only its format understands; it takes a block index but has no start/end. */
  | { type: 'opaque'; index: number; format: WireFormatId; value: unknown }
  | { type: 'usage'; usage: IrUsage }
  | {
      type: 'message-end';
      finishReason: IrFinishReason;
      status?: IrStatus;
      stopSequence?: string;
      meta?: IrMeta;
    }
  | { type: 'error'; error: IrError };

/** The `type` of every IR event. */
export type IrEventType = IrEvent['type'];

/** The kinds of content block an event stream can open. */
export type IrBlockKind = 'text' | 'refusal' | 'reasoning' | 'tool-call';

/** The events that belong to one content block (they carry its `index`). */
export type IrBlockEvent = Extract<IrEvent, { index: number }>;

/** The events about the whole message. */
export type IrMessageEvent = Exclude<IrEvent, IrBlockEvent>;

/** True for events that belong to a content block. */
export function isBlockEvent(event: IrEvent): event is IrBlockEvent {
  return 'index' in event;
}
