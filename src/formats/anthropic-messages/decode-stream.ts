/**
 * Decodes an Anthropic Messages SSE stream into neutral events.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */

import type { IrEvent } from '../../ir/events.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { isUnterminated } from '../../sse/parse.js';
import type { StreamStep } from '../../streams/step.js';
import { getRecord, isRecord, type JsonObject } from '../../util/json.js';
import { onlyValue } from '../../util/json-text.js';
import { textAt } from '../../util/text-at.js';
import type { DecodeStreamOptions } from '../format.js';
import { decodeStreamError } from './decode-error.js';
import { createBlockDecoder } from './decode-stream-blocks.js';
import { applyMessageDelta, decodeEnvelope, MESSAGE_KEYS } from './envelope.js';
import { extrasOf, makeMeta, metaField } from './meta.js';
import { narrowMessage } from './narrow.js';
import { readStreamEvent } from './read-event.js';
import type { AnthropicStreamEvent } from './types.js';
import { decodeUsage } from './usage.js';

const MESSAGE_START_PREFIX = '{"type":"message_start"';

/**
 * Whether a message is a complete `message_start` whose message holds no content, read from its
 * text: named so (or not named), its data starting `{"type":"message_start"`, with one
 * `"content"` key only, written `"content":[]`, and no `\u` escape (which could spell another
 * key). Such an event only starts the message for a head-only decoder.
 */
function isEmptyMessageStart(message: SseMessage): boolean {
  const data = message.data;
  return (
    (message.event === undefined || message.event === 'message_start') &&
    textAt(data, 0, MESSAGE_START_PREFIX) &&
    (data.charCodeAt(MESSAGE_START_PREFIX.length) === 0x2c ||
      data.charCodeAt(MESSAGE_START_PREFIX.length) === 0x7d) &&
    !data.includes('\\u') &&
    onlyValue(data, '"content"', '[]') !== undefined &&
    !isUnterminated(message)
  );
}

/**
 * Creates a decoder. It emits dense IR block indices in order of appearance; server-tool,
 * result and unknown blocks become one `opaque` event at their `content_block_stop` (with the
 * `input` assembled from `input_json_delta` pieces); `message_delta` usage is cumulative and
 * each one is emitted as a whole snapshot. Unknown event and delta types are reported through
 * `options.onUnknownEvent` (`content_block_delta:<delta type>` for deltas) and skipped.
 *
 * A head-only decoder (`options.headOnly`, the pipeline's probe of a stream's head) does not
 * read a `message_start` with no content (`isEmptyMessageStart`): it only starts the message,
 * whose fields the probe does not need. The first content event decides there.
 */
export function createAnthropicStreamDecoder(
  options: DecodeStreamOptions = {},
): StreamStep<SseMessage, IrEvent> {
  const blocks = createBlockDecoder(options);
  /** The Message envelope so far (content excluded), folded like the SDK does. */
  let envelope: JsonObject = {};
  let started = false;
  let finished = false;

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

  function onMessageStart(event: AnthropicStreamEvent, out: IrEvent[]): void {
    if (started) {
      warn('Ignored a second Anthropic "message_start"');
      return;
    }
    started = true;
    // The raw message is the envelope (every field kept); the narrowed one is what is read.
    const raw = event.message ?? {};
    const message = narrowMessage(raw) ?? {};
    envelope = { ...raw };
    delete envelope.content;
    const usage = message.usage;
    if (usage !== undefined) envelope.usage = { ...usage };
    const { id, model } = message;
    out.push({
      type: 'message-start',
      ...(id !== undefined ? { id } : {}),
      ...(model !== undefined ? { model } : {}),
      ...metaField(
        makeMeta({
          extra: extrasOf(raw, MESSAGE_KEYS),
          usage: usage === undefined ? undefined : decodeUsage(usage).extras,
        }),
      ),
    });
    usageEvent(out);
    // Blocks already in the envelope (some relays send them) come first, as whole blocks.
    (message.content ?? []).forEach((block, index) => {
      blocks.onBlockStart({ index, content_block: isRecord(block) ? block : undefined }, out);
      blocks.closeBlock(index, out);
    });
  }

  function onMessageStop(out: IrEvent[]): void {
    ensureStarted(out);
    blocks.closeAll(out);
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
      if (options.headOnly && !started && isEmptyMessageStart(message)) {
        started = true;
        return [{ type: 'message-start' }];
      }
      const read = readStreamEvent(message, options);
      if (read === undefined) return [];
      const out: IrEvent[] = [];
      const { type, event } = read;
      switch (type) {
        case 'message_start':
          onMessageStart(event, out);
          break;
        case 'content_block_start':
          ensureStarted(out);
          blocks.onBlockStart(event, out);
          break;
        case 'content_block_delta':
          blocks.onBlockDelta(event, out);
          break;
        case 'content_block_stop': {
          if (event.index !== undefined) blocks.closeBlock(event.index, out);
          break;
        }
        case 'message_delta':
          ensureStarted(out);
          applyMessageDelta(envelope, event);
          if (event.usage !== undefined) usageEvent(out);
          break;
        case 'message_stop':
          onMessageStop(out);
          break;
        case 'ping':
          break;
        case 'error':
          ensureStarted(out);
          blocks.closeAll(out);
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
      blocks.closeAll(out);
      finished = true;
      out.push({ type: 'error', error: TRUNCATED_STREAM_ERROR });
      return out;
    },
  };
}
