/**
 * Same-format forwarding of a Chat Completions stream: chunks pass through as they are; usage is
 * read on the way; the usage chunk the proxy asked for on its own is not shown to a client that
 * did not ask for it; a chunk that is not JSON (a cut line) is dropped with a warning; a
 * connection failure, or an end before any `finish_reason`, `[DONE]` or error chunk, becomes the
 * error chunk plus `[DONE]`.
 *
 * An ordinary delta chunk (most of a stream) is recognised by scanning its text rather than
 * parsing it (`scanDeltaChunk`) and forwarded as the upstream wrote it, `context.model` spliced
 * in when there is one; every other chunk, and a message cut by the end of input, takes the full
 * path.
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';

import type { SseMessage } from '../../sse/message.js';
import { isUnterminated, type PlainRun } from '../../sse/parse.js';
import { isRecord, tryParseJson } from '../../util/json.js';
import { textAt } from '../../util/text-at.js';
import type { EncodeContext, PassthroughOptions, PassthroughStep } from '../format.js';
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
const ESCAPED_ASCII = /\\u00[2-7]/;

// The scan looks for a key by its text after the opening quote (`finish_reason"`), then checks
// the quote: V8 searches from a pattern's first character, and `"` is on every few bytes of JSON,
// so `indexOf('"usage"')` is several times slower than `indexOf('usage"')` there.

/**
 * Whether every `"key"` in `data` (`tail` is the key and its closing quote) is followed by
 * `:null`.
 */
function allNull(data: string, tail: string): boolean {
  for (let at = data.indexOf(tail); at !== -1; at = data.indexOf(tail, at + tail.length)) {
    if (data.charCodeAt(at - 1) === 0x22 && !textAt(data, at + tail.length, ':null')) {
      return false;
    }
  }
  return true;
}

/** Where the quoted key whose text after the quote is `tail` first occurs from `from`, or -1. */
function findKey(data: string, tail: string, from: number): number {
  for (let at = data.indexOf(tail, from); at !== -1; at = data.indexOf(tail, at + tail.length)) {
    if (data.charCodeAt(at - 1) === 0x22) return at - 1;
  }
  return -1;
}

/** Where `text` first occurs in `data` from `from`, or `otherwise` when it does not. */
function indexOr(data: string, text: string, from: number, otherwise: number): number {
  const at = data.indexOf(text, from);
  return at === -1 ? otherwise : at;
}

/**
 * Whether the key at `key`, whose value ends at `end`, is a key of the top-level object of
 * `data` (a JSON object): true when no bracket opens before it, or none closes between its value
 * and the last brace.
 */
function atTopLevel(data: string, key: number, end: number): boolean {
  const last = data.length - 1;
  if (Math.min(indexOr(data, '{', 1, last), indexOr(data, '[', 1, last)) > key) return true;
  return Math.max(data.lastIndexOf('}', last - 1), data.lastIndexOf(']', last - 1)) < end;
}

/** Where the model value (between its quotes) of an ordinary delta chunk lies. */
export interface ModelSpan {
  start: number;
  end: number;
}

/**
 * Recognises an ordinary delta chunk from its text alone, without parsing it: a compact JSON
 * object with no `rror"` anywhere (so no `"error"` key or value), every `"finish_reason"`
 * followed by `:null` and every `"usage"` by `:null`, exactly one `"model"`, at the top level,
 * followed by `:"` and a value without a backslash, and no escaped ASCII character. Such a chunk
 * neither finishes nor fails the stream and carries no usage, so the full path would only rename
 * its model. Returns the span of the model value, or `undefined` for anything else (spaces
 * around a colon, escapes, a second model key, no model...), which takes the full path.
 */
export function scanDeltaChunk(data: string): ModelSpan | undefined {
  if (isUsualContentChunk(data)) {
    const start = data.indexOf('"model":"') + 9;
    return { start, end: data.indexOf('"', start) };
  }
  return scanDeltaChunkText(data);
}

/**
 * A string value of `CONTENT_CHUNK` up to its closing quote, which must not end a text the scan
 * reads as a key or an error: `rror` (a `rror"`), or exactly `model`, `usage` or `finish_reason`.
 */
const CHUNK_VALUE_END = `(?<!rror)(?<!"model)(?<!"usage)(?<!"finish_reason)"`;

/**
 * The source of `CONTENT_CHUNK` (without its anchors). `inLine` keeps every value free of line
 * ends too, for the run pattern, which reads a data line from the wire text (there a line end
 * ends the line); `model`, when given, is the only model value it accepts.
 */
function contentChunkSource(inLine: boolean, model?: string): string {
  const free = inLine ? String.raw`\n\r` : '';
  const string = String.raw`[^"\\${free}]*${CHUNK_VALUE_END}`;
  // Content: escapes allowed but for escaped ASCII and an escaped backslash before `u00[2-7]`.
  const content = String.raw`(?:[^"\\${free}]|\\[^u\\${free}]|\\\\(?!u00[2-7])|\\u(?!00[2-7]))*${CHUNK_VALUE_END}`;
  const modelValue =
    model === undefined
      ? string
      : `${model.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}${CHUNK_VALUE_END}`;
  return (
    String.raw`\{"id":"[^"\\{[${free}]*${CHUNK_VALUE_END},"object":"chat\.completion\.chunk","created":\d{1,15},"model":"${modelValue}` +
    `(?:,"service_tier":(?:"${string}|null))?(?:,"system_fingerprint":(?:"${string}|null))?` +
    String.raw`,"choices":\[\{"index":\d{1,9},"delta":\{(?:"role":"assistant",)?"content":"${content}` +
    String.raw`(?:,"refusal":null)?\},"logprobs":null,"finish_reason":null\}\](?:,"usage":null)?(?:,"obfuscation":"${string})?\}`
  );
}

