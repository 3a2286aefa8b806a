/**
 * Rebuilds the final Responses body from a Responses (or Codex backend) stream, drift-proof.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { type PlainRun, parseSse } from '../../sse/parse.js';
import { isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import { endsWithText } from '../../util/text-at.js';
import type { DecodeStreamOptions, StreamAccumulation, WireStreamAccumulator } from '../format.js';
import { IR_ENVELOPE_KEYS } from './decode-response.js';
import { encodeResponseError } from './encode-response.js';
import { narrowResponsesEvent } from './narrow.js';
import { OutputBuilder } from './output-builder.js';
import { decodeStreamError, readStreamErrorObject } from './stream-error.js';
import {
  createUnknownReporter,
  DELTA_RUN,
  isBackendEvent,
  isKnownEvent,
  isPlainDelta,
  parseScanned,
  readRunOutputIndexes,
  readStreamEvent,
  reportScannedBackendEvent,
  type ScannedEvent,
  scanStreamEvent,
} from './stream-event.js';
import type { ResponsesStreamEvent } from './types.js';

/** Hosted-tool progress events: the last segment of the type is the item's status. */
const PROGRESS =
  /^response\.(?:file_search_call|web_search_call|code_interpreter_call|image_generation_call|mcp_call)\.(in_progress|searching|interpreting|generating|completed|failed)$/;

/** The types `applyItemEvent` applies (besides hosted-tool progress, `PROGRESS`). */
const ITEM_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.delta',
  'response.output_text.done',
  'response.output_text.annotation.added',
  'response.refusal.delta',
  'response.refusal.done',
  'response.reasoning_text.delta',
  'response.reasoning_text.done',
  'response.reasoning_summary_part.added',
  'response.reasoning_summary_part.done',
  'response.reasoning_summary_text.delta',
  'response.reasoning_summary_text.done',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'response.custom_tool_call_input.delta',
  'response.custom_tool_call_input.done',
  'response.mcp_call_arguments.delta',
  'response.mcp_call_arguments.done',
  'response.code_interpreter_call_code.delta',
  'response.code_interpreter_call_code.done',
]);

/** Whether `applyItemEvent` applies an event of this type (it addresses one output item). */
export function isItemEventType(type: string): boolean {
  return ITEM_EVENT_TYPES.has(type) || PROGRESS.test(type);
}

/** Applies one stream event to a builder; lifecycle and error events are the caller's. */
export function applyItemEvent(output: OutputBuilder, event: ResponsesStreamEvent): boolean {
  switch (event.type) {
    case 'response.output_item.added':
      output.added(event);
      return true;
    case 'response.output_item.done':
      output.done(event);
      return true;
    case 'response.content_part.added':
      output.partAdded(event, false);
      return true;
    case 'response.content_part.done':
      output.partAdded(event, true);
      return true;
    case 'response.output_text.delta':
    case 'response.output_text.done':
      output.text(event, 'text', 'output_text', event.type.endsWith('.done'));
      return true;
    case 'response.output_text.annotation.added':
      output.annotation(event);
      return true;
    case 'response.refusal.delta':
    case 'response.refusal.done':
      output.text(event, 'refusal', 'refusal', event.type.endsWith('.done'));
      return true;
    case 'response.reasoning_text.delta':
    case 'response.reasoning_text.done':
      output.text(event, 'text', 'reasoning_text', event.type.endsWith('.done'));
      return true;
    case 'response.reasoning_summary_part.added':
    case 'response.reasoning_summary_part.done':
      output.summaryPart(event);
      return true;
    case 'response.reasoning_summary_text.delta':
    case 'response.reasoning_summary_text.done':
      output.summaryText(event, event.type.endsWith('.done'));
      return true;
    case 'response.function_call_arguments.delta':
    case 'response.function_call_arguments.done':
      output.itemField(
        event,
        'function_call',
        'arguments',
        'arguments',
        event.type.endsWith('.done'),
      );
      return true;
    case 'response.custom_tool_call_input.delta':
    case 'response.custom_tool_call_input.done':
      output.itemField(event, 'custom_tool_call', 'input', 'input', event.type.endsWith('.done'));
      return true;
    case 'response.mcp_call_arguments.delta':
    case 'response.mcp_call_arguments.done':
      output.itemField(event, 'mcp_call', 'arguments', 'arguments', event.type.endsWith('.done'));
      return true;
    case 'response.code_interpreter_call_code.delta':
    case 'response.code_interpreter_call_code.done':
      output.itemField(
        event,
        'code_interpreter_call',
        'code',
        'code',
        event.type.endsWith('.done'),
      );
      return true;
    default: {
      const progress = PROGRESS.exec(event.type);
      if (progress?.[1] !== undefined) {
        output.status(event, progress[1]);
        return true;
      }
      return false;
    }
  }
}

