/** Decodes streamed `reasoning` items into IR reasoning blocks. */
import { getString, isRecord, type JsonObject } from '../../util/json.js';
import { decodeOutputItem, REASONING_SEPARATOR } from './decode-output.js';
import { type BlockWriter, catchUp, type ItemBlock } from './decode-stream-blocks.js';

/** Writes reasoning blocks (their state lives in the item decoder). */
export class ReasoningDecoder {
  constructor(private readonly blocks: BlockWriter) {}

  /** Opens the block of a reasoning item. */
  open(state: ItemBlock, item: JsonObject): void {
    state.block = this.blocks.open();
    state.open = true;
    const id = getString(item, 'id');
    this.blocks.emit({
      type: 'reasoning-start',
      index: state.block,
      ...(id !== undefined ? { id } : {}),
    });
  }

  /** Adds text to one part (`s<n>` or `c<n>`), separating a new part from the previous one. */
  delta(state: ItemBlock, segment: string, delta: string): void {
    if (!state.open || state.block === undefined) return;
    const before = state.segments.get(segment);
    if (before === undefined) {
      if (state.segments.size > 0) this.text(state, REASONING_SEPARATOR);
      state.segments.set(segment, '');
    }
    if (delta === '') return;
    state.segments.set(segment, (before ?? '') + delta);
    this.text(state, delta);
  }

  /** Catches a part up with its final text. */
  done(state: ItemBlock, segment: string, text: unknown): void {
    this.delta(state, segment, catchUp(state.segments.get(segment) ?? '', text));
  }

  private text(state: ItemBlock, delta: string): void {
    if (delta === '') return;
    state.emitted += delta;
    this.blocks.emit({ type: 'reasoning-delta', index: state.block ?? 0, delta });
  }

  /** The item's `.done`: catch up with its final text, then end with its opaque values. */
  finish(state: ItemBlock, item: JsonObject): void {
    const parts = [
      ...(Array.isArray(item.summary) ? item.summary : []),
      ...(Array.isArray(item.content) ? item.content : []),
    ];
    const texts = parts.map((part) => (isRecord(part) ? (getString(part, 'text') ?? '') : ''));
    if (state.open) this.text(state, catchUp(state.emitted, texts.join(REASONING_SEPARATOR)));
    // Decoded as a whole item for its meta, and to unpack values ccproxy packed itself.
    const decoded = decodeOutputItem(item, { unpackOpaque: true })[0];
    const part = decoded?.type === 'reasoning' ? decoded : undefined;
    state.open = false;
    this.blocks.emit({
      type: 'reasoning-end',
      index: state.block ?? 0,
      ...(part?.encryptedContent !== undefined ? { encryptedContent: part.encryptedContent } : {}),
      ...(part?.signature !== undefined ? { signature: part.signature } : {}),
      ...(part?.redactedData !== undefined ? { redactedData: part.redactedData } : {}),
      ...(part?.id !== undefined ? { id: part.id } : {}),
      ...(part?.meta ? { meta: part.meta } : {}),
    });
  }
}
