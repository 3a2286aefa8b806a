/**
 * Decodes the output items of a Responses stream into IR blocks.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
import type { IrEvent } from '../../ir/events.js';
import { isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import type { DecodeStreamOptions } from '../format.js';
import { decodeOutputItem } from './decode-output.js';
import { BlockWriter, catchUp, type ItemBlock } from './decode-stream-blocks.js';
import {
  deltaOf,
  MessagePartDecoder,
  type PartBlock,
  partTypeOf,
} from './decode-stream-message.js';
import { ReasoningDecoder } from './decode-stream-reasoning.js';
import { responsesMeta } from './meta.js';
import { narrowCallItem } from './narrow.js';
import { FORMAT_ID, type ResponsesStreamEvent } from './types.js';

interface ItemState extends ItemBlock {
  type: string;
  item: JsonObject;
  done: boolean;
  /** Message: blocks by content_index. */
  parts: Array<PartBlock | undefined>;
}

/**
 * The item an event names when no `output_item.added` opened it (made only then: `stateFor`
 * runs for every delta).
 */
function placeholder(type: string, itemId: string | undefined): JsonObject {
  return itemId !== undefined ? { type, id: itemId } : { type };
}

/**
 * Turns item events into IR block events. Reasoning and call blocks open with their item;
 * message parts open with their content part; items of other types become one opaque block
 * at their `.done`. Final texts longer than the deltas become catch-up deltas.
 */
export class StreamItemDecoder {
  private readonly items: Array<ItemState | undefined> = [];
  private readonly blocks: BlockWriter;
  private readonly messages: MessagePartDecoder;
  private readonly reasoning: ReasoningDecoder;

  constructor(emit: (event: IrEvent) => void, options: DecodeStreamOptions | undefined) {
    this.blocks = new BlockWriter(emit);
    this.messages = new MessagePartDecoder(this.blocks, options);
    this.reasoning = new ReasoningDecoder(this.blocks);
  }

  /** Whether a function or custom tool call was emitted. */
  get hasToolCalls(): boolean {
    return this.blocks.hasToolCalls;
  }

  private stateFor(event: ResponsesStreamEvent, type: string): ItemState {
    const index = event.output_index;
    const itemId = event.item_id;
    if (index !== undefined && index >= 0)
      return this.items[index] ?? this.create(index, placeholder(type, itemId));
    for (let i = this.items.length - 1; i >= 0; i--) {
      const state = this.items[i];
      if (state && itemId !== undefined && state.item.id === itemId) return state;
    }
    return this.items[this.items.length - 1] ?? this.create(0, placeholder(type, itemId));
  }

  private create(index: number, item: JsonObject, done = false): ItemState {
    const type = typeof item.type === 'string' ? item.type : 'unknown';
    const state: ItemState = {
      type,
      item,
      done,
      parts: [],
      open: false,
      emitted: '',
      segments: new Map(),
    };
    this.items[index] = state;
    if (done) return state;
    if (type === 'reasoning') {
      this.reasoning.open(state, item);
    } else if (type === 'function_call' || type === 'custom_tool_call') {
      this.openCall(state);
    }
    return state;
  }

  private openCall(state: ItemState): void {
    const custom = state.type === 'custom_tool_call';
    const field = custom ? 'input' : 'arguments';
    const call = narrowCallItem(state.item) ?? {};
    state.block = this.blocks.open();
    state.open = true;
    this.blocks.hasToolCalls = true;
    this.blocks.emit({
      type: 'tool-call-start',
      index: state.block,
      callId: call.call_id ?? call.id ?? '',
      name: call.name ?? '',
      kind: custom ? 'custom' : 'function',
      meta: responsesMeta({
        item: omitKeys(state.item, ['type', 'call_id', 'name', field, 'status']),
      }),
    });
    this.callDelta(state, call[field] ?? '');
  }

  private callDelta(state: ItemState, delta: string): void {
    if (delta === '' || !state.open || state.block === undefined) return;
    state.emitted += delta;
    this.blocks.emit({ type: 'tool-call-delta', index: state.block, delta });
  }

  private partFor(event: ResponsesStreamEvent, kind: 'text' | 'refusal'): PartBlock | undefined {
    const state = this.stateFor(event, 'message');
    const contentIndex = event.content_index ?? Math.max(state.parts.length - 1, 0);
    return (
      state.parts[contentIndex] ??
      this.messages.open(state.parts, state.item, contentIndex, partTypeOf(kind))
    );
  }

  /** `response.output_item.added`. */
  added(event: ResponsesStreamEvent): void {
    const item = event.item;
    if (item === undefined) return;
    const index = event.output_index ?? this.items.length;
    const existing = this.items[index];
    if (existing && !existing.done) existing.item = item;
    else this.create(index, item);
  }

  /** `response.content_part.added` (message parts, and reasoning_text of reasoning items). */
  partAdded(event: ResponsesStreamEvent): void {
    const part = event.part;
    if (part === undefined) return;
    if (part.type === 'reasoning_text') {
      const segment = `c${event.content_index ?? 0}`;
      this.reasoning.done(this.stateFor(event, 'reasoning'), segment, part.text);
      return;
    }
    const state = this.stateFor(event, 'message');
    const contentIndex = event.content_index ?? state.parts.length;
    this.messages.open(state.parts, state.item, contentIndex, part);
  }

