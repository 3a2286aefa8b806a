/**
 * Same-format forwarding of a Chat Completions stream: chunks pass through as they are; usage is
 * read on the way; the usage chunk the proxy asked for on its own is not shown to a client that
 * did not ask for it; a chunk that is not JSON (a cut line) is dropped with a warning; a
 * connection failure, or an end before any `finish_reason`, `[DONE]` or error chunk, becomes the
 * error chunk plus `[DONE]`.
 *
 * An ordinary delta chunk (most of a stream) is recognised by scanning its text rather than
 * parsing it (`scanDeltaChunk`) and forwarded as the upstream wrote it, the client's model name
 * spliced in; every other chunk, and a message cut by the end of input, takes the full path.
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';

import type { SseMessage } from '../../sse/message.js';
import { isUnterminated } from '../../sse/parse.js';
import type { StreamStep } from '../../streams/step.js';
import { isRecord, tryParseJson } from '../../util/json.js';
import type { EncodeContext, IrErrorEvent, PassthroughOptions } from '../format.js';
import { encodeOpenAIErrorObject } from '../openai-error.js';
import { readChatMeta } from './meta.js';
import { decodeStreamError, isStreamError } from './stream-error.js';
import { decodeUsage } from './usage.js';

const DONE: SseMessage = { data: '[DONE]' };
const USAGE_OBJECT = /"usage":\s*\{/;
/**
 * An escaped printable ASCII character (`\u0065`): no ordinary encoder writes one, but it could
 * spell a key or value (`"\u0065rror"`) that a scan looking for the literal text would miss.
 */
const ESCAPED_ASCII = /\\u00[2-7]/i;

/** Whether every occurrence of `key` (a quoted key) in `data` is followed by `:null`. */
function allNull(data: string, key: string): boolean {
  for (let at = data.indexOf(key); at !== -1; at = data.indexOf(key, at + key.length)) {
    if (!data.startsWith(':null', at + key.length)) return false;
  }
  return true;
}

/** Whether `data` holds none of `{`, `[`, `]`, `}` between `from` and `to` (exclusive). */
function noBrackets(data: string, from: number, to: number): boolean {
  for (let at = from; at < to; at++) {
    const code = data.charCodeAt(at);
    // `[` `]` `{` `}`
    if (code === 0x5b || code === 0x5d || code === 0x7b || code === 0x7d) return false;
  }
  return true;
}

/** Where the model value (between its quotes) of an ordinary delta chunk lies. */
export interface ModelSpan {
  start: number;
  end: number;
}

/**
 * Recognises an ordinary delta chunk from its text alone, without parsing it: a compact JSON
 * object with no `"error"` anywhere, every `"finish_reason"` followed by `:null` and every
 * `"usage"` by `:null`, exactly one `"model"`, at the top level, followed by `:"` and a value
 * without a backslash, and no escaped ASCII character. Such a chunk neither finishes nor
 * fails the stream and carries no usage, so the full path would only rename its model. Returns
 * the span of the model value, or `undefined` for anything else (spaces around a colon, escapes,
 * a second model key, no model...), which takes the full path.
 */
export function scanDeltaChunk(data: string): ModelSpan | undefined {
  const last = data.length - 1;
  if (data.charCodeAt(0) !== 0x7b || data.charCodeAt(last) !== 0x7d) return undefined;
  if (data.includes('"error"')) return undefined;
  if (!allNull(data, '"finish_reason"') || !allNull(data, '"usage"')) return undefined;
  const key = data.indexOf('"model"');
  if (key === -1 || data.includes('"model"', key + 7)) return undefined;
  if (!data.startsWith(':"', key + 7)) return undefined;
  const start = key + 9;
  const end = data.indexOf('"', start);
  if (end === -1) return undefined;
  for (let at = start; at < end; at++) if (data.charCodeAt(at) === 0x5c) return undefined;
  // At the top level: no bracket before the key, or none between the value and the last brace.
  if (!noBrackets(data, 1, key) && !noBrackets(data, end + 1, last)) return undefined;
  if (data.includes('\\u00') && ESCAPED_ASCII.test(data)) return undefined;
  return { start, end };
}

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
    // The fast path: an ordinary delta chunk, complete (not cut by the end of input), is
    // forwarded as written, only its model value replaced when the client named another.
    if (message.event !== 'error' && !isUnterminated(message)) {
      const span = scanDeltaChunk(message.data);
      if (span) {
        const model = context.model;
        if (
          model === undefined ||
          (span.end - span.start === model.length && message.data.startsWith(model, span.start))
        ) {
          return [message];
        }
        const data = message.data;
        return [
          {
            ...message,
            data: `${data.slice(0, span.start - 1)}${JSON.stringify(model)}${data.slice(span.end + 1)}`,
          },
        ];
      }
    }
    if (message.data.trim() === '') return [message];
    // Any other chunk is parsed: a cut line must not reach the client as broken JSON.
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
