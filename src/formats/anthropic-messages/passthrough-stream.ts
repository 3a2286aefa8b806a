/**
 * Same-format forwarding of an Anthropic Messages stream: events pass through as they are;
 * usage is read from `message_start` and `message_delta`; a renamed model is shown as the
 * client asked for it; a connection failure becomes an `error` event.
 */
import type { SseMessage } from '../../sse/message.js';
import type { StreamStep } from '../../streams/step.js';
import { isRecord, tryParseJson } from '../../util/json.js';
import type { EncodeContext, IrErrorEvent, PassthroughOptions } from '../format.js';
import { encodeErrorObject } from './encode-error.js';
import { decodeUsage } from './usage.js';

/** Creates the passthrough step. */
export function createAnthropicStreamPassthrough(
  context: EncodeContext,
  options: PassthroughOptions = {},
): StreamStep<SseMessage | IrErrorEvent, SseMessage> {
  let ended = false;

  function forward(message: SseMessage): SseMessage[] {
    if (message.comment !== undefined) return [message];
    // Only the two events that carry usage (and the model) are parsed; the rest pass as they came.
    if (message.event !== 'message_start' && message.event !== 'message_delta') {
      if (message.event === 'message_stop' || message.event === 'error') ended = true;
      return [message];
    }
    const event = tryParseJson(message.data);
    if (!isRecord(event)) return [message];
    if (message.event === 'message_start' && isRecord(event.message)) {
      if (isRecord(event.message.usage)) options.onUsage?.(decodeUsage(event.message.usage).usage);
      if (context.model !== undefined && event.message.model !== context.model) {
        return [
          {
            ...message,
            data: JSON.stringify({ ...event, message: { ...event.message, model: context.model } }),
          },
        ];
      }
      return [message];
    }
    if (isRecord(event.usage)) options.onUsage?.(decodeUsage(event.usage).usage);
    return [message];
  }

  return {
    push(item) {
      if ('type' in item && item.type === 'error') {
        if (ended) return [];
        ended = true;
        return [
          {
            event: 'error',
            data: JSON.stringify({ type: 'error', error: encodeErrorObject(item.error) }),
          },
        ];
      }
      return ended ? [] : forward(item as SseMessage);
    },
    end: () => [],
  };
}
