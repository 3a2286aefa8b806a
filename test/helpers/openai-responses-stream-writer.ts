/** Writes realistic Responses SSE transcripts from the final output items they must rebuild. */
import { createRandom } from './split.js';

type Json = Record<string, unknown>;

/** Drift and framing options of a transcript. */
export interface StreamWriterOptions {
  /** Line end of the SSE text (default `\n`). */
  eol?: '\n' | '\r\n';
  /** Leave out `sequence_number` on every event. */
  noSequence?: boolean;
  /** Add a random `obfuscation` string to delta events, as OpenAI does. */
  obfuscation?: boolean;
  /** Give every item event a different item id (GitHub Copilot, observed 2025-11). */
  rotateIds?: boolean;
  /** Leave out the `event:` lines. */
  noEventLines?: boolean;
  /** Seed for obfuscation strings. */
  seed?: number;
}

/** How an item's text is streamed. */
export interface ItemStreamOptions {
  /** Approximate characters per delta (default: one word per delta). */
  chunk?: number;
  /** `encrypted_content` announced in `output_item.added` (differs from the final one). */
  addedEncryptedContent?: string;
  /** Stop after this many events of the item (no `.done` events): a truncated item. */
  cutAfter?: number;
  /** Leave out `name` in `function_call_arguments.done` (2025 recordings). */
  doneWithoutName?: boolean;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Splits text into deltas the way a tokenizer streams it (leading spaces stay with words). */
export function splitText(text: string, chunk?: number): string[] {
  if (text === '') return [];
  if (chunk !== undefined) {
    const pieces: string[] = [];
    const characters = Array.from(text);
    for (let i = 0; i < characters.length; i += chunk) {
      pieces.push(characters.slice(i, i + chunk).join(''));
    }
    return pieces;
  }
  const pieces: string[] = text.match(/\s*\S+/g) ?? [];
  const joined = pieces.join('');
  if (joined.length < text.length) pieces.push(text.slice(joined.length));
  return pieces.length > 0 ? pieces : [text];
}

/** Builds one SSE transcript. */
export class ResponsesStreamWriter {
  private text = '';
  private sequence = 0;
  private rotation = 0;
  private readonly random: () => number;
  /** Number of events written (comments and raw text not counted). */
  events = 0;
  /** The items of the `output_item.done` events written, by output index. */
  readonly doneItems: Json[] = [];

  constructor(private readonly options: StreamWriterOptions = {}) {
    this.random = createRandom(options.seed ?? 7);
  }

  private get eol(): string {
    return this.options.eol ?? '\n';
  }

  /** Appends raw SSE text (comments, malformed events). */
  raw(text: string): this {
    this.text += text;
    return this;
  }

  /** Appends one event; `sequence` false leaves its number out (Codex's own events). */
  event(type: string, fields: Json, sequence = true): this {
    const body: Json = {
      type,
      ...(sequence && !this.options.noSequence ? { sequence_number: this.sequence } : {}),
      ...fields,
    };
    if (sequence && !this.options.noSequence) this.sequence++;
    return this.rawEvent(type, JSON.stringify(body));
  }

  /** Appends an event whose data is given as is (split over lines at `\n`). */
  rawEvent(type: string | undefined, data: string): this {
    const eol = this.eol;
    let out = type !== undefined && !this.options.noEventLines ? `event: ${type}${eol}` : '';
    for (const line of data.split('\n')) out += `data: ${line}${eol}`;
    this.text += out + eol;
    this.events++;
    return this;
  }

  private obfuscation(): Json {
    if (!this.options.obfuscation) return {};
    const length = 3 + Math.floor(this.random() * 12);
    let value = '';
    for (let i = 0; i < length; i++) value += ALPHABET[Math.floor(this.random() * ALPHABET.length)];
    return { obfuscation: value };
  }

  private itemId(id: unknown): unknown {
    if (!this.options.rotateIds || typeof id !== 'string') return id;
    this.rotation++;
    return `${id.split('_r')[0]}_r${this.rotation}`;
  }

  /** Writes the whole event sequence of `item` at `outputIndex`; returns the events written. */
  item(outputIndex: number, item: Json, options: ItemStreamOptions = {}): this {
    const limit = options.cutAfter ?? Number.POSITIVE_INFINITY;
    let written = 0;
    const emit = (type: string, fields: Json): boolean => {
      if (written >= limit) return false;
      written++;
      this.event(type, fields);
      if (type === 'response.output_item.done') this.doneItems[outputIndex] = fields.item as Json;
      return true;
    };
    const scope = (extra: Json = {}): Json => ({
      item_id: this.itemId(item.id),
      output_index: outputIndex,
      ...extra,
    });
    const rotated = (value: Json): Json =>
      this.options.rotateIds && typeof item.id === 'string'
        ? { ...value, id: this.itemId(item.id) }
        : value;
    switch (item.type) {
      case 'message':
        this.message(item, outputIndex, options, emit, scope, rotated);
        break;
      case 'reasoning':
        this.reasoning(item, outputIndex, options, emit, scope, rotated);
        break;
      case 'function_call':
      case 'custom_tool_call':
        this.call(item, outputIndex, options, emit, scope, rotated);
        break;
      default:
        if (
          !emit('response.output_item.added', {
            output_index: outputIndex,
            item: rotated({ ...item, status: 'in_progress' }),
          })
        )
          return this;
        emit('response.output_item.done', { output_index: outputIndex, item: rotated(item) });
    }
    return this;
  }

