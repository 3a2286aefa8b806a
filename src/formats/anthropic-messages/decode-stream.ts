/**
 * Decodes an Anthropic Messages SSE stream into neutral events.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */
import { TRUNCATED_STREAM_ERROR } from '../../ir/accumulate.js';
import type { IrEvent } from '../../ir/events.js';
import type { SseMessage } from '../../sse/message.js';
import type { StreamStep } from '../../streams/step.js';
import {
  getArray,
  getNumber,
  getRecord,
  getString,
  isRecord,
  type JsonObject,
  parseJsonObjectLenient,
} from '../../util/json.js';
import type { DecodeStreamOptions } from '../format.js';
import { decodeCitation } from './citations.js';
import { decodeSignature } from './decode-assistant-block.js';
import { decodeStreamError } from './decode-error.js';
import { applyMessageDelta, decodeEnvelope, MESSAGE_KEYS } from './envelope.js';
import { extrasOf, makeMeta, metaField } from './meta.js';
import { readStreamEvent } from './read-event.js';
import { FORMAT_ID } from './types.js';
import { applyUnknownDelta } from './unknown-delta.js';
import { decodeUsage } from './usage.js';

/** An open content block, keyed by its wire index. */
type OpenBlock =
  | { kind: 'text'; index: number }
  | { kind: 'reasoning'; index: number; signature?: string; redactedData?: string }
  | { kind: 'tool'; index: number; startInput: unknown; argumentsLength: number }
  /** A block only this format knows (server tools, results, new types), sent whole at its stop. */
  | { kind: 'opaque'; block: JsonObject; json: string | undefined };

/**
 * Creates a decoder. It emits dense IR block indices in order of appearance; server-tool,
 * result and unknown blocks become one `opaque` event at their `content_block_stop` (with the
 * `input` assembled from `input_json_delta` pieces); `message_delta` usage is cumulative and
 * each one is emitted as a whole snapshot. Unknown event and delta types are reported through
 * `options.onUnknownEvent` (`content_block_delta:<delta type>` for deltas) and skipped.
 */
