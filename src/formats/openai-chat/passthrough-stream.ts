/**
 * Same-format forwarding of a Chat Completions stream: chunks pass through as they are; usage is
 * read on the way; the usage chunk the proxy asked for on its own is not shown to a client that
 * did not ask for it; a chunk that is not JSON (a cut line) is dropped with a warning; a
 * connection failure, or an end before any `finish_reason`, `[DONE]` or error chunk, becomes the
 * error chunk plus `[DONE]`.
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';

import type { SseMessage } from '../../sse/message.js';
import type { StreamStep } from '../../streams/step.js';
import { isRecord, tryParseJson } from '../../util/json.js';
import type { EncodeContext, IrErrorEvent, PassthroughOptions } from '../format.js';
import { encodeOpenAIErrorObject } from '../openai-error.js';
import { readChatMeta } from './meta.js';
import { decodeStreamError, isStreamError } from './stream-error.js';
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
  let finished = false;
  let failed = false;

  function failure(error: IrError): SseMessage[] {
    options.onError?.(error);
    return [{ data: JSON.stringify({ error: encodeOpenAIErrorObject(error) }) }, DONE];
  }

  function forward(message: SseMessage): SseMessage[] {
    if (message.comment !== undefined) return [message];
    if (message.data === '[DONE]') {
      done = true;
      return [message];
    }
    if (message.data.trim() === '') return [message];
    // Every chunk is parsed: a cut line must not reach the client as broken JSON.
    const chunk = tryParseJson(message.data);
    if (!isRecord(chunk)) {
      options.onWarning?.({
        code: 'unexpected',
        message: 'Skipped a Chat stream chunk that is not a JSON object',
      });
      return [];
    }
    if (isStreamError(chunk, message.event)) {
      failed = true;
      options.onError?.(decodeStreamError(chunk));
    }
    if (
      Array.isArray(chunk.choices) &&
      chunk.choices.some((choice) => isRecord(choice) && typeof choice.finish_reason === 'string')
    ) {
      finished = true;
    }
    const hasUsage = USAGE_OBJECT.test(message.data);
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
        return failure(item.error);
      }
      return done ? [] : forward(item as SseMessage);
    },
    end() {
      if (done) return [];
      done = true;
      // A stream that finished (or reported its error) only lacks its `[DONE]`; any other end
      // is a broken-off answer and must not look complete.
      return finished || failed ? [DONE] : failure({ ...TRUNCATED_STREAM_ERROR, status: 502 });
    },
  };
}