  private message(
    item: Json,
    outputIndex: number,
    options: ItemStreamOptions,
    emit: (type: string, fields: Json) => boolean,
    scope: (extra?: Json) => Json,
    rotated: (value: Json) => Json,
  ): void {
    if (
      !emit('response.output_item.added', {
        output_index: outputIndex,
        item: rotated({ ...item, status: 'in_progress', content: [] }),
      })
    )
      return;
    const content = item.content as Json[];
    for (const [contentIndex, part] of content.entries()) {
      const refusal = part.type === 'refusal';
      const empty = refusal
        ? { type: 'refusal', refusal: '' }
        : { ...part, annotations: [], text: '' };
      if (!emit('response.content_part.added', scope({ content_index: contentIndex, part: empty })))
        return;
      const full = String(refusal ? part.refusal : part.text);
      for (const delta of splitText(full, options.chunk)) {
        const fields = scope({
          content_index: contentIndex,
          delta,
          ...(refusal ? {} : { logprobs: [] }),
          ...this.obfuscation(),
        });
        if (!emit(refusal ? 'response.refusal.delta' : 'response.output_text.delta', fields))
          return;
      }
      if (!refusal) {
        for (const [annotationIndex, annotation] of (
          (part.annotations as Json[]) ?? []
        ).entries()) {
          if (
            !emit(
              'response.output_text.annotation.added',
              scope({ content_index: contentIndex, annotation_index: annotationIndex, annotation }),
            )
          )
            return;
        }
      }
      const done = refusal
        ? scope({ content_index: contentIndex, refusal: full })
        : scope({ content_index: contentIndex, text: full, logprobs: [] });
      if (!emit(refusal ? 'response.refusal.done' : 'response.output_text.done', done)) return;
      if (!emit('response.content_part.done', scope({ content_index: contentIndex, part }))) return;
    }
    emit('response.output_item.done', { output_index: outputIndex, item: rotated(item) });
  }

  private reasoning(
    item: Json,
    outputIndex: number,
    options: ItemStreamOptions,
    emit: (type: string, fields: Json) => boolean,
    scope: (extra?: Json) => Json,
    rotated: (value: Json) => Json,
  ): void {
    const added: Json = { ...item, summary: [] };
    if (options.addedEncryptedContent !== undefined)
      added.encrypted_content = options.addedEncryptedContent;
    if (Array.isArray(item.content)) added.content = [];
    if (!emit('response.output_item.added', { output_index: outputIndex, item: rotated(added) }))
      return;
    for (const [summaryIndex, part] of ((item.summary as Json[]) ?? []).entries()) {
      const text = String(part.text);
      if (
        !emit(
          'response.reasoning_summary_part.added',
          scope({ summary_index: summaryIndex, part: { type: 'summary_text', text: '' } }),
        )
      )
        return;
      for (const delta of splitText(text, options.chunk)) {
        if (
          !emit(
            'response.reasoning_summary_text.delta',
            scope({ summary_index: summaryIndex, delta, ...this.obfuscation() }),
          )
        )
          return;
      }
      if (
        !emit('response.reasoning_summary_text.done', scope({ summary_index: summaryIndex, text }))
      )
        return;
      if (
        !emit('response.reasoning_summary_part.done', scope({ summary_index: summaryIndex, part }))
      )
        return;
    }
    for (const [contentIndex, part] of ((item.content as Json[] | undefined) ?? []).entries()) {
      const text = String(part.text);
      if (
        !emit(
          'response.content_part.added',
          scope({ content_index: contentIndex, part: { type: 'reasoning_text', text: '' } }),
        )
      )
        return;
      for (const delta of splitText(text, options.chunk)) {
        if (
          !emit(
            'response.reasoning_text.delta',
            scope({ content_index: contentIndex, delta, ...this.obfuscation() }),
          )
        )
          return;
      }
      if (!emit('response.reasoning_text.done', scope({ content_index: contentIndex, text })))
        return;
      if (!emit('response.content_part.done', scope({ content_index: contentIndex, part }))) return;
    }
    emit('response.output_item.done', { output_index: outputIndex, item: rotated(item) });
  }

  private call(
    item: Json,
    outputIndex: number,
    options: ItemStreamOptions,
    emit: (type: string, fields: Json) => boolean,
    scope: (extra?: Json) => Json,
    rotated: (value: Json) => Json,
  ): void {
    const custom = item.type === 'custom_tool_call';
    const field = custom ? 'input' : 'arguments';
    const added: Json = { ...item, [field]: '' };
    if ('status' in item) added.status = 'in_progress';
    if (!emit('response.output_item.added', { output_index: outputIndex, item: rotated(added) }))
      return;
    const full = String(item[field]);
    const prefix = custom ? 'response.custom_tool_call_input' : 'response.function_call_arguments';
    for (const delta of splitText(full, options.chunk ?? 4)) {
      if (!emit(`${prefix}.delta`, scope({ delta, ...this.obfuscation() }))) return;
    }
    const done = custom
      ? scope({ input: full })
      : scope({ ...(options.doneWithoutName ? {} : { name: item.name }), arguments: full });
    if (!emit(`${prefix}.done`, done)) return;
    emit('response.output_item.done', { output_index: outputIndex, item: rotated(item) });
  }

  /** The SSE text written so far. */
  toString(): string {
    return this.text;
  }
}
