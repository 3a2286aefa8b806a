/**
 * Writes IR blocks as the documented event sequences of Responses output items.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
import type { IrEvent } from '../../ir/events.js';
import type { IrMeta } from '../../ir/meta.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { getString, isRecord, type JsonObject } from '../../util/json.js';
import { encodeAnnotation } from './annotations.js';
import {
  type EncodeItemContext,
  encodeMessageShell,
  encodeOpaqueItem,
  encryptedContentOf,
  nativeItemExtras,
  reasoningLoss,
} from './encode-output.js';
import { readResponsesMeta } from './meta.js';
import type { ResponsesAnnotation } from './types.js';

type Status = 'completed' | 'incomplete';

/** IR events that open a block (an opaque block opens and ends at once). */
export type StartEvent = Extract<
  IrEvent,
  { type: 'text-start' | 'refusal-start' | 'reasoning-start' | 'tool-call-start' | 'opaque' }
>;

/** IR events inside a block. */
export type DeltaEvent = Extract<
  IrEvent,
  {
    type:
      | 'text-delta'
      | 'text-annotation'
      | 'refusal-delta'
      | 'reasoning-delta'
      | 'tool-call-delta';
  }
>;

/** IR events that end a block. */
export type EndEvent = Extract<
  IrEvent,
  { type: 'text-end' | 'refusal-end' | 'reasoning-end' | 'tool-call-end' }
>;

interface MessageState {
  item: JsonObject & { content: JsonObject[] };
  outputIndex: number;
  key: string | undefined;
}

type Block =
  | {
      kind: 'text' | 'refusal';
      part: JsonObject;
      contentIndex: number;
      annotations: ResponsesAnnotation[];
      meta: IrMeta | undefined;
    }
  | { kind: 'reasoning'; item: JsonObject; outputIndex: number; text: string; partOpen: boolean }
  | { kind: 'tool-call'; item: JsonObject; outputIndex: number; custom: boolean };

function mergeMeta(start: IrMeta | undefined, end: IrMeta | undefined): IrMeta | undefined {
  const a = readResponsesMeta(start);
  const b = readResponsesMeta(end);
  if (!a && !b) return undefined;
  return { 'openai-responses': { ...a, ...b } };
}

/**
 * Writes IR blocks as Responses item events through `write(type, fields)`, one block at a time,
 * keeping the output list the terminal event repeats. Consecutive text and refusal blocks share
 * one `message` item; `output_index` only grows and every `item_id` is its item's `id`.
 */
export class StreamItemEncoder {
  /** The output list so far (finished items and the open one). */
  readonly output: JsonObject[] = [];
  private message: MessageState | undefined;
  private block: Block | undefined;

  constructor(
    private readonly write: (type: string, fields: JsonObject) => void,
    private readonly context: EncodeItemContext,
    private readonly onWarning: ((warning: ConversionWarning) => void) | undefined,
  ) {}

  /** Whether a block is being written. */
  get busy(): boolean {
    return this.block !== undefined;
  }

  private addItem(item: JsonObject, streamed: JsonObject): number {
    const outputIndex = this.output.length;
    this.output.push(item);
    this.write('response.output_item.added', { output_index: outputIndex, item: streamed });
    return outputIndex;
  }

  private doneItem(outputIndex: number, item: JsonObject): void {
    this.output[outputIndex] = item;
    this.write('response.output_item.done', { output_index: outputIndex, item });
  }

  /** Ends the open message item, if any. */
  closeMessage(status: Status): void {
    const message = this.message;
    if (!message) return;
    this.message = undefined;
    message.item.status = status;
    this.doneItem(message.outputIndex, message.item);
  }

