/**
 * Cleans an upstream Responses stream (typically the Codex backend's) for a Responses client without translating it.
 * @see https://github.com/openai/openai-node/blob/master/src/lib/responses/ResponseStream.ts
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { parseSse } from '../../sse/parse.js';
import { isRecord, type JsonObject, tryParseJson } from '../../util/json.js';
import { onlyValue } from '../../util/json-text.js';
import { endsWithText } from '../../util/text-at.js';
import type {
  EncodeContext,
  IrErrorEvent,
  PassthroughOptions,
  PassthroughStep,
} from '../format.js';
import { encodeOpenAIErrorObject } from '../openai-error.js';
import {
  createResponsesEventAccumulator,
  DELTA_RUNS,
  isItemEventType,
  plainDelta,
} from './accumulate-stream.js';
import { encodeResponseError, responseIdFor } from './encode-response.js';
import { buildEnvelope } from './envelope.js';
import { decodeStreamError, readStreamErrorObject } from './stream-error.js';
import {
  createUnknownReporter,
  isBackendEvent,
  isKnownEvent,
  PUBLIC_EVENT_TYPES,
  parseScanned,
  readStreamEvent,
  reportScannedBackendEvent,
  type ScannedEvent,
  scanItemDone,
  scanStreamEvent,
  TERMINAL_EVENT_TYPES,
} from './stream-event.js';
import { decodeUsage } from './usage.js';

const LIFECYCLE = new Set(['response.created', 'response.in_progress', 'response.queued']);

/** What precedes a run event's type in its data, and what follows it up to the number. */
const TYPE_PREFIX_LENGTH = '{"type":"'.length;
const SEQUENCE_AFTER_TYPE = '","sequence_number":';

/**
 * Creates the same-format passthrough step (`WireFormat.createStreamPassthrough`). It drops what
 * is not a public Responses event (`codex.*`, `keepalive`, unknown types: openai-node's
 * `responses.stream()` throws on them), keeps `sequence_number` increasing (`nextNumber`), shows
 * `context.model`, and puts the rebuilt output into a terminal event whose `output` is missing,
 * `null` or `[]` (Codex drift). Every other event is forwarded untouched. A stream that stopped
 * before its terminal event, or an `error` item (the upstream connection failed), ends with an
 * `error` event and `response.failed` holding the output so far (only `response.failed` after
 * an upstream `error` event), so the client sees the failure. Usage in the terminal event is
 * reported through `options.onUsage`.
 *
 * Fast paths (issue 13): the parser hands on runs of item deltas (`plainDelta`, `DELTA_RUNS`) as
 * their text, in which only the numbers are rewritten (`pushRun`); the accumulator keeps the run
 * unread until a rebuild needs it. A flat event `scanStreamEvent` checks in full (deltas, `keepalive`) is
 * dropped or forwarded without being parsed, its number rewritten in its text, and kept unparsed
 * for the rebuild (parsed only if the output must be rebuilt and no `output_item.done` replaced
 * it). An `output_item.done` in its usual form (`scanItemDone`) is forwarded so too, its item
 * checked and kept as its text, which a rebuilt output copies instead of serialising the item
 * again. Other events with the recognised prefix are parsed but not serialised again: the number,
 * and a lifecycle or terminal event's model, are rewritten in their text when `rewrite` finds
 * that safe. Anything else (another shape, a rebuilt output) takes the full path: parsed, and
 * serialised again when it changed.
 */
