/**
 * Writes neutral content-block events as Anthropic content blocks, strictly one after another:
 * Anthropic blocks cannot interleave, so an IR block that starts while another is open is
 * buffered and written, in order of start, once the open one ends.
 */
import type { IrMeta } from '../../ir/meta.js';
import type { SseMessage } from '../../sse/message.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import type { EncodeContext } from '../format.js';
import { type BlockEvent, type BlockKind, isStart, kindOf, syntheticEnd } from './block-event.js';
import { encodeAnnotation } from './citations.js';
import { signatureForClient } from './encode-assistant-part.js';
import { ownExtra } from './meta.js';
import { FORMAT_ID } from './types.js';

interface BlockRecord {
  kind: BlockKind;
  irIndex: number;
  /** Events received while the block waited its turn. */
  waiting: BlockEvent[];
  /** Wire index, set once `content_block_start` is written. */
  wireIndex: number | undefined;
  ended: boolean;
  startMeta: IrMeta | undefined;
  /** Reasoning item id given at the start (Responses `rs_…`), packed with encrypted content. */
  reasoningId: string | undefined;
  /** Raw input of a custom tool call, sent whole at its end. */
  rawInput: string[] | undefined;
  /** The wire text of this block's string deltas up to the string (`stringDeltaHead`), once made. */
  deltaHead: string | undefined;
}

/** Writes blocks; see the file comment. */
export interface BlockWriter {
  push(event: BlockEvent, out: SseMessage[]): void;
  /**
   * The one message `push` writes for a delta of a string to the open block (the event of
   * nearly every chunk), or `undefined` when it writes anything else (then call `push`).
   */
  openDelta(event: BlockEvent): SseMessage | undefined;
  /** Writes every buffered block and closes all of them (before `message_delta`). */
  finish(out: SseMessage[]): void;
  /** Closes the open block and forgets buffered ones (before an `error` event). */
  abort(out: SseMessage[]): void;
  hasToolCalls(): boolean;
  hasRefusal(): boolean;
}

function sse(type: string, payload: JsonObject): SseMessage {
  return { event: type, data: JSON.stringify({ type, ...payload }) };
}

/** Per-stream state of the block writer. */
interface BlockWriterState {
  context: EncodeContext;
  records: Map<number, BlockRecord>;
  /** Blocks that started while another was open, in order of start. */
  queue: BlockRecord[];
  current: BlockRecord | undefined;
  nextWireIndex: number;
  toolCalls: boolean;
  refusal: boolean;
}

function open(
  state: BlockWriterState,
  record: BlockRecord,
  block: JsonObject,
  out: SseMessage[],
): number {
  const index = state.nextWireIndex++;
  record.wireIndex = index;
  out.push(sse('content_block_start', { index, content_block: block }));
  return index;
}

function delta(record: BlockRecord, payload: JsonObject, out: SseMessage[]): void {
  out.push(sse('content_block_delta', { index: record.wireIndex, delta: payload }));
}

/** The `content_block_delta` kinds that carry one string, and the field that holds it. */
const STRING_DELTAS = {
  text_delta: 'text',
  input_json_delta: 'partial_json',
  thinking_delta: 'thinking',
} as const;

/** A `content_block_delta` kind of `STRING_DELTAS`. */
export type StringDeltaType = keyof typeof STRING_DELTAS;

/** What comes after the index in each kind's JSON, up to the string value. */
const STRING_DELTA_MIDDLES: Record<StringDeltaType, string> = {
  text_delta: ',"delta":{"type":"text_delta","text":',
  input_json_delta: ',"delta":{"type":"input_json_delta","partial_json":',
  thinking_delta: ',"delta":{"type":"thinking_delta","thinking":',
};

/**
 * The data of a `content_block_delta` carrying one string (the events of nearly every chunk),
 * built from a template with only the string and the index serialised: byte for byte what
 * `sse('content_block_delta', { index, delta: { type, [field]: value } })` writes (one test
 * compares the two over many strings), without the spread and the objects.
 */
export function stringDeltaData(index: number, type: StringDeltaType, value: string): string {
  return `${stringDeltaDataStart(index, type)}${JSON.stringify(value)}}}`;
}

/** The data of a string delta (`stringDeltaData`) up to its string. */
function stringDeltaDataStart(index: number, type: StringDeltaType): string {
  return `{"type":"content_block_delta","index":${index}${STRING_DELTA_MIDDLES[type]}`;
}

/**
 * The wire text of a `content_block_delta` of one string up to the string: the `event:` line,
 * then its data (`stringDeltaData`) up to the value. The same for every delta of a block.
 */
export function stringDeltaHead(index: number, type: StringDeltaType): string {
  return `event: content_block_delta\ndata: ${stringDeltaDataStart(index, type)}`;
}

/** A `content_block_delta` of one string as its wire text, from its head (`stringDeltaHead`). */
export function stringDeltaEvent(head: string, value: string): SseMessage {
  return { data: '', raw: `${head}${JSON.stringify(value)}}}\n\n` };
}

