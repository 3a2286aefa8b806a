/** Numbers IR blocks and writes whole parts for the Responses stream decoder. */
import type { IrAssistantPart } from '../../ir/content.js';
import type { IrEvent } from '../../ir/events.js';
import { assertNever } from '../../util/assert-never.js';

/** Text to add so that what was emitted becomes `final` (nothing when it is not a prefix). */
export function catchUp(emitted: string, final: unknown): string {
  if (typeof final !== 'string' || final.length <= emitted.length) return '';
  return final.startsWith(emitted) ? final.slice(emitted.length) : '';
}

/** The one block of a reasoning or call item while it streams. */
export interface ItemBlock {
  block?: number;
  open: boolean;
  /** Text emitted for the whole block. */
  emitted: string;
  /** Reasoning: text emitted per part (`s0` summary, `c1` reasoning_text), in order. */
  segments: Map<string, string>;
}

/** Hands IR events on and gives blocks their indices, in order of appearance. */
export class BlockWriter {
  private next = 0;
  /** Whether a function or custom tool call was written (the finish reason depends on it). */
  hasToolCalls = false;

  constructor(readonly emit: (event: IrEvent) => void) {}

  /** The index of a new block. */
  open(): number {
    return this.next++;
  }

  /** A part seen only whole (a terminal `output` item, a retyped item) as one whole block. */
  whole(part: IrAssistantPart): void {
    const index = this.open();
    const emit = this.emit;
    const meta = part.type !== 'opaque' && part.meta ? { meta: part.meta } : {};
    switch (part.type) {
      case 'text':
        emit({ type: 'text-start', index, ...meta });
        if (part.text !== '') emit({ type: 'text-delta', index, delta: part.text });
        for (const annotation of part.annotations ?? []) {
          emit({ type: 'text-annotation', index, annotation });
        }
        emit({ type: 'text-end', index });
        return;
      case 'refusal':
        emit({ type: 'refusal-start', index, ...meta });
        if (part.text !== '') emit({ type: 'refusal-delta', index, delta: part.text });
        emit({ type: 'refusal-end', index });
        return;
      case 'reasoning': {
        const id = part.id !== undefined ? { id: part.id } : {};
        emit({ type: 'reasoning-start', index, ...id });
        if (part.text !== '') emit({ type: 'reasoning-delta', index, delta: part.text });
        emit({
          type: 'reasoning-end',
          index,
          ...(part.encryptedContent !== undefined
            ? { encryptedContent: part.encryptedContent }
            : {}),
          ...(part.signature !== undefined ? { signature: part.signature } : {}),
          ...(part.redactedData !== undefined ? { redactedData: part.redactedData } : {}),
          ...id,
          ...meta,
        });
        return;
      }
      case 'tool-call':
        this.hasToolCalls = true;
        emit({
          type: 'tool-call-start',
          index,
          callId: part.callId,
          name: part.name,
          kind: part.kind,
          ...meta,
        });
        if (part.arguments !== '') emit({ type: 'tool-call-delta', index, delta: part.arguments });
        emit({ type: 'tool-call-end', index });
        return;
      case 'opaque':
        emit({ type: 'opaque', index, format: part.format, value: part.value });
        return;
      default:
        assertNever(part, 'assistant part');
    }
  }
}
