/** Decodes the content parts of streamed `message` items into IR text and refusal blocks. */
import { isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import type { DecodeStreamOptions } from '../format.js';
import { decodeAnnotation } from './annotations.js';
import { type BlockWriter, catchUp } from './decode-stream-blocks.js';
import { responsesMeta } from './meta.js';
import type { ResponsesStreamEvent } from './types.js';

/** One content part being streamed. */
export interface PartBlock {
  block: number;
  kind: 'text' | 'refusal';
  emitted: string;
  annotations: number;
  open: boolean;
}

/** Fields of a message item kept in meta; `status` is left out, it is not final yet. */
function messageExtras(item: JsonObject): JsonObject {
  return omitKeys(item, ['type', 'content', 'status']);
}

/** Writes the parts of message items (their state lives in the item decoder). */
export class MessagePartDecoder {
  constructor(
    private readonly blocks: BlockWriter,
    private readonly options: DecodeStreamOptions | undefined,
  ) {}

  /** Opens the block of a part (or returns it when open); unknown part types are skipped. */
  open(
    parts: Array<PartBlock | undefined>,
    item: JsonObject,
    contentIndex: number,
    part: JsonObject,
  ): PartBlock | undefined {
    const existing = parts[contentIndex];
    if (existing) return existing;
    const kind =
      part.type === 'refusal' ? 'refusal' : part.type === 'output_text' ? 'text' : undefined;
    if (kind === undefined) {
      this.options?.onWarning?.({
        code: 'dropped',
        message: `Skipped a message content part of type "${String(part.type)}"`,
      });
      return undefined;
    }
    const block: PartBlock = {
      block: this.blocks.open(),
      kind,
      emitted: '',
      annotations: 0,
      open: true,
    };
    parts[contentIndex] = block;
    this.blocks.emit({
      type: kind === 'text' ? 'text-start' : 'refusal-start',
      index: block.block,
      meta: responsesMeta({ item: messageExtras(item) }),
    });
    this.text(block, catchUp('', kind === 'text' ? part.text : part.refusal));
    if (kind === 'text') this.annotations(block, part.annotations);
    return block;
  }

  /** Writes a text (or refusal) delta. */
  text(block: PartBlock, delta: string): void {
    if (delta === '' || !block.open) return;
    block.emitted += delta;
    this.blocks.emit({
      type: block.kind === 'text' ? 'text-delta' : 'refusal-delta',
      index: block.block,
      delta,
    });
  }

  /** Writes the annotations of a final list that were not written yet. */
  annotations(block: PartBlock, annotations: unknown): void {
    if (!Array.isArray(annotations) || !block.open) return;
    for (let i = block.annotations; i < annotations.length; i++)
      this.annotation(block, annotations[i]);
  }

  /** Writes one annotation. */
  annotation(block: PartBlock, annotation: unknown): void {
    if (!block.open || block.kind !== 'text') return;
    block.annotations++;
    this.blocks.emit({
      type: 'text-annotation',
      index: block.block,
      annotation: decodeAnnotation(annotation),
    });
  }

  /** Closes a part, catching up with its final form when there is one. */
  close(item: JsonObject, block: PartBlock, part: JsonObject | undefined): void {
    if (!block.open) return;
    if (part) {
      this.text(block, catchUp(block.emitted, block.kind === 'text' ? part.text : part.refusal));
      if (block.kind === 'text') this.annotations(block, part.annotations);
    }
    block.open = false;
    const fields = block.kind === 'text' ? ['type', 'text', 'annotations'] : ['type', 'refusal'];
    this.blocks.emit({
      type: block.kind === 'text' ? 'text-end' : 'refusal-end',
      index: block.block,
      meta: responsesMeta({
        item: messageExtras(item),
        ...(part ? { part: omitKeys(part, fields) } : {}),
      }),
    });
  }

  /** The message's `.done`: its final parts close (or wholly produce) their blocks. */
  finish(parts: Array<PartBlock | undefined>, item: JsonObject): void {
    const content = Array.isArray(item.content) ? item.content : [];
    content.forEach((part, contentIndex) => {
      if (!isRecord(part)) return;
      const block =
        parts[contentIndex] ?? this.open(parts, item, contentIndex, { type: part.type });
      if (block) this.close(item, block, part);
    });
    this.closeAll(parts, item);
  }

  /** Closes every part still open, with what it holds. */
  closeAll(parts: Array<PartBlock | undefined>, item: JsonObject): void {
    for (const block of parts) if (block?.open) this.close(item, block, undefined);
  }
}

/** The type a text event's part has (for parts that were never announced). */
export function partTypeOf(kind: 'text' | 'refusal'): JsonObject {
  return { type: kind === 'text' ? 'output_text' : 'refusal' };
}

/** Reads `delta` of an event. */
export function deltaOf(event: ResponsesStreamEvent): string {
  return event.delta ?? '';
}