/**
 * A string delta of a block opened on the wire at `wireIndex`, as its wire text from the block's
 * head, made once: a block's string deltas are all of the one type its kind writes.
 */
function openBlockDelta(
  record: BlockRecord,
  wireIndex: number,
  type: StringDeltaType,
  value: string,
): SseMessage {
  record.deltaHead ??= stringDeltaHead(wireIndex, type);
  return stringDeltaEvent(record.deltaHead, value);
}

/** A `content_block_delta` of one string (see `openBlockDelta`). */
function stringDelta(
  record: BlockRecord,
  type: StringDeltaType,
  value: string,
  out: SseMessage[],
): void {
  const index = record.wireIndex;
  // The index is always set once a block is open; the object path keeps any other case exact.
  if (index === undefined) {
    delta(record, { type, [STRING_DELTAS[type]]: value }, out);
    return;
  }
  out.push(openBlockDelta(record, index, type, value));
}

function close(state: BlockWriterState, record: BlockRecord, out: SseMessage[]): void {
  if (record.wireIndex !== undefined) {
    out.push(sse('content_block_stop', { index: record.wireIndex }));
  }
  record.ended = true;
  if (state.current === record) state.current = undefined;
}

function endReasoning(
  state: BlockWriterState,
  record: BlockRecord,
  event: Extract<BlockEvent, { type: 'reasoning-end' }>,
  out: SseMessage[],
): void {
  const extra = ownExtra(record.startMeta);
  if (event.redactedData !== undefined && record.wireIndex === undefined) {
    open(state, record, { type: 'redacted_thinking', data: event.redactedData, ...extra }, out);
    close(state, record, out);
    return;
  }
  const signature = signatureForClient({ ...event, id: event.id ?? record.reasoningId });
  if (record.wireIndex === undefined) {
    // Nothing to show and nothing to give back next turn: no block at all.
    if (signature === '') {
      close(state, record, out);
      return;
    }
    open(state, record, { type: 'thinking', thinking: '', signature: '', ...extra }, out);
  } else if (event.redactedData !== undefined) {
    state.context.onWarning?.({
      code: 'dropped',
      message: 'Redacted reasoning data after readable reasoning text was left out',
    });
  }
  // One signature_delta right before the stop, as the API sends it.
  delta(record, { type: 'signature_delta', signature }, out);
  close(state, record, out);
}

type EventOf<T extends BlockEvent['type']> = Extract<BlockEvent, { type: T }>;

function onTextAnnotation(
  state: BlockWriterState,
  record: BlockRecord,
  event: EventOf<'text-annotation'>,
  out: SseMessage[],
): void {
  const citation = encodeAnnotation(
    event.annotation,
    'response',
    (warning) => state.context.onWarning?.(warning),
    `content[${record.wireIndex}]`,
  );
  if (citation !== undefined) delta(record, { type: 'citations_delta', citation }, out);
}

/** Ends a text, refusal or tool-call block; a custom call's raw input goes out whole here. */
function endBlock(state: BlockWriterState, record: BlockRecord, out: SseMessage[]): void {
  if (record.rawInput !== undefined) {
    state.context.onWarning?.({
      code: 'lossy',
      message: 'Custom tool call sent as a tool_use with its raw input in "input"',
    });
    const input = JSON.stringify({ input: record.rawInput.join('') });
    stringDelta(record, 'input_json_delta', input, out);
  }
  close(state, record, out);
}

function onReasoningDelta(
  state: BlockWriterState,
  record: BlockRecord,
  event: EventOf<'reasoning-delta'>,
  out: SseMessage[],
): void {
  if (event.delta === '') return;
  if (record.wireIndex === undefined) {
    const extra = ownExtra(record.startMeta);
    open(state, record, { type: 'thinking', thinking: '', signature: '', ...extra }, out);
  }
  stringDelta(record, 'thinking_delta', event.delta, out);
}

function onToolCallStart(
  state: BlockWriterState,
  record: BlockRecord,
  event: EventOf<'tool-call-start'>,
  out: SseMessage[],
): void {
  state.toolCalls = true;
  if (event.kind === 'custom') record.rawInput = [];
  const block = {
    type: 'tool_use',
    id: event.callId === '' ? state.context.createId('toolu_') : event.callId,
    name: event.name,
    input: {},
    ...ownExtra(event.meta),
  };
  open(state, record, block, out);
}

function onToolCallDelta(
  record: BlockRecord,
  event: EventOf<'tool-call-delta'>,
  out: SseMessage[],
) {
  if (record.rawInput !== undefined) record.rawInput.push(event.delta);
  else if (event.delta !== '') {
    stringDelta(record, 'input_json_delta', event.delta, out);
  }
}