export function createStreamDecoder(
  options: DecodeStreamOptions = {},
): StreamStep<SseMessage, IrEvent> {
  const open = new Map<number, OpenBlock>();
  /** The Message envelope so far (content excluded), folded like the SDK does. */
  let envelope: JsonObject = {};
  let started = false;
  let finished = false;
  let nextIndex = 0;

  function warn(message: string): void {
    options.onWarning?.({ code: 'unexpected', message });
  }

  function ensureStarted(out: IrEvent[]): void {
    if (started) return;
    started = true;
    out.push({ type: 'message-start' });
  }

  function usageEvent(out: IrEvent[]): void {
    const usage = getRecord(envelope, 'usage');
    if (usage === undefined) return;
    const decoded = decodeUsage(usage).usage;
    if (Object.keys(decoded).length > 0) out.push({ type: 'usage', usage: decoded });
  }

  function onMessageStart(event: JsonObject, out: IrEvent[]): void {
    if (started) {
      warn('Ignored a second Anthropic "message_start"');
      return;
    }
    started = true;
    const message = getRecord(event, 'message') ?? {};
    envelope = { ...message };
    delete envelope.content;
    const usage = getRecord(message, 'usage');
    if (usage !== undefined) envelope.usage = { ...usage };
    const id = getString(message, 'id');
    const model = getString(message, 'model');
    out.push({
      type: 'message-start',
      ...(id !== undefined ? { id } : {}),
      ...(model !== undefined ? { model } : {}),
      ...metaField(
        makeMeta({
          extra: extrasOf(message, MESSAGE_KEYS),
          usage: usage === undefined ? undefined : decodeUsage(usage).extras,
        }),
      ),
    });
    usageEvent(out);
  }

  function onBlockStart(event: JsonObject, out: IrEvent[]): void {
    const wireIndex = getNumber(event, 'index');
    const block = getRecord(event, 'content_block');
    if (wireIndex === undefined || block === undefined) {
      warn('Skipped an Anthropic "content_block_start" without index or content_block');
      return;
    }
    ensureStarted(out);
    if (open.has(wireIndex)) closeBlock(wireIndex, out);
    switch (block.type) {
      case 'text': {
        const index = nextIndex++;
        open.set(wireIndex, { kind: 'text', index });
        const meta = makeMeta({ extra: extrasOf(block, ['type', 'text', 'citations']) });
        out.push({ type: 'text-start', index, ...metaField(meta) });
        for (const citation of getArray(block, 'citations') ?? []) {
          out.push({ type: 'text-annotation', index, annotation: decodeCitation(citation) });
        }
        const text = getString(block, 'text');
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
        if (redacted) state.redactedData = getString(block, 'data') ?? '';
        else state.signature = getString(block, 'signature') ?? '';
        open.set(wireIndex, state);
        out.push({
          type: 'reasoning-start',
          index,
          ...metaField(makeMeta({ extra: extrasOf(block, known) })),
        });
        const thinking = getString(block, 'thinking');
        if (thinking) out.push({ type: 'reasoning-delta', index, delta: thinking });
        return;
      }
      case 'tool_use': {
        const index = nextIndex++;
        open.set(wireIndex, { kind: 'tool', index, startInput: block.input, argumentsLength: 0 });
        out.push({
          type: 'tool-call-start',
          index,
          callId: getString(block, 'id') ?? '',
          name: getString(block, 'name') ?? '',
          kind: 'function',
          ...metaField(makeMeta({ extra: extrasOf(block, ['type', 'id', 'name', 'input']) })),
        });
        return;
      }
      default:
        open.set(wireIndex, { kind: 'opaque', block: { ...block }, json: undefined });
    }
  }

  function onBlockDelta(event: JsonObject, out: IrEvent[]): void {
    const wireIndex = getNumber(event, 'index');
    const delta = getRecord(event, 'delta');
    const state = wireIndex === undefined ? undefined : open.get(wireIndex);
    if (delta === undefined || state === undefined) {
      warn('Skipped an Anthropic "content_block_delta" for no open block');
      return;
    }
    const deltaType = getString(delta, 'type') ?? '';
    switch (deltaType) {
      case 'text_delta': {
        const text = getString(delta, 'text');
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
        const thinking = getString(delta, 'thinking');
        if (state.kind === 'reasoning' && thinking) {
          out.push({ type: 'reasoning-delta', index: state.index, delta: thinking });
        }
        return;
      }
      case 'signature_delta': {
        const signature = getString(delta, 'signature');
        // Set, not appended: the delta holds the whole signature.
        if (state.kind === 'reasoning' && signature !== undefined) state.signature = signature;
        return;
      }
      case 'input_json_delta': {
        const piece = getString(delta, 'partial_json') ?? '';
        if (state.kind === 'tool' && piece !== '') {
          state.argumentsLength += piece.length;
          out.push({ type: 'tool-call-delta', index: state.index, delta: piece });
        } else if (state.kind === 'opaque') state.json = (state.json ?? '') + piece;
        return;
      }
      default:
        options.onUnknownEvent?.(`content_block_delta:${deltaType}`);
        if (state.kind === 'opaque') applyUnknownDelta(state.block, delta);
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
    }
  }

  function closeAll(out: IrEvent[]): void {
    for (const wireIndex of [...open.keys()]) closeBlock(wireIndex, out);
  }

  function onMessageStop(out: IrEvent[]): void {
    ensureStarted(out);
    closeAll(out);
    const decoded = decodeEnvelope(envelope);
    finished = true;
    out.push({
      type: 'message-end',
      finishReason: decoded.finishReason,
      ...(decoded.stopSequence !== undefined ? { stopSequence: decoded.stopSequence } : {}),
      ...metaField(decoded.meta),
    });
  }

  return {
    push(message) {
      if (finished) return [];
      const read = readStreamEvent(message, options);
      if (read === undefined) return [];
      const out: IrEvent[] = [];
      const { type, event } = read;
      switch (type) {
        case 'message_start':
          onMessageStart(event, out);
          break;
        case 'content_block_start':
          onBlockStart(event, out);
          break;
        case 'content_block_delta':
          onBlockDelta(event, out);
          break;
        case 'content_block_stop': {
          const wireIndex = getNumber(event, 'index');
          if (wireIndex !== undefined) closeBlock(wireIndex, out);
          break;
        }
        case 'message_delta':
          ensureStarted(out);
          applyMessageDelta(envelope, event);
          if (getRecord(event, 'usage') !== undefined) usageEvent(out);
          break;
        case 'message_stop':
          onMessageStop(out);
          break;
        case 'ping':
          break;
        case 'error':
          ensureStarted(out);
          closeAll(out);
          finished = true;
          out.push({ type: 'error', error: decodeStreamError(event) });
          break;
        default:
          options.onUnknownEvent?.(type);
      }
      return out;
    },
    end() {
      if (finished) return [];
      const out: IrEvent[] = [];
      ensureStarted(out);
      closeAll(out);
      finished = true;
      out.push({ type: 'error', error: TRUNCATED_STREAM_ERROR });
      return out;
    },
  };
}