/**
 * The usual content chunk (OpenAI's order of keys, one choice, a content delta), checked in one
 * pass: a regular expression costs a fraction of the scan below. It accepts only chunks the scan
 * accepts, with the same model span (a differential test checks it): the only `model`, `usage`
 * and `finish_reason` keys are its own (nulls but the model), no string value ends as one of
 * those keys or in `rror` (see `CHUNK_VALUE_END`), the id holds no bracket (the model key is then
 * the first one nested in nothing), and the content has no escaped ASCII character, nor an
 * escaped backslash before `u00` and a digit 2 to 7 (the scan reads those as one).
 */
const CONTENT_CHUNK = new RegExp(`^${contentChunkSource(false)}$`);

/** Run patterns by the upstream model they accept, made once (a few models per server). */
const contentRuns = new Map<string, RegExp>();

/**
 * A run of usual content chunks whose model is `model`, as they come on the wire (`data: `, one
 * line, a blank line), for the SSE parser (`SseParserOptions.plainRun`).
 */
function contentRunPattern(model: string): RegExp {
  let pattern = contentRuns.get(model);
  if (pattern === undefined) {
    pattern = new RegExp(String.raw`(?:data: ${contentChunkSource(true, model)}\n\n)+`, 'y');
    if (contentRuns.size < 64) contentRuns.set(model, pattern);
  }
  return pattern;
}

/** Whether `data` has the shape `CONTENT_CHUNK` checks in one pass. */
export function isUsualContentChunk(data: string): boolean {
  return CONTENT_CHUNK.test(data);
}

/** The general scan of `scanDeltaChunk`. */
export function scanDeltaChunkText(data: string): ModelSpan | undefined {
  if (data.charCodeAt(0) !== 0x7b || data.charCodeAt(data.length - 1) !== 0x7d) return undefined;
  if (data.includes('rror"')) return undefined;
  if (!allNull(data, 'finish_reason"') || !allNull(data, 'usage"')) return undefined;
  const key = findKey(data, 'model"', 1);
  if (key === -1 || findKey(data, 'model"', key + 7) !== -1) return undefined;
  if (!textAt(data, key + 7, ':"')) return undefined;
  const start = key + 9;
  const end = data.indexOf('"', start);
  if (end === -1) return undefined;
  const backslash = data.indexOf('\\', start);
  if (backslash !== -1 && backslash < end) return undefined;
  if (!atTopLevel(data, key, end)) return undefined;
  if (data.includes('\\u00') && ESCAPED_ASCII.test(data)) return undefined;
  return { start, end };
}

/** Creates the passthrough step. */
export function createChatStreamPassthrough(
  context: EncodeContext,
  options: PassthroughOptions = {},
): PassthroughStep {
  // From the client's own body when the route has it (same format: no decoding needed).
  const streamOptions = context.clientBody
    ? context.clientBody.stream_options
    : readChatMeta(context.request?.meta).streamOptions;
  const clientWantsUsage = isRecord(streamOptions) && streamOptions.include_usage === true;
  let done = false;
  let finished = false;
  let failed = false;

  const quotedModel = context.model === undefined ? undefined : JSON.stringify(context.model);
  /**
   * The run of usual content chunks, once `plain` has seen the upstream's model in one, when
   * they go as they came: the upstream's model is the client's (or none is shown). A run whose
   * model is renamed is read chunk by chunk: replacing the name in a run's text cost as much as
   * the run saved (`replaceAll`, 35 µs for 200 chunks).
   */
  let run: PlainRun | undefined;
  let runKnown = false;

  function learnRun(upstream: string): void {
    runKnown = true;
    if (context.model === undefined || context.model === upstream) {
      run = { pattern: contentRunPattern(upstream) };
    }
  }

  /** An ordinary delta chunk's data as forwarded (`context.model` in it), else `undefined`. */
  function plain(event: string | undefined, data: string): string | undefined {
    if (event === 'error') return undefined;
    const span = scanDeltaChunk(data);
    if (!span) return undefined;
    if (!runKnown) learnRun(data.slice(span.start, span.end));
    const model = context.model;
    if (
      model === undefined ||
      (span.end - span.start === model.length && textAt(data, span.start, model))
    ) {
      return data;
    }
    return `${data.slice(0, span.start - 1)}${quotedModel}${data.slice(span.end + 1)}`;
  }

  function failure(error: IrError): SseMessage[] {
    options.onError?.(error);
    return [{ data: JSON.stringify({ error: encodeOpenAIErrorObject(error) }) }, DONE];
  }

  function forward(message: SseMessage): SseMessage[] {
    // A comment, or a run of ordinary chunks `plain` accepted while parsing.
    if (message.comment !== undefined || message.raw !== undefined) return [message];
    if (message.data === '[DONE]') {
      done = true;
      return [message];
    }
    // The fast path: an ordinary delta chunk, complete (not cut by the end of input), is
    // forwarded as written, only its model value replaced when the client named another.
    if (!isUnterminated(message)) {
      const data = plain(message.event, message.data);
      if (data === message.data) return [message];
      if (data !== undefined) return [{ ...message, data }];
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
    plain,
    plainRun: () => run,
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
