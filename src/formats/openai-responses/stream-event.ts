/**
 * Reads Responses SSE messages as events and names the event types the format knows.
 * @see https://github.com/openai/openai-node/blob/master/src/resources/responses/responses.ts
 */
import type { SseMessage } from '../../sse/message.js';
import { isUnterminated } from '../../sse/parse.js';
import { isRecord, type JsonObject, tryParseJson } from '../../util/json.js';
import { MAX_STREAM_INDEX } from '../../util/narrow.js';
import { textAt } from '../../util/text-at.js';
import type { DecodeStreamOptions } from '../format.js';

/**
 * Every event type of openai-node's `ResponseStreamEvent` union (openai 6.49): the SDK's
 * `responses.stream()` throws `Unhandled response stream event` on any other type.
 */
export const PUBLIC_EVENT_TYPES: ReadonlySet<string> = new Set([
  'error',
  'response.audio.delta',
  'response.audio.done',
  'response.audio.transcript.delta',
  'response.audio.transcript.done',
  'response.code_interpreter_call.completed',
  'response.code_interpreter_call.in_progress',
  'response.code_interpreter_call.interpreting',
  'response.code_interpreter_call_code.delta',
  'response.code_interpreter_call_code.done',
  'response.completed',
  'response.content_part.added',
  'response.content_part.done',
  'response.created',
  'response.custom_tool_call_input.delta',
  'response.custom_tool_call_input.done',
  'response.failed',
  'response.file_search_call.completed',
  'response.file_search_call.in_progress',
  'response.file_search_call.searching',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'response.image_generation_call.completed',
  'response.image_generation_call.generating',
  'response.image_generation_call.in_progress',
  'response.image_generation_call.partial_image',
  'response.in_progress',
  'response.incomplete',
  'response.mcp_call.completed',
  'response.mcp_call.failed',
  'response.mcp_call.in_progress',
  'response.mcp_call_arguments.delta',
  'response.mcp_call_arguments.done',
  'response.mcp_list_tools.completed',
  'response.mcp_list_tools.failed',
  'response.mcp_list_tools.in_progress',
  'response.output_item.added',
  'response.output_item.done',
  'response.output_text.annotation.added',
  'response.output_text.delta',
  'response.output_text.done',
  'response.queued',
  'response.reasoning_summary_part.added',
  'response.reasoning_summary_part.done',
  'response.reasoning_summary_text.delta',
  'response.reasoning_summary_text.done',
  'response.reasoning_text.delta',
  'response.reasoning_text.done',
  'response.refusal.delta',
  'response.refusal.done',
  'response.web_search_call.completed',
  'response.web_search_call.in_progress',
  'response.web_search_call.searching',
]);

/**
 * Documented events that are newer than openai-node 6.49's union (WIRE-FORMATS §2.1): known,
 * so not reported, but never forwarded to an SDK client.
 */
const NEWER_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.shell_call_command.added',
  'response.shell_call_command.delta',
  'response.shell_call_command.done',
  'response.shell_call_output_content.delta',
  'response.shell_call_output_content.done',
]);

/** The lifecycle events that end a stream. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

/**
 * Events that are not Responses events but are known to come on the wire: the Codex backend's
 * `codex.*` events (`codex.rate_limits`, observed 2025-09 before `response.created`) and the
 * undocumented `keepalive` heartbeat (openai/openai-node#1964).
 */
export function isBackendEvent(type: string): boolean {
  return type === 'keepalive' || type.startsWith('codex.');
}

/**
 * Hands a scanned backend event to `options.onBackendEvent`, parsed (only when there is a
 * taker: the steps drop these events unread otherwise).
 */
export function reportScannedBackendEvent(
  options: DecodeStreamOptions | undefined,
  scanned: ScannedEvent,
): void {
  const report = options?.onBackendEvent;
  if (report === undefined) return;
  const event = parseScanned(scanned);
  if (event !== undefined) report(event);
}

/** Whether a type is a known Responses event (public or newer documented). */
export function isKnownEvent(type: string): boolean {
  return PUBLIC_EVENT_TYPES.has(type) || NEWER_EVENT_TYPES.has(type);
}

/**
 * Parses a message into an event, or `undefined` for what carries no event (comments,
 * `[DONE]`, invalid JSON, JSON without a type), reporting the last two as warnings.
 */
