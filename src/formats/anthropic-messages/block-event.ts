/** Neutral content-block events as the Anthropic stream encoder groups them into blocks. */
import type { IrBlockEvent } from '../../ir/events.js';
import { assertNever } from '../../util/assert-never.js';
import { FORMAT_ID } from './types.js';

/** The IR events that belong to one content block. */
export type BlockEvent = IrBlockEvent;

/** The kinds of block the encoder writes. */
export type BlockKind = 'text' | 'refusal' | 'reasoning' | 'tool-call' | 'opaque';

/** The kind of block an event belongs to. */
export function kindOf(event: BlockEvent): BlockKind {
  switch (event.type) {
    case 'text-start':
    case 'text-delta':
    case 'text-annotation':
    case 'text-end':
      return 'text';
    case 'refusal-start':
    case 'refusal-delta':
    case 'refusal-end':
      return 'refusal';
    case 'reasoning-start':
    case 'reasoning-delta':
    case 'reasoning-end':
      return 'reasoning';
    case 'tool-call-start':
    case 'tool-call-delta':
    case 'tool-call-end':
      return 'tool-call';
    case 'opaque':
      return 'opaque';
    default:
      return assertNever(event, 'block event');
  }
}

/** True for the event that opens a block (`*-start`, or a whole `opaque` block). */
export function isStart(event: BlockEvent): boolean {
  return event.type.endsWith('-start') || event.type === 'opaque';
}

/** The end event that closes a block the IR left open. */
export function syntheticEnd(kind: BlockKind, index: number): BlockEvent {
  switch (kind) {
    case 'text':
      return { type: 'text-end', index };
    case 'refusal':
      return { type: 'refusal-end', index };
    case 'reasoning':
      return { type: 'reasoning-end', index };
    case 'tool-call':
      return { type: 'tool-call-end', index };
    case 'opaque':
      return { type: 'opaque', index, format: FORMAT_ID, value: undefined };
    default:
      return assertNever(kind, 'block kind');
  }
}
