/**
 * Rebuilds the final non-streaming Anthropic Message from its SSE stream: the official SDK's
 * MessageStream semantics, made lenient so that drift never loses what was streamed.
 *
 * @see https://github.com/anthropics/anthropic-sdk-typescript/blob/main/src/lib/MessageStream.ts
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import { getString, isRecord, type JsonObject, parseJsonObjectLenient } from '../../util/json.js';
import type { DecodeStreamOptions, StreamAccumulation, WireStreamAccumulator } from '../format.js';
import { decodeStreamError } from './decode-error.js';
import { applyMessageDelta } from './envelope.js';
import { narrowBlockDelta, narrowMessage } from './narrow.js';
import { readStreamEvent } from './read-event.js';
import type { AnthropicStreamEvent } from './types.js';
import { applyUnknownDelta } from './unknown-delta.js';

/** Block types whose deltas this accumulator understands; others take unknown deltas generically. */
const KNOWN_BLOCKS = new Set(['text', 'thinking', 'redacted_thinking', 'tool_use']);

/** The envelope used when a stream never sent `message_start`. */
function emptyEnvelope(): JsonObject {
  return {
    id: '',
    type: 'message',
    role: 'assistant',
    model: '',
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0 },
  };
}

/**
 * Creates an accumulator. Compared with the SDK it also: synthesises the envelope when
 * `message_start` is missing; parses `input_json_delta` buffers at `content_block_stop` with
 * `""` and invalid JSON giving `{}` (the latter with a warning); keeps unknown blocks and folds
 * unknown deltas into them; copies any non-null `message_delta` field; and reports a stream
 * that ended before `message_stop` as incomplete with `TRUNCATED_STREAM_ERROR`.
 */