export function createResponsesStreamPassthrough(
  context: EncodeContext,
  options?: PassthroughOptions,
): PassthroughStep {
  const accumulator = createResponsesEventAccumulator(options);
  const reportUnknown = createUnknownReporter(options);
  /** The last `sequence_number` sent; -1 before the first event. */
  let last = -1;
  let started = false;
  let terminated = false;
  let sawError = false;
  /**
   * Reads the last envelope (a lifecycle event's `response`), for a failure's terminal event.
   * One read through its scanned text is kept as that text (`keepEnvelope`), not as its parsed
   * object: a stream holds it to its end, where a parsed 50 KB envelope of instructions and tools
   * was most of what a Responses stream moved to the old generation (issue 13).
   */
  let lastEnvelope: (() => JsonObject | undefined) | undefined;
  /**
   * The last lifecycle event read through its scanned text, for `pushRepeated`; let go at the
   * first item event (the envelope is repeated before the output, not after).
   */
  let repeated: RepeatedEnvelope | undefined;

  function showModel(response: JsonObject): void {
    if (context.model !== undefined) response.model = context.model;
  }

  /**
   * The event numbered next: the original message when its number is already right and nothing
   * changed; else the original text with the number (and `edits`: the model, a rebuilt output)
   * rewritten when `scanned` allows it (`rewrite`); else the event serialised again.
   */
  function emit(
    event: (JsonObject & { type: string }) | undefined,
    original?: SseMessage,
    changed = false,
    scanned?: ScannedEvent,
    edits?: TextEdits,
  ): SseMessage {
    const type = event?.type ?? scanned?.type ?? '';
    const current = event ? event.sequence_number : scanned?.sequence.value;
    const number = nextNumber(current);
    if (original && !changed && current === number) {
      return original.event === undefined ? { ...original, event: type } : original;
    }
    if (original && scanned) {
      const data = rewrite(scanned, number, event, edits);
      if (data !== undefined) {
        if (event) event.sequence_number = number;
        // A rebuilt output adds what the upstream's text did not hold: the text is searched.
        return edits?.output
          ? { event: type, data }
          : { event: type, data, sourceData: original.data };
      }
    }
    const full: JsonObject = event ?? (scanned ? parseScanned(scanned) : undefined) ?? { type };
    full.sequence_number = number;
    // (An event parsed only now, `pushRepeated`'s, shows the client's model here.)
    if (edits?.rename && isRecord(full.response)) full.response.model = edits.rename.to;
    if (edits?.output && isRecord(full.response))
      full.response.output = JSON.parse(edits.output.text);
    return { event: type, data: JSON.stringify(full) };
  }

  /**
   * The number the next event is sent with: the upstream's own when it is an integer above the
   * last one sent, so that a dropped event (`keepalive`) leaves a gap, as it does for a client
   * that skips it, and the upstream's text goes unchanged; else the last one plus one (an event
   * the proxy adds, or an upstream without numbers or out of order).
   */
  function nextNumber(upstream: unknown): number {
    last =
      Number.isSafeInteger(upstream) && (upstream as number) > last
        ? (upstream as number)
        : last + 1;
    return last;
  }

  /** A `response.created` for a stream whose first public event is something else. */
  function synthesizeStart(from: JsonObject | undefined): SseMessage {
    const response: JsonObject = from
      ? { ...from, status: 'in_progress', output: [] }
      : {
          ...buildEnvelope(context),
          id: responseIdFor(undefined, context),
          created_at: context.createdAt,
          model: context.model ?? context.request?.model ?? '',
          status: 'in_progress',
          error: null,
          incomplete_details: null,
          output: [],
          usage: null,
        };
    showModel(response);
    lastEnvelope = () => response;
    started = true;
    return emit({ type: 'response.created', response });
  }

  /** The `error` event: openai-node's `responses.stream()` throws on it, with its message. */
  function errorEvent(error: IrError): SseMessage {
    const base = encodeOpenAIErrorObject(error);
    const object: JsonObject = { ...base, type: error.upstreamType ?? base.type };
    // Both shapes: openai-node throws an `APIError` with our message only for the nested one.
    return emit({
      type: 'error',
      code: object.code,
      message: object.message,
      param: object.param,
      error: object,
    });
  }

  function fail(error: IrError): SseMessage[] {
    if (terminated) return [];
    terminated = true;
    options?.onError?.(error);
    const out: SseMessage[] = [];
    if (!started) out.push(synthesizeStart(undefined));
    out.push(errorEvent(error));
    const body = { ...lastEnvelope?.(), ...accumulator.result().body };
    showModel(body);
    out.push(
      emit({
        type: 'response.failed',
        response: { ...body, status: 'failed', error: encodeResponseError(error) },
      }),
    );
    return out;
  }

  /**
   * Fast path for a flat event `scanStreamEvent` checked in full (deltas and the like): dropped
   * or forwarded as text, and kept unparsed for the rebuild; `undefined` for the full path.
   */
  function pushFlat(message: SseMessage, scanned: ScannedEvent): SseMessage[] | undefined {
    const type = scanned.type;
    if (isBackendEvent(type)) {
      reportScannedBackendEvent(options, scanned);
      return [];
    }
    if (!started || !PUBLIC_EVENT_TYPES.has(type) || type === 'error') return undefined;
    if (LIFECYCLE.has(type) || TERMINAL_EVENT_TYPES.has(type)) return undefined;
    if (isItemEventType(type)) accumulator.pushScanned(scanned);
    return [emit(undefined, message, false, scanned)];
  }

  /**
   * A lifecycle event whose text after its number is the previous lifecycle event's (Codex and
   * OpenAI repeat the whole envelope in `response.created` and `response.in_progress`): the same
   * envelope, not parsed again; `undefined` for the full path.
   */
  function pushRepeated(
    message: SseMessage,
    scanned: ScannedEvent,
    previous: RepeatedEnvelope,
  ): SseMessage[] | undefined {
    const { data, sequence } = scanned;
    const text = previous.text;
    if (scanned.flat || data.length - sequence.end !== text.length || !endsWithText(data, text))
      return undefined;
    accumulator.pushEnvelope(previous.read);
    lastEnvelope = previous.read;
    const edits: TextEdits = previous.rename ? { rename: previous.rename } : {};
    return [emit(undefined, message, edits.rename !== undefined, scanned, edits)];
  }

  /**
   * A run of deltas as the parser forwards it (`plainDelta`): its text with each number the next
   * one, kept unread for the rebuild. Before the stream's start (the numbering starts there) its
   * events go one by one. A run whose numbers are all right goes as it came, the upstream's
   * bytes with it (`SseMessage.rawBytes`).
   */
  function pushRun(run: SseMessage & { raw: string }): SseMessage[] {
    const raw = run.raw;
    if (terminated) return [];
    if (!started) {
      const out: SseMessage[] = [];
      for (const message of parseSse(raw)) for (const sent of push(message)) out.push(sent);
      return out;
    }
    accumulator.pushRun(raw);
    repeated = undefined;
    // Each event numbered by `nextNumber`: the text is kept but for the digits that change.
    // A run's events are `event:[ ]T`, `data:[ ]{"type":"T","sequence_number":N…` (`plainDelta`).
    // The pieces are joined by `+`, as a rope: the answer's one join copies them, once (an array
    // joined here copied the whole run once more).
    let renumbered = '';
    let copied = 0;
    for (let pos = 0, end = raw.indexOf('\n\n'); end !== -1; end = raw.indexOf('\n\n', pos)) {
      const lineEnd = raw.indexOf('\n', pos);
      const name = raw.charCodeAt(pos + 6) === 0x20 ? pos + 7 : pos + 6;
      const data = raw.charCodeAt(lineEnd + 6) === 0x20 ? lineEnd + 7 : lineEnd + 6;
      let start = data + TYPE_PREFIX_LENGTH + (lineEnd - name) + SEQUENCE_AFTER_TYPE.length;
      if (raw.charCodeAt(start - 1) !== 0x3a)
        start = raw.indexOf(SEQUENCE_AFTER_TYPE, pos) + SEQUENCE_AFTER_TYPE.length;
      let digitsEnd = start;
      let upstream = 0;
      for (
        let code = raw.charCodeAt(start);
        code >= 48 && code <= 57;
        code = raw.charCodeAt(++digitsEnd)
      ) {
        upstream = upstream * 10 + (code - 48);
      }
      const number = nextNumber(digitsEnd > start ? upstream : undefined);
      if (upstream !== number) {
        renumbered += raw.slice(copied, start) + number;
        copied = digitsEnd;
      }
      pos = end + 2;
    }
    return [copied === 0 ? run : { data: '', raw: renumbered + raw.slice(copied) }];
  }

  function push(item: SseMessage | IrErrorEvent): SseMessage[] {
    if ('type' in item && item.type === 'error') return fail(item.error);
    const message = item as SseMessage;
    if (message.raw !== undefined) return pushRun(message as SseMessage & { raw: string });
    if (terminated) return [];
    let scanned = scanStreamEvent(message);
    if (scanned !== undefined && isItemEventType(scanned.type)) repeated = undefined;
    if (scanned?.flat) {
      const forwarded = pushFlat(message, scanned);
      if (forwarded) return forwarded;
    }
    if (scanned && repeated && started && LIFECYCLE.has(scanned.type)) {
      const again = pushRepeated(message, scanned, repeated);
      if (again) return again;
    }
    if (scanned && started && !scanned.flat) {
      // An `output_item.done` in its usual form: its item is kept as text, never parsed again.
      const done = scanItemDone(scanned);
      if (done) {
        accumulator.pushItemDone(done.index, done.text);
        return [emit(undefined, message, false, scanned, { keysKnown: true })];
      }
    }
    let event = scanned ? parseScanned(scanned) : undefined;
    if (!event) {
      scanned = undefined;
      event = readStreamEvent(message, options);
    }
    if (!event) return [];
    const type = event.type;
    if (isItemEventType(type)) repeated = undefined;
    if (isBackendEvent(type)) {
      options?.onBackendEvent?.(event);
      return [];
    }
    if (!PUBLIC_EVENT_TYPES.has(type)) {
      if (!isKnownEvent(type)) reportUnknown(type);
      return [];
    }
    const out: SseMessage[] = [];
    const response = isRecord(event.response) ? event.response : undefined;
    if (!started && type !== 'response.created') {
      out.push(synthesizeStart(LIFECYCLE.has(type) ? response : undefined));
    }
    started = true;
    accumulator.pushEvent(event);
    let changed = false;
    const edits: TextEdits = {};
    if (response && (LIFECYCLE.has(type) || TERMINAL_EVENT_TYPES.has(type))) {
      if (context.model !== undefined && response.model !== context.model) {
        if (typeof response.model === 'string')
          edits.rename = { from: response.model, to: context.model };
        else scanned = undefined;
        showModel(response);
        changed = true;
      }
      repeated = undefined;
      if (LIFECYCLE.has(type)) {
        if (scanned && !scanned.flat) {
          const kept = keepEnvelope(scanned);
          accumulator.pushEnvelope(kept.read);
          lastEnvelope = kept.read;
          repeated = { ...kept, ...(edits.rename ? { rename: edits.rename } : {}) };
        } else lastEnvelope = () => response;
      }
    }
    if (TERMINAL_EVENT_TYPES.has(type)) {
      terminated = true;
      if (response && isRecord(response.usage)) options?.onUsage?.(decodeUsage(response.usage));
      const output = response?.output;
      if (response && (!Array.isArray(output) || output.length === 0)) {
        const rebuilt = accumulator.outputText();
        if (rebuilt.count > 0 || !Array.isArray(output)) {
          edits.output = { text: rebuilt.text, was: 'output' in response ? output : undefined };
          changed = true;
        }
      }
    }
    if (type === 'error') {
      sawError = true;
      options?.onError?.(decodeStreamError(readStreamErrorObject(event), 'Upstream stream failed'));
    }
    // openai-node returns a `response.failed` as a final response: the `error` event before it
    // makes the failure an exception, as it is for a failure the proxy reports itself.
    if (type === 'response.failed' && !sawError) {
      sawError = true;
      const error = decodeStreamError(response?.error, 'Upstream response failed');
      options?.onError?.(error);
      out.push(errorEvent(error));
    }
    out.push(emit(event, message, changed, scanned, edits));
    return out;
  }

  function end(): SseMessage[] {
    if (terminated) return [];
    if (sawError) {
      terminated = true;
      const body = { ...lastEnvelope?.(), ...accumulator.result().body };
      showModel(body);
      return [emit({ type: 'response.failed', response: { ...body, status: 'failed' } })];
    }
    // The upstream closed before its terminal event: a broken-off answer, never an incomplete
    // one (that status means a length or filter cut the upstream reported).
    return fail({ ...TRUNCATED_STREAM_ERROR, status: 502 });
  }

  return { push, end, plain: plainDelta, plainRun: () => DELTA_RUNS };
}