export function readStreamEvent(
  message: SseMessage,
  options: DecodeStreamOptions | undefined,
): (JsonObject & { type: string }) | undefined {
  if (message.comment !== undefined) return undefined;
  const data = message.data;
  // `[DONE]` is Chat framing, tolerated anywhere as openai-node does.
  if (data === '' || data.startsWith('[DONE]')) return undefined;
  const parsed = tryParseJson(data);
  if (!isRecord(parsed)) {
    options?.onWarning?.({
      code: 'unexpected',
      message: `Skipped a Responses stream event that is not a JSON object${message.event ? ` ("${message.event}")` : ''}`,
    });
    return undefined;
  }
  const type = typeof parsed.type === 'string' ? parsed.type : message.event;
  if (type === undefined || type === '') {
    options?.onWarning?.({
      code: 'unexpected',
      message: 'Skipped a Responses stream event without a type',
    });
    return undefined;
  }
  // The SSE event name stands in for a missing `type`.
  return Object.assign(parsed, { type });
}

/** Reports each unknown event type once per stream. */
export function createUnknownReporter(
  options: DecodeStreamOptions | undefined,
): (type: string) => void {
  const seen = new Set<string>();
  return (type) => {
    if (seen.has(type)) return;
    seen.add(type);
    options?.onUnknownEvent?.(type);
  };
}

/**
 * What `scanStreamEvent` read from an event's data without parsing it. The data starts with
 * `{"type":"T","sequence_number":N` (so both are top-level keys, the first two).
 */
export interface ScannedEvent {
  type: string;
  data: string;
  /** `sequence_number` and where its digits are in `data`. */
  sequence: { value: number; start: number; end: number };
  /**
   * A flat object (string, number, literal and `[]` values only) checked to be valid JSON in
   * full, with no second `type` or `sequence_number`: it may be forwarded or kept unparsed.
   * Otherwise only the prefix was read and the data must still be parsed (`parseScanned`).
   */
  flat: boolean;
  /**
   * The top-level `output_index` of a flat event, when a plain integer up to
   * `MAX_STREAM_INDEX` (`undefined`: unknown, or too large to be read as one).
   */
  outputIndex?: number;
}

const STRING = String.raw`"[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"`;
const NUMBER = String.raw`-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`;
const FLAT_VALUE = `(?:${STRING}|${NUMBER}|true|false|null|\\[\\])`;
/** One more key of a flat event: no escape, neither `type`, `sequence_number` nor `output_index`. */
const FLAT_KEY = `,"(?!type"|sequence_number"|output_index")[a-z0-9_]+":${FLAT_VALUE}`;
/**
 * A whole flat event: the prefix, then keys without escapes and scalar (or `[]`) values, no
 * second `type` or `sequence_number`, at most one `output_index`, a plain integer. Captures the
 * type, the number and the output index (no capture sits in a repeated group).
 */
const FLAT = new RegExp(
  String.raw`^\{"type":"([a-z0-9_.]+)","sequence_number":(0|[1-9]\d{0,14})(?:${FLAT_KEY})*(?:,"output_index":(0|[1-9]\d{0,8})(?:${FLAT_KEY})*)?\}$`,
);
const TYPE_START = '{"type":"';
const SEQUENCE_KEY = '","sequence_number":';

/** Reads the plain integer at `start` (no sign, no leading zero), followed by `,` or `}`. */
function plainInteger(data: string, start: number): [number, number] | undefined {
  const maxDigits = 15;
  let at = start;
  let value = 0;
  for (; at < data.length && at - start <= maxDigits; at++) {
    const code = data.charCodeAt(at);
    if (code < 48 || code > 57) break;
    value = value * 10 + (code - 48);
  }
  const digits = at - start;
  if (digits === 0 || digits > maxDigits || (digits > 1 && data.charCodeAt(start) === 48))
    return undefined;
  const next = data.charCodeAt(at);
  return next === 44 || next === 125 ? [value, at] : undefined;
}