/** The native accumulator over events, parsed or only scanned (shared with the passthrough). */
export interface ResponsesEventAccumulator {
  pushEvent(event: JsonObject & { type: string }): void;
  /**
   * A lifecycle event's envelope (its `response`), read by `read` only if `result()` needs it:
   * what `pushEvent` does with a lifecycle event, without holding its parsed object.
   */
  pushEnvelope(read: () => JsonObject | undefined): void;
  /**
   * A flat event only scanned (`scanStreamEvent`), of a type `applyItemEvent` applies: kept
   * unparsed until the output is built, and never parsed when an `output_item.done` of its item
   * replaces what it built.
   */
  pushScanned(scanned: ScannedEvent): void;
  /**
   * A run of deltas as the SSE parser forwards it (`plainDelta`, `DELTA_RUNS`): kept as text,
   * its events read only when the output is built, and only those no later `output_item.done`
   * of their item replaced. A run holding an event addressed by its item's id (no
   * `output_index`) is read at once instead, as its events would be one by one.
   */
  pushRun(text: string): void;
  /**
   * An `output_item.done` whose item is kept as its text, checked to be a JSON object
   * (`scanItemDone`): it replaces its slot as the parsed event would, and is read only if an
   * event changes it or the output is built as objects.
   */
  pushItemDone(index: number, text: string): void;
  result(): StreamAccumulation;
  /**
   * The JSON text of the output `result()` gives and its number of items, items kept as text
   * (`pushItemDone`) copied as they came.
   */
  outputText(): { text: string; count: number };
}

/** The parser's plain events of a Responses stream: the deltas runs carry (`isPlainDelta`). */
export function plainDelta(event: string | undefined, data: string): string | undefined {
  return isPlainDelta(event, data) ? data : undefined;
}

/** Runs of deltas in their usual wire form, matched at once (`SseParserOptions.plainRun`). */
export const DELTA_RUNS: PlainRun = { pattern: DELTA_RUN };

/**
 * Creates the native accumulator (`WireFormat.createStreamAccumulator`). The envelope comes from
 * `response.created` (then `in_progress`/`queued`) and every field of the terminal event but
 * `output`; the output is always rebuilt from item and delta events, because the Codex backend
 * sends `response.completed` with `output` missing, `null` or `[]` (observed 2026-04 and
 * 2026-05, WIRE-FORMATS §3.3). A terminal `output` only fills items that were never streamed,
 * and only when it agrees with the stream. A stream that stops early still gives everything it
 * carried: unfinished items and the response are `incomplete`, with the truncation error.
 *
 * Fast path: flat item events (deltas) recognised by `scanStreamEvent` are kept unparsed
 * (`pushScanned`), and a lifecycle event whose data after its `sequence_number` is the same
 * text as the one before it (Codex and OpenAI repeat the whole envelope in `response.created`
 * and `response.in_progress`) is not parsed again: it would give the same envelope. With
 * `options.irOnly`, a scanned lifecycle event is kept as its text, parsed only if `result()`
 * needs its envelope (`pushEnvelope`). Everything else is parsed as before.
 */