export function createAnthropicStreamAccumulator(
  options: DecodeStreamOptions = {},
): WireStreamAccumulator {
  let envelope: JsonObject | undefined;
  /**
   * The blocks by their wire index, a map: the index is the upstream's, and a list walked in
   * order cost one step per index below it (a block at index 99999999 held the event loop for
   * 3 s). Built in index order, as a list would be, holes skipped.
   */
  const content = new Map<number, JsonObject>();
  /** The index after the highest block index so far (where a block without one goes). */
  let nextIndex = 0;
  /** `input_json_delta` pieces per block index, joined at the block's stop. */
  const buffers = new Map<number, string[]>();
  let complete = false;
  let error: IrError | undefined;

  function warn(message: string): void {
    options.onWarning?.({ code: 'unexpected', message });
  }

  function ensureEnvelope(): JsonObject {
    envelope ??= emptyEnvelope();
    return envelope;
  }

  function finishInput(index: number, block: JsonObject): void {
    const pieces = buffers.get(index);
    if (pieces === undefined) return;
    buffers.delete(index);
    const parsed = parseJsonObjectLenient(pieces.join(''));
    if (!parsed.ok) warn(`Invalid JSON input in Anthropic "${String(block.type)}" block ${index}`);
    block.input = parsed.value;
  }

  function onMessageStart(event: AnthropicStreamEvent): void {
    if (envelope !== undefined) {
      warn('Ignored a second Anthropic "message_start"');
      return;
    }
    const raw = event.message ?? {};
    const message = narrowMessage(raw) ?? {};
    envelope = { ...emptyEnvelope(), ...raw };
    delete envelope.content;
    envelope.usage = { ...(message.usage ?? { input_tokens: 0, output_tokens: 0 }) };
    for (const block of message.content ?? [])
      if (isRecord(block)) setBlock(nextIndex, { ...block });
  }

  function setBlock(index: number, block: JsonObject): void {
    // Only what a list would hold as an element: an index that is a whole number from 0 on.
    if (!Number.isInteger(index) || index < 0) return;
    content.set(index, block);
    if (index >= nextIndex) nextIndex = index + 1;
  }

  function onBlockStart(event: AnthropicStreamEvent): void {
    ensureEnvelope();
    const block = event.content_block;
    if (block === undefined) {
      warn('Skipped an Anthropic "content_block_start" without content_block');
      return;
    }
    const copy = { ...block };
    if (copy.type === 'thinking' && typeof copy.signature !== 'string') copy.signature = '';
    setBlock(event.index ?? nextIndex, copy);
  }

  function onBlockDelta(event: AnthropicStreamEvent): void {
    const index = event.index;
    const block = index === undefined ? undefined : content.get(index);
    const raw = event.delta;
    if (index === undefined || block === undefined || raw === undefined) {
      warn('Skipped an Anthropic "content_block_delta" for no known block');
      return;
    }
    // Known types are read through the narrowed delta; an unknown one is folded in as it came.
    const delta = narrowBlockDelta(raw) ?? {};
    const deltaType = delta.type ?? '';
    switch (deltaType) {
      case 'text_delta':
        if (block.type === 'text')
          block.text = (getString(block, 'text') ?? '') + (delta.text ?? '');
        return;
      case 'citations_delta':
        if (block.type === 'text') {
          const citations = Array.isArray(block.citations) ? [...block.citations] : [];
          citations.push(delta.citation);
          block.citations = citations;
        }
        return;
      case 'thinking_delta':
        if (block.type === 'thinking') {
          block.thinking = (getString(block, 'thinking') ?? '') + (delta.thinking ?? '');
        }
        return;
      case 'signature_delta':
        // Set, not appended: the delta holds the whole signature.
        if (block.type === 'thinking') block.signature = delta.signature ?? '';
        return;
      case 'input_json_delta': {
        const pieces = buffers.get(index);
        const piece = delta.partial_json ?? '';
        if (pieces === undefined) buffers.set(index, [piece]);
        else pieces.push(piece);
        return;
      }
      default:
        options.onUnknownEvent?.(`content_block_delta:${deltaType}`);
        if (typeof block.type !== 'string' || !KNOWN_BLOCKS.has(block.type)) {
          applyUnknownDelta(block, raw);
        }
    }
  }

  function push(message: Parameters<WireStreamAccumulator['push']>[0]): void {
    if (complete || error !== undefined) return;
    const read = readStreamEvent(message, options);
    if (read === undefined) return;
    const { type, event } = read;
    switch (type) {
      case 'message_start':
        onMessageStart(event);
        return;
      case 'content_block_start':
        onBlockStart(event);
        return;
      case 'content_block_delta':
        onBlockDelta(event);
        return;
      case 'content_block_stop': {
        const index = event.index;
        const block = index === undefined ? undefined : content.get(index);
        if (index !== undefined && block !== undefined) finishInput(index, block);
        return;
      }
      case 'message_delta':
        applyMessageDelta(ensureEnvelope(), event);
        return;
      case 'message_stop':
        ensureEnvelope();
        complete = true;
        return;
      case 'ping':
        return;
      case 'error':
        error = decodeStreamError(event);
        return;
      default:
        options.onUnknownEvent?.(type);
    }
  }

  function result(): StreamAccumulation {
    const blocks: JsonObject[] = [];
    for (const index of [...content.keys()].sort((a, b) => a - b)) {
      const block = content.get(index) as JsonObject;
      const copy = { ...block };
      const pieces = buffers.get(index);
      // A block cut off mid-input keeps what parses; partial JSON gives `{}`.
      if (pieces !== undefined) copy.input = parseJsonObjectLenient(pieces.join('')).value;
      if (Array.isArray(copy.citations)) copy.citations = [...copy.citations];
      blocks.push(copy);
    }
    const base = envelope ?? emptyEnvelope();
    const usage = isRecord(base.usage) ? { ...base.usage } : { input_tokens: 0, output_tokens: 0 };
    const body: JsonObject = { ...base, content: blocks, usage };
    const finalError = error ?? (complete ? undefined : TRUNCATED_STREAM_ERROR);
    return {
      body,
      complete: complete && error === undefined,
      ...(finalError !== undefined ? { error: finalError } : {}),
    };
  }

  return { push, result };
}