/** A lifecycle event as read: its text after the number, its envelope, its model change. */
interface RepeatedEnvelope extends KeptEnvelope {
  rename?: { from: string; to: string };
}

/** A lifecycle event's text after its number, and a reader of its `response` (`keepEnvelope`). */
interface KeptEnvelope {
  text: string;
  read: () => JsonObject | undefined;
}

/**
 * Keeps a lifecycle event (already parsed once and found valid) as its own copy of its text,
 * not as a slice that would hold the whole chunk it came in; its `response` is parsed again only
 * when asked, once (a stream that fails).
 */
function keepEnvelope(scanned: ScannedEvent): KeptEnvelope {
  const data = ` ${scanned.data}`.slice(1);
  let response: JsonObject | undefined | null = null;
  return {
    text: data.slice(scanned.sequence.end),
    read: () => {
      if (response === null) {
        const event = tryParseJson(data);
        response = isRecord(event) && isRecord(event.response) ? event.response : undefined;
      }
      return response;
    },
  };
}

/** What a full-path event changed besides its number, for `rewrite` to redo in its text. */
interface TextEdits {
  /** The response's model, shown as the client's. */
  rename?: { from: string; to: string };
  /** The rebuilt output's JSON text, and the terminal `output` it replaces (`undefined`: none was there). */
  output?: { text: string; was: unknown };
  /**
   * The event's top-level keys are known (`scanItemDone`): a `\u` escape in its text hides no
   * second `sequence_number`, so the number is rewritten whatever the text holds.
   */
  keysKnown?: boolean;
}