  /** Starts writing the block an IR start (or opaque) event opens. */
  start(event: StartEvent): void {
    switch (event.type) {
      case 'text-start':
      case 'refusal-start':
        this.startPart(event.type === 'text-start' ? 'text' : 'refusal', event.meta);
        return;
      case 'reasoning-start': {
        this.closeMessage('completed');
        const extras = nativeItemExtras(event.meta);
        const id = event.id ?? getString(extras ?? {}, 'id') ?? this.context.createId('rs_');
        const item: JsonObject = { ...extras, id, type: 'reasoning', summary: [] };
        const outputIndex = this.addItem(item, { ...item, summary: [] });
        this.block = { kind: 'reasoning', item, outputIndex, text: '', partOpen: false };
        return;
      }
      case 'tool-call-start': {
        this.closeMessage('completed');
        const custom = event.kind === 'custom';
        const extras = nativeItemExtras(event.meta);
        const id = getString(extras ?? {}, 'id') ?? this.context.createId(custom ? 'ctc_' : 'fc_');
        const item: JsonObject = custom
          ? {
              ...extras,
              id,
              type: 'custom_tool_call',
              call_id: event.callId,
              name: event.name,
              input: '',
            }
          : {
              ...extras,
              id,
              type: 'function_call',
              status: 'in_progress',
              arguments: '',
              call_id: event.callId,
              name: event.name,
            };
        const outputIndex = this.addItem(item, { ...item });
        this.block = { kind: 'tool-call', item, outputIndex, custom };
        return;
      }
      case 'opaque': {
        this.closeMessage('completed');
        const path = `content[${event.index}]`;
        const warnings: ConversionWarning[] = [];
        const item = encodeOpaqueItem(event.value, event.format, warnings, path);
        for (const warning of warnings) this.onWarning?.(warning);
        if (item) this.doneItem(this.addItem(item, item), item);
        return;
      }
      default:
        assertNever(event, 'IR start event');
    }
  }

  private startPart(kind: 'text' | 'refusal', meta: IrMeta | undefined): void {
    const extras = nativeItemExtras(meta);
    const key = extras ? getString(extras, 'id') : undefined;
    if (this.message && this.message.key !== key) this.closeMessage('completed');
    if (!this.message) {
      const shell = encodeMessageShell(meta, { ...this.context, ensureIds: true }, 'in_progress');
      const item = { ...shell, status: 'in_progress', content: [] as JsonObject[] };
      const outputIndex = this.addItem(item, { ...item, content: [] });
      this.message = { item, outputIndex, key };
    }
    const partExtras = readResponsesMeta(meta)?.part;
    const native = isRecord(partExtras) ? partExtras : undefined;
    const part: JsonObject =
      kind === 'text'
        ? { type: 'output_text', annotations: [], ...(native ?? { logprobs: [] }), text: '' }
        : { type: 'refusal', ...native, refusal: '' };
    const contentIndex = this.message.item.content.length;
    this.message.item.content.push(part);
    this.write('response.content_part.added', {
      ...this.partScope(contentIndex),
      part: { ...part },
    });
    this.block = { kind, part, contentIndex, annotations: [], meta };
  }

  private partScope(contentIndex: number): JsonObject {
    const message = this.message;
    return {
      item_id: message?.item.id,
      output_index: message?.outputIndex,
      content_index: contentIndex,
    };
  }