function apply(
  state: BlockWriterState,
  record: BlockRecord,
  event: BlockEvent,
  out: SseMessage[],
): void {
  switch (event.type) {
    case 'text-start':
    case 'refusal-start':
      open(state, record, { type: 'text', text: '', ...ownExtra(event.meta) }, out);
      return;
    case 'text-delta':
    case 'refusal-delta':
      if (event.delta !== '') stringDelta(record, 'text_delta', event.delta, out);
      return;
    case 'text-annotation':
      onTextAnnotation(state, record, event, out);
      return;
    case 'text-end':
    case 'refusal-end':
    case 'tool-call-end':
      endBlock(state, record, out);
      return;
    case 'reasoning-start':
      // Opened lazily: only the end tells whether it is thinking or redacted_thinking.
      record.startMeta = event.meta;
      record.reasoningId = event.id;
      return;
    case 'reasoning-delta':
      onReasoningDelta(state, record, event, out);
      return;
    case 'reasoning-end':
      endReasoning(state, record, event, out);
      return;
    case 'tool-call-start':
      onToolCallStart(state, record, event, out);
      return;
    case 'tool-call-delta':
      onToolCallDelta(record, event, out);
      return;
    case 'opaque':
      if (isRecord(event.value)) open(state, record, event.value, out);
      close(state, record, out);
      return;
    default:
      assertNever(event, 'block event');
  }
}

/** Makes the next waiting blocks current, replaying what they buffered. */
function drain(state: BlockWriterState, out: SseMessage[]): void {
  while (state.current === undefined) {
    const record = state.queue.shift();
    if (record === undefined) return;
    state.current = record;
    const waiting = record.waiting;
    record.waiting = [];
    for (const event of waiting) apply(state, record, event, out);
  }
}

function push(state: BlockWriterState, event: BlockEvent, out: SseMessage[]): void {
  if (isStart(event)) {
    if (state.records.has(event.index)) return;
    if (event.type === 'opaque' && event.format !== FORMAT_ID) {
      state.context.onWarning?.({
        code: 'dropped',
        message: `A "${event.format}" block has no Anthropic equivalent`,
      });
      return;
    }
    if (event.type === 'refusal-start') state.refusal = true;
    const record: BlockRecord = {
      kind: kindOf(event),
      irIndex: event.index,
      waiting: [],
      wireIndex: undefined,
      ended: false,
      startMeta: undefined,
      reasoningId: undefined,
      rawInput: undefined,
      deltaHead: undefined,
    };
    state.records.set(event.index, record);
    if (state.current === undefined && state.queue.length === 0) {
      state.current = record;
      apply(state, record, event, out);
      drain(state, out);
    } else {
      record.waiting.push(event);
      state.queue.push(record);
    }
    return;
  }
  const record = state.records.get(event.index);
  if (record === undefined || record.ended || kindOf(event) !== record.kind) return;
  if (record === state.current) {
    apply(state, record, event, out);
    drain(state, out);
  } else record.waiting.push(event);
}

/** The string delta types by the IR delta that writes them to an open block of its kind. */
const OPEN_DELTA_TYPES: Partial<Record<BlockEvent['type'], StringDeltaType>> = {
  'text-delta': 'text_delta',
  'refusal-delta': 'text_delta',
  'reasoning-delta': 'thinking_delta',
  'tool-call-delta': 'input_json_delta',
};

/**
 * `BlockWriter.openDelta`: what `push` then `apply` write for a non-empty delta to the current
 * block (so not ended, nothing waiting before it) of its kind, opened on the wire, and not a
 * custom tool call's raw input (sent whole at its end): one `stringDelta`. `drain` does nothing
 * after it, as the block stays current.
 */
function openDelta(state: BlockWriterState, event: BlockEvent): SseMessage | undefined {
  const type = OPEN_DELTA_TYPES[event.type];
  const record = state.current;
  if (
    type === undefined ||
    record === undefined ||
    record.irIndex !== event.index ||
    record.wireIndex === undefined ||
    record.rawInput !== undefined ||
    kindOf(event) !== record.kind
  ) {
    return undefined;
  }
  const delta = (event as { delta: string }).delta;
  if (delta === '') return undefined;
  return openBlockDelta(record, record.wireIndex, type, delta);
}

function finish(state: BlockWriterState, out: SseMessage[]): void {
  drain(state, out);
  while (state.current !== undefined) {
    apply(state, state.current, syntheticEnd(state.current.kind, state.current.irIndex), out);
    drain(state, out);
  }
}

function abort(state: BlockWriterState, out: SseMessage[]): void {
  if (state.current !== undefined) close(state, state.current, out);
  state.queue.length = 0;
}

/** Creates a block writer for one stream. */
export function createBlockWriter(context: EncodeContext): BlockWriter {
  const state: BlockWriterState = {
    context,
    records: new Map(),
    queue: [],
    current: undefined,
    nextWireIndex: 0,
    toolCalls: false,
    refusal: false,
  };
  return {
    push: (event, out) => push(state, event, out),
    openDelta: (event) => openDelta(state, event),
    finish: (out) => finish(state, out),
    abort: (out) => abort(state, out),
    hasToolCalls: () => state.toolCalls,
    hasRefusal: () => state.refusal,
  };
}