export function createResponsesStreamAccumulator(
  options?: DecodeStreamOptions,
): WireStreamAccumulator {
  const accumulator = createResponsesEventAccumulator(options);
  const irOnly = options?.irOnly === true;
  /**
   * With `irOnly`: reads the envelope the lifecycle events so far give (the last one whose
   * `response` is an object, as `pushEvent` keeps it).
   */
  let lifecycleEnvelope: (() => JsonObject | undefined) | undefined;
  /**
   * The text after `sequence_number` of the last lifecycle event that set the envelope; let go
   * at the first item event (the envelope repeats before the output), so that the 50 KB text,
   * and the chunk it is a part of, are not held to the stream's end.
   */
  let envelopeText: string | undefined;
  return {
    plain: plainDelta,
    plainRun: () => DELTA_RUNS,
    push(message: SseMessage): void {
      if (message.raw !== undefined) {
        accumulator.pushRun(message.raw);
        envelopeText = undefined;
        return;
      }
      const scanned = scanStreamEvent(message);
      if (scanned) {
        const type = scanned.type;
        if (isItemEventType(type)) envelopeText = undefined;
        if (scanned.flat) {
          if (isItemEventType(type)) {
            accumulator.pushScanned(scanned);
            return;
          }
          // Valid JSON of a known type that touches neither the output nor the envelope.
          if (isBackendEvent(type)) {
            reportScannedBackendEvent(options, scanned);
            return;
          }
          if (isKnownEvent(type) && !ENVELOPE_TYPES.has(type) && type !== 'error') return;
        } else if (
          LIFECYCLE_TYPES.has(type) &&
          envelopeText !== undefined &&
          scanned.data.length - scanned.sequence.end === envelopeText.length &&
          endsWithText(scanned.data, envelopeText)
        ) {
          return;
        }
        if (irOnly && !scanned.flat && LIFECYCLE_TYPES.has(type)) {
          lifecycleEnvelope = lazyEnvelope(message, options, lifecycleEnvelope);
          accumulator.pushEnvelope(lifecycleEnvelope);
          envelopeText = scanned.data.slice(scanned.sequence.end);
          return;
        }
      }
      const event = readStreamEvent(message, options);
      if (!event) return;
      accumulator.pushEvent(event);
      if (LIFECYCLE_TYPES.has(event.type) && isRecord(event.response)) {
        envelopeText =
          scanned && !scanned.flat && event.type === scanned.type
            ? scanned.data.slice(scanned.sequence.end)
            : undefined;
        const response = event.response;
        if (irOnly) lifecycleEnvelope = () => response;
      }
    },
    result: accumulator.result,
  };
}

/**
 * Reads a lifecycle event's envelope when first asked: its `response`, or when that is no object
 * (or the event no JSON), the one `before` gives, as `pushEvent` keeps the last good envelope.
 * The event's data is kept as it came, a part of its chunk's text: a non-streamed answer's
 * accumulator lives only as long as the upstream's stream.
 */
function lazyEnvelope(
  message: SseMessage,
  options: DecodeStreamOptions | undefined,
  before: (() => JsonObject | undefined) | undefined,
): () => JsonObject | undefined {
  let envelope: JsonObject | undefined | null = null;
  return () => {
    if (envelope === null) {
      const event = readStreamEvent(message, options);
      envelope = isRecord(event?.response) ? event.response : before?.();
    }
    return envelope;
  };
}

