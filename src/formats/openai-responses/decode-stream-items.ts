/**
 * The item half of the Responses stream decoder: output items and their content parts as IR
 * blocks. Items are addressed by `output_index` (item ids may rotate between events, as GitHub
 * Copilot's do); block indices are dense, in order of appearance. Final `.done` events that hold
 * more text than the deltas gave are turned into catch-up deltas.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
import type { IrAssistantPart } from '../../ir/content.js';
import type { IrEvent } from '../../ir/events.js';
import { assertNever } from '../../util/assert-never.js';
import { getNumber, getString, isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import type { DecodeStreamOptions } from '../format.js';
import { decodeAnnotation } from './annotations.js';
import { decodeOutputItem, REASONING_SEPARATOR } from './decode-output.js';
import { responsesMeta } from './meta.js';
import { FORMAT_ID } from './types.js';

interface PartBlock {
  block: number;
  kind: 'text' | 'refusal';
  emitted: string;
  annotations: number;
  open: boolean;
}

interface ItemState {
  type: string;
  item: JsonObject;
  done: boolean;
  /** Message: blocks by content_index. */
  parts: Array<PartBlock | undefined>;
  /** Reasoning and calls: the item's one block. */
  block?: number;
  open: boolean;
  /** Reasoning and calls: text emitted for the whole block. */
  emitted: string;
  /** Reasoning: text emitted per segment (`s0`, `c1`), in order of appearance. */
  segments?: Map<string, string>;
}

/** Fields of a message item kept in meta; `status` is left out, it is not final yet. */
function messageExtras(item: JsonObject): JsonObject {
  return omitKeys(item, ['type', 'content', 'status']);
}

/** Text to add so that what was emitted becomes `final` (nothing when it is not a prefix). */
function catchUp(emitted: string, final: unknown): string {
  if (typeof final !== 'string' || final.length <= emitted.length) return '';
  return final.startsWith(emitted) ? final.slice(emitted.length) : '';
}

/** Turns item events into IR block events, handed to `emit`. */
export class StreamItemDecoder {
  private readonly items: Array<ItemState | undefined> = [];
  private nextBlock = 0;
  /** Whether a function or custom tool call was emitted (the finish reason depends on it). */
  hasToolCalls = false;

  constructor(
    private readonly emit: (event: IrEvent) => void,
    private readonly options: DecodeStreamOptions | undefined,
  ) {}

  private stateFor(event: JsonObject, type: string): ItemState {
    const index = getNumber(event, 'output_index');
    if (index !== undefined && index >= 0) {
      return this.items[index] ?? this.create(index, { type, ...itemIdOf(event) });
    }
    const itemId = getString(event, 'item_id');
    for (let i = this.items.length - 1; i >= 0; i--) {
      const state = this.items[i];
      if (state && itemId !== undefined && state.item.id === itemId) return state;
    }
    return this.items[this.items.length - 1] ?? this.create(0, { type, ...itemIdOf(event) });
  }

  private create(index: number, item: JsonObject): ItemState {
    const type = typeof item.type === 'string' ? item.type : 'unknown';
    const state: ItemState = { type, item, done: false, parts: [], open: false, emitted: '' };
    this.items[index] = state;
    if (type === 'reasoning') this.openReasoning(state);
    if (type === 'function_call' || type === 'custom_tool_call') this.openCall(state);
    return state;
  }

  private openReasoning(state: ItemState): void {
    const block = this.nextBlock++;
    const id = getString(state.item, 'id');
    state.block = block;
    state.open = true;
    state.segments = new Map();
    this.emit({ type: 'reasoning-start', index: block, ...(id !== undefined ? { id } : {}) });
  }

  private openCall(state: ItemState): void {
    const block = this.nextBlock++;
    const custom = state.type === 'custom_tool_call';
    const field = custom ? 'input' : 'arguments';
    state.block = block;
    state.open = true;
    this.hasToolCalls = true;
    this.emit({
      type: 'tool-call-start',
      index: block,
      callId: getString(state.item, 'call_id') ?? getString(state.item, 'id') ?? '',
      name: getString(state.item, 'name') ?? '',
      kind: custom ? 'custom' : 'function',
      meta: responsesMeta({
        item: omitKeys(state.item, ['type', 'call_id', 'name', field, 'status']),
      }),
    });
    this.callDelta(state, getString(state.item, field) ?? '');
  }

  private callDelta(state: ItemState, delta: string): void {
    if (delta === '' || !state.open || state.block === undefined) return;
    state.emitted += delta;
    this.emit({ type: 'tool-call-delta', index: state.block, delta });
  }

