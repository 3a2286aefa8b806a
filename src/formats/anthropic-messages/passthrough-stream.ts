/**
 * Same-format forwarding of an Anthropic Messages stream: events pass through as they are;
 * usage is read from `message_start` and `message_delta`; a renamed model is shown as the
 * client asked for it; an event that is not JSON (a cut line) is dropped with a warning; a
 * connection failure, or an end before `message_stop` or `error`, becomes an `error` event.
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import type { StreamStep } from '../../streams/step.js';
import { isRecord, tryParseJson } from '../../util/json.js';
import type { EncodeContext, IrErrorEvent, PassthroughOptions } from '../format.js';
import { decodeStreamError } from './decode-error.js';
import { encodeErrorObject } from './encode-error.js';
import { decodeUsage } from './usage.js';

/** Creates the passthrough step. */
export function createAnthropicStreamPassthrough(
  context: EncodeContext,
  options: PassthroughOptions = {},
): StreamStep<SseMessage | IrErrorEvent, SseMessage> {
  let ended = false;

  function failure(error: IrError): SseMessage[] {
    options.onError?.(error);
    return [
      { event: 'error', data: JSON.stringify({ type: 'error', error: encodeErrorObject(error) }) },
    ];
  }

  function forward(message: SseMessage): SseMessage[] {
    if (message.comment !== undefined || message.data.trim() === '') return [message];
    // Not an Anthropic sentinel, but some relays append it (LESSONS.md); it carries nothing.
    if (message.data.trim() === '[DONE]') return [];
    // Every event is parsed: a cut line must not reach the client as broken JSON.
    const event = tryParseJson(message.data);
    if (!isRecord(event)) {
      options.onWarning?.({
        code: 'unexpected',
        message: `Skipped an Anthropic stream event${message.event ? ` "${message.event}"` : ''} whose data is not a JSON object`,
      });
      return [];
    }
    const type = typeof event.type === 'string' ? event.type : message.event;
    if (type === 'message_stop' || type === 'error') ended = true;
    if (type === 'error') options.onError?.(decodeStreamError(event));
    if (type === 'message_start' && isRecord(event.message)) {
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
    if (type === 'message_delta' && isRecord(event.usage)) {
      options.onUsage?.(decodeUsage(event.usage).usage);
    }
    return [message];
  }

  return {
    push(item) {
      if ('type' in item && item.type === 'error') {
        if (ended) return [];
        ended = true;
        return failure(item.error);
      }
      return ended ? [] : forward(item as SseMessage);
    },
    end() {
      if (ended) return [];
      ended = true;
      // The upstream closed before `message_stop`: a broken-off answer must not look complete.
      return failure({ ...TRUNCATED_STREAM_ERROR, status: 502 });
    },
  };
}
