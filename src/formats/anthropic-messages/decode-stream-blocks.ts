/**
 * Decodes Anthropic content-block events (`content_block_start`, `_delta`, `_stop`) into neutral
 * block events, assigning dense neutral indices in order of appearance.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming#content-block-delta-types
 */
import type { IrEvent } from '../../ir/events.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject, parseJsonObjectLenient } from '../../util/json.js';
import type { DecodeStreamOptions } from '../format.js';
import { decodeCitation } from './citations.js';
import { decodeSignature } from './decode-assistant-block.js';
import { extrasOf, makeMeta, metaField } from './meta.js';
import { narrowBlockDelta, narrowContentBlock } from './narrow.js';
import { type AnthropicStreamEvent, FORMAT_ID } from './types.js';
import { applyUnknownDelta } from './unknown-delta.js';

/** An open content block, keyed by its wire index. */
type OpenBlock =
  | { kind: 'text'; index: number }
  | { kind: 'reasoning'; index: number; signature?: string; redactedData?: string }
  | { kind: 'tool'; index: number; startInput: unknown; argumentsLength: number }
  /** A block only this format knows (server tools, results, new types), sent whole at its stop. */
  | { kind: 'opaque'; block: JsonObject; json: string | undefined };

/** The block half of the stream decoder; every method appends its events to `out`. */
export interface BlockDecoder {
  onBlockStart(event: AnthropicStreamEvent, out: IrEvent[]): void;
  onBlockDelta(event: AnthropicStreamEvent, out: IrEvent[]): void;
  closeBlock(wireIndex: number, out: IrEvent[]): void;
  /** Closes every open block (at `message_stop`, an error or the end of input). */
  closeAll(out: IrEvent[]): void;
}

/**
 * Creates the block decoder of one stream. Server-tool, result and unknown blocks become one
 * `opaque` event at their stop (with `input` assembled from `input_json_delta` pieces and unknown
 * deltas folded in); a `tool_use` without input pieces gets its start `input` (`{}`) as one delta.
 */
