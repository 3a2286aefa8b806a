/**
 * Same-format forwarding of a Chat Completions stream: chunks pass through as they are; usage is
 * read on the way; the usage chunk the proxy asked for on its own is not shown to a client that
 * did not ask for it; a connection failure becomes the error chunk plus `[DONE]`.
 */

import type { SseMessage } from '../../sse/message.js';
import type { StreamStep } from '../../streams/step.js';
import { isRecord, tryParseJson } from '../../util/json.js';
import type { EncodeContext, IrErrorEvent, PassthroughOptions } from '../format.js';
import { encodeOpenAIErrorObject } from '../openai-error.js';
import { readChatMeta } from './meta.js';
import { decodeUsage } from './usage.js';

const DONE: SseMessage = { data: '[DONE]' };
const USAGE_OBJECT = /"usage":\s*\{/;

/** Creates the passthrough step. */
export function createChatStreamPassthrough(
  context: EncodeContext,
  options: PassthroughOptions = {},
): StreamStep<SseMessage | IrErrorEvent, SseMessage> {
  const streamOptions = readChatMeta(context.request?.meta).streamOptions;
  const clientWantsUsage = isRecord(streamOptions) && streamOptions.include_usage === true;
  let done = false;

  function forward(message: SseMessage): SseMessage[] {
    if (message.comment !== undefined) return [message];
    if (message.data === '[DONE]') {
      done = true;
      return [message];
    }
    // Only chunks that carry a usage object are parsed: the rest pass as they came.
    const hasUsage = USAGE_OBJECT.test(message.data);
    if (!hasUsage && context.model === undefined) return [message];
    const chunk = tryParseJson(message.data);
    if (!isRecord(chunk)) return [message];
    if (hasUsage && isRecord(chunk.usage)) options.onUsage?.(decodeUsage(chunk.usage));
    const usageOnly =
      Array.isArray(chunk.choices) && chunk.choices.length === 0 && isRecord(chunk.usage);
    if (usageOnly && !clientWantsUsage) return [];
    if (context.model !== undefined && typeof chunk.model === 'string') {
      return [{ ...message, data: JSON.stringify({ ...chunk, model: context.model }) }];
    }
    return [message];
  }

  return {
    push(item) {
      if ('type' in item && item.type === 'error') {
        if (done) return [];
        done = true;
        return [{ data: JSON.stringify({ error: encodeOpenAIErrorObject(item.error) }) }, DONE];
      }
      return done ? [] : forward(item as SseMessage);
    },
    end: () => [],
  };
}