/** Whether `type` is made of `[a-z0-9_.]` only (no escape, nothing to decode). */
function isPlainType(type: string): boolean {
  if (type === '') return false;
  for (let i = 0; i < type.length; i++) {
    const code = type.charCodeAt(i);
    if (!((code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95 || code === 46))
      return false;
  }
  return true;
}

/**
 * Reads an event's type and `sequence_number` from its text, for the fast paths that forward or
 * keep an event without parsing it. Only this exact compact prefix is recognised:
 * `{"type":"T","sequence_number":N` with a plain type and a plain integer, the type equal to the
 * SSE event name when there is one, and no second `"sequence_number"` anywhere (a non-flat
 * event's type is checked when it is parsed). A comment, a
 * message cut by the end of input (`isUnterminated`), pretty-printed or spaced JSON, another key
 * order, a missing number: `undefined`, and the caller takes its full path.
 */
export function scanStreamEvent(message: SseMessage): ScannedEvent | undefined {
  const data = message.data;
  if (!textAt(data, 0, TYPE_START) || message.comment !== undefined) return undefined;
  const flat = scanFlatEvent(message.event, data);
  if (flat !== undefined) return isUnterminated(message) ? undefined : flat;
  const typeEnd = data.indexOf('"', TYPE_START.length);
  if (typeEnd < 0 || !textAt(data, typeEnd, SEQUENCE_KEY)) return undefined;
  const type = data.slice(TYPE_START.length, typeEnd);
  if (!isPlainType(type) || (message.event !== undefined && message.event !== type))
    return undefined;
  const start = typeEnd + SEQUENCE_KEY.length;
  const number = plainInteger(data, start);
  if (!number || isUnterminated(message)) return undefined;
  const [value, end] = number;
  // A second number could be anywhere in a nested object (JSON.parse would keep the last).
  if (data.indexOf('"sequence_number"', end) >= 0) return undefined;
  return { type, data, sequence: { value, start, end }, flat: false };
}

/**
 * The flat event (see `ScannedEvent.flat`) of a complete event named `event` (when named) with
 * `data`; `undefined` when it is not one.
 */
export function scanFlatEvent(event: string | undefined, data: string): ScannedEvent | undefined {
  const flat = FLAT.exec(data);
  if (!flat) return undefined;
  const type = flat[1] as string;
  const digits = flat[2] as string;
  if (event !== undefined && event !== type) return undefined;
  const start = TYPE_START.length + type.length + SEQUENCE_KEY.length;
  const sequence = { value: Number(digits), start, end: start + digits.length };
  const index = flat[3] === undefined ? undefined : Number(flat[3]);
  return index === undefined || index > MAX_STREAM_INDEX
    ? { type, data, sequence, flat: true }
    : { type, data, sequence, flat: true, outputIndex: index };
}

/**
 * The item deltas a same-format route forwards in runs (`PlainRun`): public, item-scoped, flat,
 * and the bulk of a stream (text, reasoning, tool arguments).
 */
const DELTA_TYPES = String.raw`response\.(?:output_text|refusal|reasoning_text|reasoning_summary_text|function_call_arguments|custom_tool_call_input|mcp_call_arguments|code_interpreter_call_code)\.delta`;
const DELTA = new RegExp(`^${DELTA_TYPES}$`);

/**
 * Whether a complete event is a delta a run may carry: a `DELTA_TYPES` event named as its type
 * whose data is a flat event (`scanFlatEvent`: valid JSON, keys unescaped, no second `type` or
 * `sequence_number`). Such an event is forwarded as it came but for its number (an unnamed one
 * gets its `event:` line on the full path).
 */
export function isPlainDelta(event: string | undefined, data: string): boolean {
  if (!textAt(data, 0, TYPE_START)) return false;
  const typeEnd = data.indexOf('"', TYPE_START.length);
  if (typeEnd === -1) return false;
  const type = data.slice(TYPE_START.length, typeEnd);
  if (event !== type || !DELTA.test(type)) return false;
  return scanFlatEvent(event, data) !== undefined;
}

/** `FLAT_KEY` for a run: no key or string value ends in `rror` (see `PlainRun`). */
const RUN_KEY = `,"(?!type"|sequence_number"|output_index")[a-z0-9_]+(?<!rror)":(?:${STRING.replace(/"$/, '(?<!rror)"')}|${NUMBER}|true|false|null|\\[\\])`;

/**
 * A run of `isPlainDelta` events in their usual wire form (`event: T`, one data line, a blank
 * line), matched at once (`PlainRun`). A differential test checks it takes the events
 * `isPlainDelta` takes and no others.
 */
export const DELTA_RUN = new RegExp(
  String.raw`(?:event: (${DELTA_TYPES})\ndata: \{"type":"\1","sequence_number":(?:0|[1-9]\d{0,14})(?:${RUN_KEY})*(?:,"output_index":(?:0|[1-9]\d{0,8})(?:${RUN_KEY})*)?\}\n\n)+`,
  'y',
);

/** The end of the `"output_index":` key, searched for (see `readRunOutputIndexes`), and its start. */
const INDEX_KEY_END = 'x":';
const INDEX_KEY_START = '"output_inde';

/**
 * Reads the `output_index` keys of a run's events (at most one an event, and no other text of a
 * flat event is written so: a quote inside a string is escaped): each distinct index is added to
 * `indexes`, and the number of keys read is returned. A key counts only with a plain integer of
 * up to 9 digits followed by `,` or `}` (`/"output_index":(0|[1-9]\d{0,8})[,}]/`), and at most
 * `MAX_STREAM_INDEX` (a larger one is read as absent, so its run is read event by event). Read in
 * place (a regular expression made a match object per event), found by its last three
 * characters, then checked whole: V8 searches a pattern of 7 characters or more by
 * Boyer-Moore-Horspool, whose skips depend on the text's character under the pattern's last
 * (`:`, which ends every key here: short skips), and a shorter one by finding its first
 * character (`x`, rare) with `memchr` (30% less time on the bench's runs).
 */
export function readRunOutputIndexes(text: string, indexes: number[]): number {
  let count = 0;
  for (
    let found = text.indexOf(INDEX_KEY_END);
    found !== -1;
    found = text.indexOf(INDEX_KEY_END, found + INDEX_KEY_END.length)
  ) {
    const at = found - INDEX_KEY_START.length;
    if (at < 0 || !textAt(text, at, INDEX_KEY_START)) continue;
    const start = found + INDEX_KEY_END.length;
    let end = start;
    let value = 0;
    for (let code = text.charCodeAt(end); code >= 48 && code <= 57 && end - start < 10; ) {
      value = value * 10 + (code - 48);
      code = text.charCodeAt(++end);
    }
    const digits = end - start;
    if (digits === 0 || digits > 9 || (digits > 1 && text.charCodeAt(start) === 48)) continue;
    const next = text.charCodeAt(end);
    if ((next !== 44 && next !== 125) || value > MAX_STREAM_INDEX) continue;
    count++;
    if (!indexes.includes(value)) indexes.push(value);
  }
  return count;
}

/**
 * Parses a scanned event; `undefined` when the data is no JSON object or its parsed `type` or
 * `sequence_number` differ from the scanned ones (a duplicate key): the full path then reads it.
 */
export function parseScanned(scanned: ScannedEvent): (JsonObject & { type: string }) | undefined {
  const parsed = tryParseJson(scanned.data);
  if (!isRecord(parsed)) return undefined;
  if (parsed.type !== scanned.type || parsed.sequence_number !== scanned.sequence.value)
    return undefined;
  return parsed as JsonObject & { type: string };
}

const ITEM_DONE = 'response.output_item.done';
const OUTPUT_INDEX_AFTER_SEQUENCE = ',"output_index":';
const ITEM_AFTER_INDEX = ',"item":';

/**
 * The item of a scanned `response.output_item.done` written `{"type":"response.output_item.done",
 * "sequence_number":N,"output_index":I,"item":<item>}` exactly (the usual wire form), as its
 * output index and its text, checked to be a JSON object (parsed, then let go). The event's
 * top-level keys are then known: the three of the prefix and `item`, so no other key hides in
 * its text (a `\u` escape in the item is no key of the event). The text is copied into a string
 * of its own: a slice would hold the whole chunk it came in for as long as the text is kept.
 * `undefined` for any other form or an item that is no JSON object (the caller parses the event).
 */
export function scanItemDone(scanned: ScannedEvent): { index: number; text: string } | undefined {
  const { data, sequence } = scanned;
  if (scanned.type !== ITEM_DONE || !textAt(data, sequence.end, OUTPUT_INDEX_AFTER_SEQUENCE))
    return undefined;
  const index = plainInteger(data, sequence.end + OUTPUT_INDEX_AFTER_SEQUENCE.length);
  if (!index || index[0] > MAX_STREAM_INDEX || !textAt(data, index[1], ITEM_AFTER_INDEX))
    return undefined;
  const last = data.length - 1;
  if (data.charCodeAt(last) !== 0x7d) return undefined;
  // Sliced from a joined string, which V8 flattens first: a copy of the item's text alone.
  const text = ` ${data.slice(index[1] + ITEM_AFTER_INDEX.length, last)}`.slice(1);
  return isRecord(tryParseJson(text)) ? { index: index[0], text } : undefined;
}
