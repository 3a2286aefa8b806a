/** Keeps the output list the native accumulator rebuilds from item and delta events. */
import { isRecord, type JsonObject } from '../../util/json.js';
import type { ResponsesStreamEvent } from './types.js';

interface Slot {
  /** The item; `undefined` while only the text of an `output_item.done` item is kept. */
  item: JsonObject | undefined;
  /** That text (`doneText`), until the item is read. */
  text: string | undefined;
  done: boolean;
}

/** A slot whose item has been read. */
interface ReadSlot extends Slot {
  item: JsonObject;
}

/** The slot with its item, read from its text the first time (the text is then let go). */
function read(slot: Slot): ReadSlot {
  if (slot.item === undefined) {
    slot.item = JSON.parse(slot.text ?? '{}') as JsonObject;
    slot.text = undefined;
  }
  return slot as ReadSlot;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Rebuilds `response.output` from stream events: items keyed by `output_index` (never by
 * `item_id`, which some providers rotate), filled by content, text, reasoning and argument
 * events, replaced by `output_item.done`. Each delta costs O(its size).
 */
export class OutputBuilder {
  private readonly slots: Array<Slot | undefined> = [];

  /** Number of slots (the highest `output_index` seen plus one). */
  get length(): number {
    return this.slots.length;
  }

  /** The slot an item event addresses: by `output_index`, else by `item_id`, else the last. */
  private slotFor(event: ResponsesStreamEvent, fallbackType: string): ReadSlot {
    const index = event.output_index;
    if (index !== undefined && index >= 0) {
      const slot = this.slots[index];
      if (slot) return read(slot);
      return this.create(index, fallbackType, event);
    }
    const itemId = event.item_id;
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const slot = this.slots[i];
      if (slot && itemId !== undefined && read(slot).item.id === itemId) return read(slot);
    }
    const last = this.slots[this.slots.length - 1];
    return last ? read(last) : this.create(0, fallbackType, event);
  }

  /** A placeholder for an item whose `output_item.added` never came. */
  private create(index: number, type: string, event: JsonObject): ReadSlot {
    const itemId = event.item_id;
    const item: JsonObject = { ...(itemId !== undefined ? { id: itemId } : {}), type };
    if (type === 'message')
      Object.assign(item, { role: 'assistant', status: 'in_progress', content: [] });
    if (type === 'reasoning') item.summary = [];
    if (type === 'function_call') Object.assign(item, { call_id: '', name: '', arguments: '' });
    if (type === 'custom_tool_call') Object.assign(item, { call_id: '', name: '', input: '' });
    const slot = { item, text: undefined, done: false };
    this.slots[index] = slot;
    return slot;
  }

  private list(item: JsonObject, key: string): unknown[] {
    const value = item[key];
    if (Array.isArray(value)) return value;
    const created: unknown[] = [];
    item[key] = created;
    return created;
  }

  /** The content part an event addresses, created with `empty` when missing. */
  private part(
    event: ResponsesStreamEvent,
    key: 'content' | 'summary',
    indexKey: 'content_index' | 'summary_index',
    empty: JsonObject,
  ): JsonObject {
    const slot = this.slotFor(event, key === 'summary' ? 'reasoning' : 'message');
    const parts = this.list(slot.item, key);
    const index = event[indexKey] ?? Math.max(parts.length - 1, 0);
    const existing = parts[index];
    if (isRecord(existing)) return existing;
    const created = { ...empty };
    parts[index] = created;
    return created;
  }

  /** `response.output_item.added`: the item takes its slot. */
  added(event: ResponsesStreamEvent): void {
    const item = event.item;
    if (item === undefined) return;
    const index = event.output_index ?? this.slots.length;
    this.slots[index] = { item, text: undefined, done: false };
  }

  /** `response.output_item.done`: the final item replaces what was built. */
  done(event: ResponsesStreamEvent): void {
    const item = event.item;
    if (item === undefined) return;
    const index = event.output_index ?? this.slots.length;
    this.slots[index] = { item, text: undefined, done: true };
  }

  /**
   * An `output_item.done` item kept as its text (checked to be a JSON object): read only if an
   * event changes it or the output is built as objects (`build`); `buildText` copies it.
   */
  doneText(index: number, text: string): void {
    this.slots[index] = { item: undefined, text, done: true };
  }

  /** `content_part.added` (or `.done` when `replace`): sets a message or reasoning_text part. */
  partAdded(event: ResponsesStreamEvent, replace: boolean): void {
    const part = event.part;
    if (part === undefined) return;
    const slot = this.slotFor(event, part.type === 'reasoning_text' ? 'reasoning' : 'message');
    const parts = this.list(slot.item, 'content');
    const index = event.content_index ?? (replace ? parts.length - 1 : parts.length);
    parts[Math.max(index, 0)] = part;
  }

  /** `reasoning_summary_part.added` / `.done`: sets a summary part. */
  summaryPart(event: ResponsesStreamEvent): void {
    const part = event.part;
    if (part === undefined) return;
    const slot = this.slotFor(event, 'reasoning');
    const parts = this.list(slot.item, 'summary');
    parts[event.summary_index ?? parts.length] = part;
  }

  /** Text, refusal and reasoning_text deltas (appended) and `.done` events (set). */
  text(event: ResponsesStreamEvent, field: 'text' | 'refusal', type: string, final: boolean): void {
    const part = this.part(event, 'content', 'content_index', { type, [field]: '' });
    if (final) {
      const value = event[field];
      if (typeof value === 'string') part[field] = value;
    } else {
      part[field] = textOf(part[field]) + textOf(event.delta);
    }
  }

  /** `output_text.annotation.added`: sets the annotation at its index. */
  annotation(event: ResponsesStreamEvent): void {
    const part = this.part(event, 'content', 'content_index', { type: 'output_text', text: '' });
    const annotations = this.list(part, 'annotations');
    annotations[event.annotation_index ?? annotations.length] = event.annotation;
  }

  /** `reasoning_summary_text.delta` (appended) and `.done` (set). */
  summaryText(event: ResponsesStreamEvent, final: boolean): void {
    const part = this.part(event, 'summary', 'summary_index', { type: 'summary_text', text: '' });
    if (final) {
      if (typeof event.text === 'string') part.text = event.text;
    } else {
      part.text = textOf(part.text) + textOf(event.delta);
    }
  }

  /** Appends to (or, when `final`, sets) a string field of the item itself. */
  itemField(
    event: ResponsesStreamEvent,
    type: string,
    field: string,
    finalKey: string,
    final: boolean,
  ): void {
    const slot = this.slotFor(event, type);
    if (final) {
      const value = event[finalKey];
      if (typeof value === 'string') slot.item[field] = value;
      // `function_call_arguments.done` may name the function (newer streams); fill a gap only.
      const name = event.name;
      if (name !== undefined && !slot.item.name) slot.item.name = name;
    } else {
      slot.item[field] = textOf(slot.item[field]) + textOf(event.delta);
    }
  }

  /** Hosted-tool progress (`web_search_call.searching`, ...): the item's status so far. */
  status(event: ResponsesStreamEvent, status: string): void {
    const index = event.output_index;
    const slot = index !== undefined ? this.slots[index] : undefined;
    if (slot && !slot.done) read(slot).item.status = status;
  }

  /**
   * The output list: streamed items in order (holes skipped), with sparse part lists made
   * dense; items that never got `output_item.done` are marked `incomplete` when `unfinished`.
   * `fill` (a consistent terminal `output`) fills items that were never streamed.
   */
  build(unfinished: boolean, fill?: readonly unknown[]): JsonObject[] {
    return this.entries(unfinished, fill).map((entry) =>
      typeof entry === 'string' ? (JSON.parse(entry) as JsonObject) : entry,
    );
  }

  /**
   * The JSON text of the output `build` gives, and its length: an item kept as its text
   * (`doneText`) is that text, the others are serialised. Joined by `+`, as a rope: the answer's
   * write copies it once.
   */
  buildText(unfinished: boolean, fill?: readonly unknown[]): { text: string; count: number } {
    const entries = this.entries(unfinished, fill);
    let text = '[';
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index] as JsonObject | string;
      if (index > 0) text += ',';
      text += typeof entry === 'string' ? entry : JSON.stringify(entry);
    }
    return { text: `${text}]`, count: entries.length };
  }

  /** The output's items, those kept as text as their text. */
  private entries(unfinished: boolean, fill?: readonly unknown[]): Array<JsonObject | string> {
    const out: Array<JsonObject | string> = [];
    const length = Math.max(this.slots.length, fill?.length ?? 0);
    for (let index = 0; index < length; index++) {
      const slot = this.slots[index];
      const final = fill?.[index];
      if (!slot || (!slot.done && isRecord(final))) {
        if (isRecord(final)) out.push(final);
        continue;
      }
      if (slot.item === undefined) out.push(slot.text ?? '{}');
      else out.push(slot.done ? slot.item : this.finishOpen(slot.item, unfinished));
    }
    return out;
  }

  private finishOpen(item: JsonObject, unfinished: boolean): JsonObject {
    const copy: JsonObject = { ...item };
    for (const key of ['content', 'summary']) {
      const parts = copy[key];
      if (Array.isArray(parts)) copy[key] = parts.filter((part) => part !== undefined);
    }
    for (const part of Array.isArray(copy.content) ? copy.content : []) {
      if (
        isRecord(part) &&
        Array.isArray(part.annotations) &&
        part.annotations.includes(undefined)
      ) {
        part.annotations = part.annotations.filter((annotation) => annotation !== undefined);
      }
    }
    if (unfinished) copy.status = 'incomplete';
    return copy;
  }

  /** Whether `output` agrees with what was streamed (same item types where both have one). */
  isConsistent(output: readonly unknown[]): boolean {
    if (output.length < this.slots.length) return false;
    return this.slots.every((slot, index) => {
      const item = output[index];
      return !slot || (isRecord(item) && item.type === read(slot).item.type);
    });
  }
}