  /** `response.content_part.done`. */
  partDone(event: ResponsesStreamEvent): void {
    const part = event.part;
    if (part === undefined) return;
    if (part.type === 'reasoning_text') {
      this.segmentDone(event, `c${event.content_index ?? 0}`, part.text);
      return;
    }
    const state = this.stateFor(event, 'message');
    const contentIndex = event.content_index ?? Math.max(state.parts.length - 1, 0);
    const block =
      state.parts[contentIndex] ?? this.messages.open(state.parts, state.item, contentIndex, part);
    if (block) this.messages.close(state.item, block, part);
  }

  /** `response.output_text.delta` / `response.refusal.delta`. */
  textDelta(event: ResponsesStreamEvent, kind: 'text' | 'refusal'): void {
    const block = this.partFor(event, kind);
    if (block) this.messages.text(block, deltaOf(event));
  }

  /** `response.output_text.done` / `response.refusal.done`. */
  textDone(event: ResponsesStreamEvent, kind: 'text' | 'refusal'): void {
    const block = this.partFor(event, kind);
    if (block) this.messages.text(block, catchUp(block.emitted, event[kind]));
  }

  /** `response.output_text.annotation.added`. */
  annotation(event: ResponsesStreamEvent): void {
    const block = this.partFor(event, 'text');
    if (block) this.messages.annotation(block, event.annotation);
  }

  /** `response.reasoning_summary_part.added`. */
  summaryPartAdded(event: ResponsesStreamEvent): void {
    const state = this.stateFor(event, 'reasoning');
    const segment = `s${event.summary_index ?? 0}`;
    const part = event.part ?? {};
    this.reasoning.done(state, segment, part.text);
  }

  /** `response.reasoning_summary_text.delta` (`s`) / `response.reasoning_text.delta` (`c`). */
  segmentDelta(event: ResponsesStreamEvent, segment: 's' | 'c'): void {
    const position = (segment === 's' ? event.summary_index : event.content_index) ?? 0;
    this.reasoning.delta(
      this.stateFor(event, 'reasoning'),
      `${segment}${position}`,
      deltaOf(event),
    );
  }

  /** The `.done` events of reasoning parts: catch up with their final text. */
  segmentDone(event: ResponsesStreamEvent, segment: string, text: unknown): void {
    this.reasoning.done(this.stateFor(event, 'reasoning'), segment, text);
  }

  /** `function_call_arguments.delta` / `custom_tool_call_input.delta`. */
  callDeltaEvent(event: ResponsesStreamEvent, type: 'function_call' | 'custom_tool_call'): void {
    this.callDelta(this.stateFor(event, type), deltaOf(event));
  }

  /** `function_call_arguments.done` / `custom_tool_call_input.done`. */
  callDoneEvent(event: ResponsesStreamEvent, type: 'function_call' | 'custom_tool_call'): void {
    const state = this.stateFor(event, type);
    this.callDelta(
      state,
      catchUp(state.emitted, event[type === 'function_call' ? 'arguments' : 'input']),
    );
  }

  /** `response.output_item.done`: the authoritative item closes (or wholly makes) its blocks. */
  done(event: ResponsesStreamEvent): void {
    const item = event.item;
    if (item === undefined) return;
    const index = event.output_index ?? this.items.length;
    const state = this.items[index] ?? this.create(index, item);
    if (!state.done) this.finish(state, item);
  }

  private finish(state: ItemState, item: JsonObject): void {
    state.done = true;
    state.item = item;
    if (item.type !== state.type && state.type !== 'unknown') {
      // The final item is of another type than announced: trust the final one, whole.
      this.closeOpen(state);
      this.whole(item);
      return;
    }
    switch (state.type) {
      case 'message':
        this.messages.finish(state.parts, item);
        return;
      case 'reasoning':
        this.reasoning.finish(state, item);
        return;
      case 'function_call':
      case 'custom_tool_call': {
        const field = state.type === 'custom_tool_call' ? 'input' : 'arguments';
        this.callDelta(state, catchUp(state.emitted, item[field]));
        state.open = false;
        this.blocks.emit({
          type: 'tool-call-end',
          index: state.block ?? 0,
          meta: responsesMeta({ item: omitKeys(item, ['type', 'call_id', 'name', field]) }),
        });
        return;
      }
      default:
        this.blocks.emit({
          type: 'opaque',
          index: this.blocks.open(),
          format: FORMAT_ID,
          value: item,
        });
    }
  }

  private closeOpen(state: ItemState): void {
    this.messages.closeAll(state.parts, state.item);
    if (!state.open || state.block === undefined) return;
    state.open = false;
    const type = state.type === 'reasoning' ? 'reasoning-end' : 'tool-call-end';
    this.blocks.emit({ type, index: state.block });
  }

  private whole(item: JsonObject): void {
    for (const part of decodeOutputItem(item, { unpackOpaque: true })) this.blocks.whole(part);
  }

  /**
   * At the terminal event: items never streamed come from a consistent terminal `output`
   * (filling gaps only), unfinished ones take their final item from it, or close with what
   * they hold.
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
          this.create(index, item, true);
          this.whole(item);
        }
      } else if (!state.done) {
        if (isRecord(item)) this.finish(state, item);
        else this.abandon(state);
      }
    }
  }

  /** An item the stream never finished: its blocks close with what they hold. */
  private abandon(state: ItemState): void {
    state.done = true;
    if (state.type === 'message' || state.block !== undefined) this.closeOpen(state);
    else
      this.blocks.emit({
        type: 'opaque',
        index: this.blocks.open(),
        format: FORMAT_ID,
        value: state.item,
      });
  }
}
