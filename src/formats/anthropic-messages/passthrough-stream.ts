/**
 * Same-format forwarding of an Anthropic Messages stream: events pass through as they are;
 * usage is read from `message_start` and `message_delta`; a renamed model is shown as the
 * client asked for it; an event that is not JSON (a cut line) is dropped with a warning; a
 * connection failure, or an end before `message_stop` or `error`, becomes an `error` event.
 *
 * The content events (most of a stream) are recognised by scanning their text rather than
 * parsing it (`isPlainContentEvent`) and forwarded as they came; every other event, and a
 * message cut by the end of input, takes the full path.
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { isUnterminated, type PlainRun } from '../../sse/parse.js';
import { isRecord, tryParseJson } from '../../util/json.js';
import { textAt } from '../../util/text-at.js';
import type { EncodeContext, PassthroughOptions, PassthroughStep } from '../format.js';
import { decodeStreamError } from './decode-error.js';
import { encodeErrorObject } from './encode-error.js';
import { decodeUsage } from './usage.js';

/** The events the full path forwards untouched: neither usage, model, end nor error. */
const PLAIN_EVENTS = new Set([
  'content_block_delta',
  'content_block_start',
  'content_block_stop',
  'ping',
]);

/** The types the full path acts on: an event whose type may be one of these is parsed. */
const ACTED_ON = ['message_start', 'message_delta', 'message_stop', 'error'];

/** An escaped printable ASCII character, which could spell a key or type a scan would miss. */
const ESCAPED_ASCII = /\\u00[2-7]/;

/** Whether `data` holds `word` exactly from `start` to `end`. */
function holds(data: string, start: number, end: number, word: string): boolean {
  return end - start === word.length && textAt(data, start, word);
}

/**
 * Recognises a content event from its text alone, without parsing it: an SSE event named
 * content_block_delta, content_block_start, content_block_stop or ping whose data is a compact
 * JSON object (starts with `{`, ends with `}`) holding `"type":"<that same name>"`, in which every
 * `"type"` key is followed by `:"` and a value without a backslash that is none of the types the
 * full path acts on, and no escaped ASCII character. Whatever the object's own `type` is then,
 * the full path would forward it untouched. Anything else (message_start, message_delta,
 * message_stop, error, no event name, a mismatched type, spaces around a colon, escapes...)
 * returns false and takes the full path.
 */
export function isPlainContentEvent(message: SseMessage): boolean {
  return isPlainContent(message.event, message.data);
}

/**
 * The usual `content_block_delta`, one string delta, checked in one pass: a regular expression
 * is a quarter of the cost of the scan below (68 against 262 ns an event, measured on the
 * bench's stream). It accepts only events the scan accepts (a differential test checks it): the
 * one other `"type"` is the delta's, of a kind the full path never acts on; the string holds no
 * escaped ASCII character, nor an escaped backslash before `u00` and a digit 2 to 7 (the scan
 * reads those as one), and does not end in `"type` (its closing quote would then end a `"type"`
 * the scan reads as a key).
 */
const STRING_DELTA_EVENT =
  /^\{"type":"content_block_delta","index":\d{1,9},"delta":\{"type":"(?:text_delta|input_json_delta|thinking_delta|signature_delta)","(?:text|partial_json|thinking|signature)":"(?:[^"\\]|\\[^u\\]|\\\\(?!u00[2-7])|\\u(?!00[2-7]))*(?<!"type)"\}\}$/;

/**
 * A run of `STRING_DELTA_EVENT`s as they come on the wire (`event: content_block_delta`, one
 * `data:` line, a blank line; one space after each colon), for the SSE parser to join at once
 * (`SseParserOptions.plainRun`). Each event's data is what `STRING_DELTA_EVENT` accepts, but
 * that no line end may fall inside it (the data line ends there) and its string may not end in
 * `rror` (its closing quote would make an `rror"`, which keeps an event out of a run).
 */
const STRING_DELTA_RUN: PlainRun = {
  pattern:
    /(?:event: content_block_delta\ndata: \{"type":"content_block_delta","index":\d{1,9},"delta":\{"type":"(?:text_delta|input_json_delta|thinking_delta|signature_delta)","(?:text|partial_json|thinking|signature)":"(?:[^"\\\n\r]|\\[^u\\\n\r]|\\\\(?!u00[2-7])|\\u(?!00[2-7]))*(?<!"type)(?<!rror)"\}\}\n\n)+/y,
};

/** `isPlainContentEvent` on an event's name and data. */
function isPlainContent(name: string | undefined, data: string): boolean {
  if (name === 'content_block_delta' && STRING_DELTA_EVENT.test(data)) return true;
  return isPlainContentScanned(name, data);
}

/** The general scan of `isPlainContentEvent`. */
export function isPlainContentScanned(name: string | undefined, data: string): boolean {
  if (name === undefined || !PLAIN_EVENTS.has(name)) return false;
  if (data.charCodeAt(0) !== 0x7b || data.charCodeAt(data.length - 1) !== 0x7d) return false;
  // One search for a backslash: without any (the common case) no value holds an escape.
  const escaped = data.includes('\\');
  if (escaped && ESCAPED_ASCII.test(data)) return false;
  let named = false;
  // Found by `type"`, then its opening quote checked: V8 searches from a pattern's first
  // character, and `"` is on every few bytes of JSON, which makes `"type"` a slower search.
  for (let at = data.indexOf('type"'); at !== -1; at = data.indexOf('type"', at + 5)) {
    if (data.charCodeAt(at - 1) !== 0x22) continue;
    if (data.charCodeAt(at + 5) !== 0x3a || data.charCodeAt(at + 6) !== 0x22) return false;
    const start = at + 7;
    const end = data.indexOf('"', start);
    if (end === -1) return false;
    if (escaped) {
      const backslash = data.indexOf('\\', start);
      if (backslash !== -1 && backslash < end) return false;
    }
    if (holds(data, start, end, name)) {
      named = true;
      continue;
    }
    for (const type of ACTED_ON) if (holds(data, start, end, type)) return false;
  }
  return named;
}

/** Creates the passthrough step. */
export function createAnthropicStreamPassthrough(
  context: EncodeContext,
  options: PassthroughOptions = {},
): PassthroughStep {
  let ended = false;

  function failure(error: IrError): SseMessage[] {
    options.onError?.(error);
    return [
      { event: 'error', data: JSON.stringify({ type: 'error', error: encodeErrorObject(error) }) },
    ];
  }

  function forward(message: SseMessage): SseMessage[] {
    // A comment, or a run of content events `isPlainContent` accepted while parsing.
    if (message.comment !== undefined || message.raw !== undefined) return [message];
    // The fast path: a complete content event (not cut by the end of input) goes as it came.
    if (!isUnterminated(message) && isPlainContentEvent(message)) return [message];
    if (message.data.trim() === '') return [message];
    // Not an Anthropic sentinel, but some relays append it (LESSONS.md); it carries nothing.
    if (message.data.trim() === '[DONE]') return [];
    // Any other event is parsed: a cut line must not reach the client as broken JSON.
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
    plain: (event, data) => (isPlainContent(event, data) ? data : undefined),
    plainRun: () => STRING_DELTA_RUN,
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