  /** Writes a delta (or annotation) of the open block. */
  delta(event: DeltaEvent): void {
    const block = this.block;
    if (!block) return;
    if (event.type === 'text-annotation' && block.kind === 'text') {
      const warnings: ConversionWarning[] = [];
      const annotation = encodeAnnotation(event.annotation, warnings, `content[${event.index}]`);
      for (const warning of warnings) this.onWarning?.(warning);
      // Annotations follow the text deltas in the documented order: held until the part ends.
      if (annotation) block.annotations.push(annotation);
      return;
    }
    if (event.type === 'text-annotation' || event.delta === '') return;
    const delta = event.delta;
    switch (block.kind) {
      case 'text':
        block.part.text = `${block.part.text as string}${delta}`;
        this.write('response.output_text.delta', {
          ...this.partScope(block.contentIndex),
          delta,
          logprobs: [],
        });
        return;
      case 'refusal':
        block.part.refusal = `${block.part.refusal as string}${delta}`;
        this.write('response.refusal.delta', { ...this.partScope(block.contentIndex), delta });
        return;
      case 'reasoning': {
        const scope = { item_id: block.item.id, output_index: block.outputIndex, summary_index: 0 };
        if (!block.partOpen) {
          block.partOpen = true;
          this.write('response.reasoning_summary_part.added', {
            ...scope,
            part: { type: 'summary_text', text: '' },
          });
        }
        block.text += delta;
        this.write('response.reasoning_summary_text.delta', { ...scope, delta });
        return;
      }
      case 'tool-call': {
        const field = block.custom ? 'input' : 'arguments';
        block.item[field] = `${block.item[field] as string}${delta}`;
        this.write(
          block.custom
            ? 'response.custom_tool_call_input.delta'
            : 'response.function_call_arguments.delta',
          { item_id: block.item.id, output_index: block.outputIndex, delta },
        );
        return;
      }
      default:
        assertNever(block, 'block');
    }
  }

  /** Ends the open block (with the end event's extras, or forced with `status`). */
  end(event: EndEvent | undefined, status: Status): void {
    const block = this.block;
    if (!block) return;
    this.block = undefined;
    switch (block.kind) {
      case 'text':
      case 'refusal':
        this.endPart(block, event?.meta);
        if (status === 'incomplete') this.closeMessage('incomplete');
        return;
      case 'reasoning': {
        const scope = { item_id: block.item.id, output_index: block.outputIndex, summary_index: 0 };
        if (block.partOpen) {
          this.write('response.reasoning_summary_text.done', { ...scope, text: block.text });
          this.write('response.reasoning_summary_part.done', {
            ...scope,
            part: { type: 'summary_text', text: block.text },
          });
        }
        const ended = event?.type === 'reasoning-end' ? event : undefined;
        const encrypted = ended ? encryptedContentOf(ended) : undefined;
        const loss = ended ? reasoningLoss(ended, `content[${ended.index}]`) : undefined;
        if (loss) this.onWarning?.(loss);
        const item: JsonObject = {
          ...block.item,
          summary: block.text === '' ? [] : [{ type: 'summary_text', text: block.text }],
          ...(encrypted !== undefined ? { encrypted_content: encrypted } : {}),
          ...(status === 'incomplete' ? { status } : {}),
        };
        this.doneItem(block.outputIndex, item);
        return;
      }
      case 'tool-call': {
        const item = block.item;
        const scope = { item_id: item.id, output_index: block.outputIndex };
        if (block.custom) {
          this.write('response.custom_tool_call_input.done', { ...scope, input: item.input });
        } else {
          this.write('response.function_call_arguments.done', {
            ...scope,
            name: item.name,
            arguments: item.arguments,
          });
          item.status = status;
        }
        this.doneItem(block.outputIndex, item);
        return;
      }
      default:
        assertNever(block, 'block');
    }
  }

  private endPart(
    block: Extract<Block, { kind: 'text' | 'refusal' }>,
    endMeta: IrMeta | undefined,
  ): void {
    const scope = this.partScope(block.contentIndex);
    const part = block.part;
    if (block.kind === 'text') {
      const annotations = part.annotations as ResponsesAnnotation[];
      for (const annotation of block.annotations) {
        this.write('response.output_text.annotation.added', {
          ...scope,
          annotation_index: annotations.length,
          annotation,
        });
        annotations.push(annotation);
      }
      this.write('response.output_text.done', { ...scope, text: part.text, logprobs: [] });
    } else {
      this.write('response.refusal.done', { ...scope, refusal: part.refusal });
    }
    const extras = readResponsesMeta(mergeMeta(block.meta, endMeta))?.part;
    if (isRecord(extras)) Object.assign(part, extras, { type: part.type });
    this.write('response.content_part.done', { ...scope, part });
  }
}