export function createBlockDecoder(options: DecodeStreamOptions): BlockDecoder {
  const open = new Map<number, OpenBlock>();
  let nextIndex = 0;

  function warn(message: string): void {
    options.onWarning?.({ code: 'unexpected', message });
  }

  function onBlockStart(event: AnthropicStreamEvent, out: IrEvent[]): void {
    const wireIndex = event.index;
    const raw = event.content_block;
    if (wireIndex === undefined || raw === undefined) {
      warn('Skipped an Anthropic "content_block_start" without index or content_block');
      return;
    }
    if (open.has(wireIndex)) closeBlock(wireIndex, out);
    // Known types are read through the narrowed block; an unknown one is kept whole, as it came.
    const block = narrowContentBlock(raw) ?? {};
    switch (block.type) {
      case 'text': {
        const index = nextIndex++;
        open.set(wireIndex, { kind: 'text', index });
        const meta = makeMeta({ extra: extrasOf(raw, ['type', 'text', 'citations']) });
        out.push({ type: 'text-start', index, ...metaField(meta) });
        for (const citation of block.citations ?? []) {
          out.push({ type: 'text-annotation', index, annotation: decodeCitation(citation) });
        }
        const text = block.text;
        if (text) out.push({ type: 'text-delta', index, delta: text });
        return;
      }
      case 'thinking':
      case 'redacted_thinking': {
        const index = nextIndex++;
        const redacted = block.type === 'redacted_thinking';
        const known = redacted ? ['type', 'data'] : ['type', 'thinking', 'signature'];
        const state: OpenBlock = { kind: 'reasoning', index };
        // Current streams start thinking with `signature: ""`, older docs without one: same thing.
        if (redacted) state.redactedData = block.data ?? '';
        else state.signature = block.signature ?? '';
        open.set(wireIndex, state);
        out.push({
          type: 'reasoning-start',
          index,
          ...metaField(makeMeta({ extra: extrasOf(raw, known) })),
        });
        const thinking = block.thinking;
        if (thinking) out.push({ type: 'reasoning-delta', index, delta: thinking });
        return;
      }
      case 'tool_use': {
        const index = nextIndex++;
        open.set(wireIndex, { kind: 'tool', index, startInput: block.input, argumentsLength: 0 });
        out.push({
          type: 'tool-call-start',
          index,
          callId: block.id ?? '',
          name: block.name ?? '',
          kind: 'function',
          ...metaField(makeMeta({ extra: extrasOf(raw, ['type', 'id', 'name', 'input']) })),
        });
        return;
      }
      default:
        open.set(wireIndex, { kind: 'opaque', block: { ...raw }, json: undefined });
    }
  }

  function onBlockDelta(event: AnthropicStreamEvent, out: IrEvent[]): void {
    const wireIndex = event.index;
    const raw = event.delta;
    const state = wireIndex === undefined ? undefined : open.get(wireIndex);
    if (raw === undefined || state === undefined) {
      warn('Skipped an Anthropic "content_block_delta" for no open block');
      return;
    }
    // Known types are read through the narrowed delta; an unknown one is folded in as it came.
    const delta = narrowBlockDelta(raw) ?? {};
    const deltaType = delta.type ?? '';
    switch (deltaType) {
      case 'text_delta': {
        const text = delta.text;
        if (state.kind === 'text' && text)
          out.push({ type: 'text-delta', index: state.index, delta: text });
        return;
      }
      case 'citations_delta':
        if (state.kind === 'text' && delta.citation !== undefined) {
          out.push({
            type: 'text-annotation',
            index: state.index,
            annotation: decodeCitation(delta.citation),
          });
        }
        return;
      case 'thinking_delta': {
        const thinking = delta.thinking;
        if (state.kind === 'reasoning' && thinking) {
          out.push({ type: 'reasoning-delta', index: state.index, delta: thinking });
        }
        return;
      }
      case 'signature_delta': {
        const signature = delta.signature;
        // Set, not appended: the delta holds the whole signature.
        if (state.kind === 'reasoning' && signature !== undefined) state.signature = signature;
        return;
      }
      case 'input_json_delta': {
        const piece = delta.partial_json ?? '';
        if (state.kind === 'tool' && piece !== '') {
          state.argumentsLength += piece.length;
          out.push({ type: 'tool-call-delta', index: state.index, delta: piece });
        } else if (state.kind === 'opaque') state.json = (state.json ?? '') + piece;
        return;
      }
      default:
        options.onUnknownEvent?.(`content_block_delta:${deltaType}`);
        if (state.kind === 'opaque') applyUnknownDelta(state.block, raw);
    }
  }

  function closeBlock(wireIndex: number, out: IrEvent[]): void {
    const state = open.get(wireIndex);
    if (state === undefined) return;
    open.delete(wireIndex);
    switch (state.kind) {
      case 'text':
        out.push({ type: 'text-end', index: state.index });
        return;
      case 'reasoning':
        out.push({
          type: 'reasoning-end',
          index: state.index,
          ...decodeSignature(state.signature),
          ...(state.redactedData !== undefined ? { redactedData: state.redactedData } : {}),
        });
        return;
      case 'tool':
        // No input pieces: the start block's `input` is the whole input (`{}` for no arguments).
        if (state.argumentsLength === 0) {
          const input = isRecord(state.startInput) ? state.startInput : {};
          out.push({ type: 'tool-call-delta', index: state.index, delta: JSON.stringify(input) });
        }
        out.push({ type: 'tool-call-end', index: state.index });
        return;
      case 'opaque': {
        const value = state.block;
        if (state.json !== undefined) {
          const parsed = parseJsonObjectLenient(state.json);
          if (!parsed.ok) warn(`Invalid JSON input in an Anthropic "${String(value.type)}" block`);
          value.input = parsed.value;
        }
        out.push({ type: 'opaque', index: nextIndex++, format: FORMAT_ID, value });
        return;
      }
      default:
        assertNever(state, 'open block');
    }
  }

  function closeAll(out: IrEvent[]): void {
    for (const wireIndex of [...open.keys()]) closeBlock(wireIndex, out);
  }

  return { onBlockStart, onBlockDelta, closeBlock, closeAll };
}