const LIFECYCLE_TYPES: ReadonlySet<string> = new Set([
  'response.created',
  'response.in_progress',
  'response.queued',
]);
/** Lifecycle and terminal events: they carry the envelope. */
const ENVELOPE_TYPES: ReadonlySet<string> = new Set([
  ...LIFECYCLE_TYPES,
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

/**
 * An item event waiting to be applied, with the output index it addresses (or a run of deltas,
 * index -1), and its place in the queue's order.
 */
interface QueuedEvent {
  index: number;
  event: ResponsesStreamEvent | undefined;
  scanned: ScannedEvent | undefined;
  run: string | undefined;
  /** The output indexes a run's events address (each event has one). */
  runIndexes: number[];
  /** The item text of an `output_item.done` kept as text (`pushItemDone`). */
  itemText: string | undefined;
  serial: number;
}

/** Creates the accumulator over parsed (or scanned) events. */
export function createResponsesEventAccumulator(
  options?: DecodeStreamOptions,
): ResponsesEventAccumulator {
  const output = new OutputBuilder();
  const reportUnknown = createUnknownReporter(options);
  let envelope: JsonObject | undefined;
  /** Reads the envelope when `pushEnvelope` gave it unread (then `envelope` is unset). */
  let readEnvelope: (() => JsonObject | undefined) | undefined;
  let terminal: JsonObject | undefined;
  let streamError: IrError | undefined;
  /**
   * Item events with a plain `output_index`, applied in order when the output is needed. An
   * event only ever touches the item at its index, so events of different items commute, and
   * an `output_item.done` with an item replaces its slot whatever came before: the events of
   * that item queued before it are dropped unread.
   */
  let queue: QueuedEvent[] = [];
  let serial = 0;
  /** The serial of the last `output_item.done` with an item, by output index (runs skip before it). */
  const replacedAt = new Map<number, number>();

  function flush(): void {
    if (queue.length === 0) return;
    const pending = queue;
    queue = [];
    for (const entry of pending) {
      if (entry.run !== undefined) {
        applyRun(entry);
        continue;
      }
      if (entry.itemText !== undefined) {
        output.doneText(entry.index, entry.itemText);
        continue;
      }
      const event = entry.event ?? parseQueued(entry.scanned);
      if (event) applyItemEvent(output, event);
    }
  }

  /** Whether a later `output_item.done` replaced the item of every event of a queued run. */
  function replacedRun(entry: QueuedEvent): boolean {
    return entry.runIndexes.every((index) => (replacedAt.get(index) ?? -1) > entry.serial);
  }

  /** A run's deltas, but those of an item a later `output_item.done` replaced. */
  function applyRun(entry: QueuedEvent): void {
    if (replacedRun(entry)) return;
    const at = entry.serial;
    for (const message of parseSse(entry.run ?? '')) {
      const scanned = scanStreamEvent(message);
      if (scanned === undefined) continue;
      const index = scanned.outputIndex;
      if (index !== undefined && (replacedAt.get(index) ?? -1) > at) continue;
      const event = parseQueued(scanned);
      if (event) applyItemEvent(output, event);
    }
  }

  function enqueue(
    index: number,
    event: ResponsesStreamEvent | undefined,
    scanned: ScannedEvent | undefined,
    replaces: boolean,
    itemText?: string,
  ): void {
    if (replaces) {
      replacedAt.set(index, serial);
      // What the done replaces is let go now (a long stream keeps little): the item's events,
      // and runs whose every item is done since.
      queue = queue.filter((queued) =>
        queued.run === undefined ? queued.index !== index : !replacedRun(queued),
      );
    }
    queue.push({
      index,
      event,
      scanned,
      run: undefined,
      runIndexes: [],
      itemText,
      serial: serial++,
    });
  }

  function pushScanned(scanned: ScannedEvent): void {
    if (scanned.outputIndex === undefined) {
      const parsed = parseQueued(scanned);
      if (parsed) pushItemEvent(parsed);
      return;
    }
    enqueue(scanned.outputIndex, undefined, scanned, false);
  }

  function pushRun(text: string): void {
    let events = 0;
    for (let end = text.indexOf('\n\n'); end !== -1; end = text.indexOf('\n\n', end + 2)) events++;
    const indexes: number[] = [];
    if (readRunOutputIndexes(text, indexes) !== events) {
      // An event addressed by its item's id applies in its place, now, as one scanned alone.
      for (const message of parseSse(text)) {
        const scanned = scanStreamEvent(message);
        if (scanned !== undefined) pushScanned(scanned);
      }
      return;
    }
    queue.push({
      index: -1,
      event: undefined,
      scanned: undefined,
      run: text,
      runIndexes: indexes,
      itemText: undefined,
      serial: serial++,
    });
  }

  function pushItemEvent(event: ResponsesStreamEvent): void {
    const index = event.output_index;
    if (index === undefined || !Number.isInteger(index) || index < 0) {
      // Addressed by item id or as the last item: it depends on everything before it.
      flush();
      applyItemEvent(output, event);
      return;
    }
    const replaces = event.type === 'response.output_item.done' && event.item !== undefined;
    enqueue(index, event, undefined, replaces);
  }

  function pushEvent(event: JsonObject & { type: string }): void {
    // Item events are read narrowed; lifecycle events keep their `response` as it came (it is
    // the envelope of the rebuilt body).
    if (isItemEventType(event.type)) {
      pushItemEvent(narrowResponsesEvent(event));
      return;
    }
    switch (event.type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        if (isRecord(event.response)) {
          envelope = event.response;
          readEnvelope = undefined;
        }
        return;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        terminal = isRecord(event.response) ? event.response : { status: statusOf(event.type) };
        return;
      case 'error':
        streamError = decodeStreamError(readStreamErrorObject(event), 'Upstream stream failed');
        return;
      default:
        if (isBackendEvent(event.type)) options?.onBackendEvent?.(event);
        else if (!isKnownEvent(event.type)) reportUnknown(event.type);
    }
  }

  /** How the output is built: the terminal `output` that fills gaps, and whether items are open. */
  function outputShape(): { fill: unknown[] | undefined; unfinished: boolean } {
    flush();
    const finalOutput = terminal?.output;
    const fill =
      Array.isArray(finalOutput) && finalOutput.length > 0 && output.isConsistent(finalOutput)
        ? finalOutput
        : undefined;
    // Items that never got `output_item.done` are incomplete unless the response completed.
    const unfinished =
      terminal === undefined || (terminal.status !== undefined && terminal.status !== 'completed');
    return { fill, unfinished };
  }

  /**
   * The lifecycle envelope, unless it is still unread and the reader needs none of it: with
   * `irOnly`, a terminal event that has every field the IR reads.
   */
  function lifecycleEnvelope(): JsonObject | undefined {
    if (envelope !== undefined || readEnvelope === undefined) return envelope;
    const last = terminal;
    const covered =
      options?.irOnly === true &&
      last !== undefined &&
      IR_ENVELOPE_KEYS.every((key) => key in last);
    return covered ? undefined : readEnvelope();
  }

  function result(): StreamAccumulation {
    const { fill, unfinished } = outputShape();
    const complete = terminal !== undefined;
    const body: JsonObject = {
      ...lifecycleEnvelope(),
      ...(terminal ? omitKeys(terminal, ['output']) : {}),
      output: output.build(unfinished, fill),
    };
    let error = streamError;
    if (terminal) {
      if (body.status === undefined) body.status = 'completed';
      if (body.status === 'failed') {
        error ??= decodeStreamError(body.error, 'Upstream response failed');
        if (!isRecord(body.error)) body.error = encodeResponseError(error);
      }
    } else {
      error ??= TRUNCATED_STREAM_ERROR;
      body.status = streamError ? 'failed' : 'incomplete';
      body.error = encodeResponseError(error);
    }
    return { body, complete, ...(error ? { error } : {}) };
  }

  function outputText(): { text: string; count: number } {
    const { fill, unfinished } = outputShape();
    return output.buildText(unfinished, fill);
  }

  return {
    pushEvent,
    pushEnvelope(read) {
      envelope = undefined;
      readEnvelope = read;
    },
    pushScanned,
    pushRun,
    pushItemDone: (index, text) => enqueue(index, undefined, undefined, true, text),
    result,
    outputText,
  };
}

/** A queued scanned event, parsed and narrowed (its data was checked to be valid JSON). */
function parseQueued(scanned: ScannedEvent | undefined): ResponsesStreamEvent | undefined {
  if (!scanned) return undefined;
  const parsed = parseScanned(scanned);
  return parsed ? narrowResponsesEvent(parsed) : undefined;
}

function statusOf(type: string): string {
  if (type === 'response.failed') return 'failed';
  return type === 'response.incomplete' ? 'incomplete' : 'completed';
}