  private reasoningDelta(state: ItemState, segment: string, delta: string): void {
    if (!state.open || state.block === undefined || !state.segments) return;
    const before = state.segments.get(segment);
    if (before === undefined) {
      // A new summary or reasoning_text part: a blank line separates it from the previous one.
      if (state.segments.size > 0) this.emitReasoning(state, REASONING_SEPARATOR);
      state.segments.set(segment, '');
    }
    if (delta === '') return;
    state.segments.set(segment, (before ?? '') + delta);
    this.emitReasoning(state, delta);
  }

  private emitReasoning(state: ItemState, delta: string): void {
    state.emitted += delta;
    this.emit({ type: 'reasoning-delta', index: state.block ?? 0, delta });
  }

  added(event: JsonObject): void {
    const item = event.item;
    if (!isRecord(item)) return;
    const index = getNumber(event, 'output_index') ?? this.items.length;
    const existing = this.items[index];
    if (existing && !existing.done) {
      existing.item = item;
      return;
    }
    this.create(index, item);
  }

  partAdded(event: JsonObject): void {
    const part = event.part;
    if (!isRecord(part)) return;
    if (part.type === 'reasoning_text') {
      const state = this.stateFor(event, 'reasoning');
      this.reasoningDelta(
        state,
        `c${getNumber(event, 'content_index') ?? 0}`,
        getString(part, 'text') ?? '',
      );
      return;
    }
    const state = this.stateFor(event, 'message');
    const contentIndex = getNumber(event, 'content_index') ?? state.parts.length;
    this.openPart(state, contentIndex, part);
  }