/**
 * The scanned event's text with `sequence_number` set to `number` and the `edits` made;
 * `undefined` when a textual edit is not safe. The number is the scanned prefix's. The model
 * must be the only `"model"` in the text, written `"model":"<from>"` exactly (its only
 * occurrence is then the response's key); a replaced `null` or `[]` output likewise the only
 * `"output"`; a missing output is appended to `response` when it is the event's last key and the
 * text ends with its closing braces. A non-flat text with a `\u` escape is not edited, unless its
 * keys are known (`TextEdits.keysKnown`): an escaped key could be a second `sequence_number`,
 * `model` or `output` the scan does not see.
 */
function rewrite(
  scanned: ScannedEvent,
  number: number,
  event: JsonObject | undefined,
  edits: TextEdits | undefined,
): string | undefined {
  const { data, sequence } = scanned;
  const changes: Array<[start: number, end: number, text: string]> = [
    [sequence.start, sequence.end, String(number)],
  ];
  if (!scanned.flat && !edits?.keysKnown && data.includes('\\u')) return undefined;
  if (edits?.rename) {
    const span = onlyValue(data, '"model"', JSON.stringify(edits.rename.from));
    if (!span) return undefined;
    changes.push([...span, JSON.stringify(edits.rename.to)]);
  }
  if (edits?.output) {
    const json = edits.output.text;
    const was = edits.output.was;
    if (was === undefined) {
      const keys = event ? Object.keys(event) : [];
      const close = data.length - 2;
      if (keys[keys.length - 1] !== 'response' || !data.endsWith('}}')) return undefined;
      if (data.charCodeAt(close - 1) === 123) return undefined; // an empty response object
      changes.push([close, close, `,"output":${json}`]);
    } else {
      const span = onlyValue(data, '"output"', JSON.stringify(was));
      if (!span) return undefined;
      changes.push([...span, json]);
    }
  }
  changes.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end, text] of changes) {
    if (start < at) return undefined;
    out += data.slice(at, start) + text;
    at = end;
  }
  return out + data.slice(at);
}