  private openPart(
    state: ItemState,
    contentIndex: number,
    part: JsonObject,
  ): PartBlock | undefined {
    const existing = state.parts[contentIndex];
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
      block: this.nextBlock++,
      kind,
      emitted: '',
      annotations: 0,
      open: true,
    };
    state.parts[contentIndex] = block;
    const meta = responsesMeta({ item: messageExtras(state.item) });
    this.emit({ type: kind === 'text' ? 'text-start' : 'refusal-start', index: block.block, meta });
    this.partText(block, catchUp('', kind === 'text' ? part.text : part.refusal));
    if (kind === 'text') this.partAnnotations(block, part.annotations);
    return block;
  }

  private partFor(event: JsonObject, kind: 'text' | 'refusal'): PartBlock | undefined {
    const state = this.stateFor(event, 'message');
    const contentIndex = getNumber(event, 'content_index') ?? Math.max(state.parts.length - 1, 0);
    const part = state.parts[contentIndex];
    if (part) return part;
    return this.openPart(state, contentIndex, {
      type: kind === 'text' ? 'output_text' : 'refusal',
    });
  }

  private partText(block: PartBlock, delta: string): void {
    if (delta === '' || !block.open) return;
    block.emitted += delta;
    this.emit({
      type: block.kind === 'text' ? 'text-delta' : 'refusal-delta',
      index: block.block,
      delta,
    });
  }

  private partAnnotations(block: PartBlock, annotations: unknown): void {
    if (!Array.isArray(annotations) || !block.open) return;
    for (let i = block.annotations; i < annotations.length; i++) {
      this.emit({
        type: 'text-annotation',
        index: block.block,
        annotation: decodeAnnotation(annotations[i]),
      });
    }
    block.annotations = Math.max(block.annotations, annotations.length);
  }

  private closePart(state: ItemState, block: PartBlock, part: JsonObject | undefined): void {
    if (!block.open) return;
    if (part) {
      this.partText(
        block,
        catchUp(block.emitted, block.kind === 'text' ? part.text : part.refusal),
      );
      if (block.kind === 'text') this.partAnnotations(block, part.annotations);
    }
    block.open = false;
    const partExtras = part
      ? omitKeys(
          part,
          block.kind === 'text' ? ['type', 'text', 'annotations'] : ['type', 'refusal'],
        )
      : undefined;
    this.emit({
      type: block.kind === 'text' ? 'text-end' : 'refusal-end',
      index: block.block,
      meta: responsesMeta({
        item: messageExtras(state.item),
        ...(partExtras ? { part: partExtras } : {}),
      }),
    });
  }

  textDelta(event: JsonObject, kind: 'text' | 'refusal'): void {
    const block = this.partFor(event, kind);
    if (block) this.partText(block, getString(event, 'delta') ?? '');
  }

  textDone(event: JsonObject, kind: 'text' | 'refusal'): void {
    const block = this.partFor(event, kind);
    if (block)
      this.partText(block, catchUp(block.emitted, event[kind === 'text' ? 'text' : 'refusal']));
  }

  annotation(event: JsonObject): void {
    const block = this.partFor(event, 'text');
    if (!block?.open) return;
    block.annotations++;
    this.emit({
      type: 'text-annotation',
      index: block.block,
      annotation: decodeAnnotation(event.annotation),
    });
  }

  partDone(event: JsonObject): void {
    const part = event.part;
    if (!isRecord(part)) return;
    if (part.type === 'reasoning_text') {
      this.segmentDone(event, `c${getNumber(event, 'content_index') ?? 0}`, part.text);
      return;
    }
    const state = this.stateFor(event, 'message');
    const contentIndex = getNumber(event, 'content_index') ?? Math.max(state.parts.length - 1, 0);
    const block = state.parts[contentIndex] ?? this.openPart(state, contentIndex, part);
    if (block) this.closePart(state, block, part);
  }

  segmentDelta(event: JsonObject, segment: 's' | 'c'): void {
    const state = this.stateFor(event, 'reasoning');
    const position = getNumber(event, segment === 's' ? 'summary_index' : 'content_index') ?? 0;
    this.reasoningDelta(state, `${segment}${position}`, getString(event, 'delta') ?? '');
  }

  segmentDone(event: JsonObject, segment: string, text: unknown): void {
    const state = this.stateFor(event, 'reasoning');
    const emitted = state.segments?.get(segment) ?? '';
    this.reasoningDelta(state, segment, catchUp(emitted, text));
  }

  summaryPartAdded(event: JsonObject): void {
    const part = isRecord(event.part) ? event.part : {};
    const state = this.stateFor(event, 'reasoning');
    const segment = `s${getNumber(event, 'summary_index') ?? 0}`;
    this.reasoningDelta(state, segment, catchUp(state.segments?.get(segment) ?? '', part.text));
  }

  callDeltaEvent(event: JsonObject, type: 'function_call' | 'custom_tool_call'): void {
    this.callDelta(this.stateFor(event, type), getString(event, 'delta') ?? '');
  }

  callDoneEvent(event: JsonObject, type: 'function_call' | 'custom_tool_call'): void {
    const state = this.stateFor(event, type);
    this.callDelta(
      state,
      catchUp(state.emitted, event[type === 'function_call' ? 'arguments' : 'input']),
    );
  }

  /** `output_item.done`: the authoritative item closes (or wholly produces) its blocks. */
  done(event: JsonObject): void {
    const item = event.item;
    if (!isRecord(item)) return;
    const index = getNumber(event, 'output_index') ?? this.items.length;
    const state = this.items[index] ?? this.create(index, item);
    if (state.done) return;
    this.finish(state, item);
  }

  private finish(state: ItemState, item: JsonObject): void {
    state.done = true;
    state.item = item;
    if (item.type !== state.type && !(state.type === 'unknown')) {
      // The final item is of another type than announced: trust the final one, whole.
      this.closeOpen(state);
      this.emitWhole(item);
      return;
    }
    switch (state.type) {
      case 'message':
        this.finishMessage(state, item);
        return;
      case 'reasoning':
        this.finishReasoning(state, item);
        return;
      case 'function_call':
      case 'custom_tool_call':
        this.finishCall(state, item);
        return;
      default:
        this.emit({ type: 'opaque', index: this.nextBlock++, format: FORMAT_ID, value: item });
    }
  }

  private finishMessage(state: ItemState, item: JsonObject): void {
    const content = Array.isArray(item.content) ? item.content : [];
    content.forEach((part, contentIndex) => {
      if (!isRecord(part)) return;
      const block =
        state.parts[contentIndex] ?? this.openPart(state, contentIndex, { type: part.type });
      if (block) this.closePart(state, block, part);
    });
    for (const block of state.parts) if (block?.open) this.closePart(state, block, undefined);
  }

  private finishReasoning(state: ItemState, item: JsonObject): void {
    const summary = Array.isArray(item.summary) ? item.summary : [];
    const content = Array.isArray(item.content) ? item.content : [];
    const texts = [...summary, ...content].map((part) =>
      isRecord(part) ? (getString(part, 'text') ?? '') : '',
    );
    if (state.open) {
      const delta = catchUp(state.emitted, texts.join(REASONING_SEPARATOR));
      if (delta !== '') this.emitReasoning(state, delta);
    }
    // Decoded as a whole item for its meta, and to unpack values ccproxy packed itself.
    const decoded = decodeOutputItem(item, { unpackOpaque: true })[0];
    const part = decoded?.type === 'reasoning' ? decoded : undefined;
    state.open = false;
    this.emit({
      type: 'reasoning-end',
      index: state.block ?? 0,
      ...(part?.encryptedContent !== undefined ? { encryptedContent: part.encryptedContent } : {}),
      ...(part?.signature !== undefined ? { signature: part.signature } : {}),
      ...(part?.redactedData !== undefined ? { redactedData: part.redactedData } : {}),
      ...(part?.id !== undefined ? { id: part.id } : {}),
      ...(part?.meta ? { meta: part.meta } : {}),
    });
  }

  private finishCall(state: ItemState, item: JsonObject): void {
    const field = state.type === 'custom_tool_call' ? 'input' : 'arguments';
    this.callDelta(state, catchUp(state.emitted, item[field]));
    state.open = false;
    this.emit({
      type: 'tool-call-end',
      index: state.block ?? 0,
      meta: responsesMeta({ item: omitKeys(item, ['type', 'call_id', 'name', field]) }),
    });
  }

  /** An item the stream never finished: its blocks close with what they hold. */
  private abandon(state: ItemState): void {
    state.done = true;
    if (state.type === 'message' || state.block !== undefined) {
      this.closeOpen(state);
      return;
    }
    this.emit({ type: 'opaque', index: this.nextBlock++, format: FORMAT_ID, value: state.item });
  }

  private closeOpen(state: ItemState): void {
    for (const block of state.parts) if (block?.open) this.closePart(state, block, undefined);
    if (!state.open || state.block === undefined) return;
    state.open = false;
    if (state.type === 'reasoning') this.emit({ type: 'reasoning-end', index: state.block });
    else this.emit({ type: 'tool-call-end', index: state.block });
  }

  /** An item seen only whole (in a terminal `output`, or retyped at `.done`) as IR blocks. */
  private emitWhole(item: JsonObject): void {
    for (const part of decodeOutputItem(item, { unpackOpaque: true })) this.emitPart(part);
  }

  private emitPart(part: IrAssistantPart): void {
    const index = this.nextBlock++;
    switch (part.type) {
      case 'text':
        this.emit({ type: 'text-start', index, ...(part.meta ? { meta: part.meta } : {}) });
        if (part.text !== '') this.emit({ type: 'text-delta', index, delta: part.text });
        for (const annotation of part.annotations ?? [])
          this.emit({ type: 'text-annotation', index, annotation });
        this.emit({ type: 'text-end', index });
        return;
      case 'refusal':
        this.emit({ type: 'refusal-start', index, ...(part.meta ? { meta: part.meta } : {}) });
        if (part.text !== '') this.emit({ type: 'refusal-delta', index, delta: part.text });
        this.emit({ type: 'refusal-end', index });
        return;
      case 'reasoning':
        this.emit({
          type: 'reasoning-start',
          index,
          ...(part.id !== undefined ? { id: part.id } : {}),
        });
        if (part.text !== '') this.emit({ type: 'reasoning-delta', index, delta: part.text });
        this.emit({
          type: 'reasoning-end',
          index,
          ...(part.encryptedContent !== undefined
            ? { encryptedContent: part.encryptedContent }
            : {}),
          ...(part.id !== undefined ? { id: part.id } : {}),
          ...(part.meta ? { meta: part.meta } : {}),
        });
        return;
      case 'tool-call':
        this.hasToolCalls = true;
        this.emit({
          type: 'tool-call-start',
          index,
          callId: part.callId,
          name: part.name,
          kind: part.kind,
          ...(part.meta ? { meta: part.meta } : {}),
        });
        if (part.arguments !== '')
          this.emit({ type: 'tool-call-delta', index, delta: part.arguments });
        this.emit({ type: 'tool-call-end', index });
        return;
      case 'opaque':
        this.emit({ type: 'opaque', index, format: part.format, value: part.value });
        return;
      default:
        assertNever(part, 'assistant part');
    }
  }

  /**
   * At the terminal event: items never streamed come from a consistent terminal `output`
   * (filling gaps only), unfinished ones take their final item from it, the rest are closed.
   */
  finishAll(output: unknown): void {
    const final = Array.isArray(output) ? output : [];
    const consistent = this.items.every((state, index) => {
      const item = final[index];
      return !state || final.length === 0 || (isRecord(item) && item.type === state.item.type);
    });
    const length = Math.max(this.items.length, consistent ? final.length : 0);
    for (let index = 0; index < length; index++) {
      const state = this.items[index];
      const item = consistent ? final[index] : undefined;
      if (!state) {
        if (isRecord(item)) {
          this.items[index] = {
            type: String(item.type),
            item,
            done: true,
            parts: [],
            open: false,
            emitted: '',
          };
          this.emitWhole(item);
        }
      } else if (!state.done) {
        if (isRecord(item)) this.finish(state, item);
        else this.abandon(state);
      }
    }
  }
}

function itemIdOf(event: JsonObject): JsonObject {
  const itemId = getString(event, 'item_id');
  return itemId !== undefined ? { id: itemId } : {};
}
