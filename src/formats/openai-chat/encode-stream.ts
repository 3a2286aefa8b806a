/**
 * Encodes neutral events as a Chat Completions SSE stream that the openai SDK's
 * `chat.completions.stream()` accepts: `data:` lines only, one id, `created` and model on every
 * chunk, always a `finish_reason`, then the optional usage chunk and `[DONE]`.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
import type { IrAnnotation } from '../../ir/content.js';
import type { IrEvent } from '../../ir/events.js';
import type { IrMeta } from '../../ir/meta.js';
import type { IrError, IrFinishReason } from '../../ir/response.js';
import { type IrUsage, mergeUsage } from '../../ir/usage.js';
import { oneLineData } from '../../sse/encode.js';
import type { SseMessage } from '../../sse/message.js';
import type { StreamStep } from '../../streams/step.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord } from '../../util/json.js';
import type { EncodeContext } from '../format.js';
import { encodeOpenAIErrorObject } from '../openai-error.js';
import { encodeAnnotation } from './annotations.js';
import { decodeFinishReason, encodeFinishReason } from './finish-reason.js';
import { readChatMeta } from './meta.js';
import {
  packReasoning,
  REASONING_OPAQUE_FIELD,
  type ReasoningEntry,
  reasoningEntry,
} from './reasoning-opaque.js';
import { encodeUsage } from './usage.js';

const DONE: SseMessage = { data: '[DONE]' };

/** A tool-call block as the client sees it. */
interface ToolBlock {
  wireIndex: number;
  kind: 'function' | 'custom';
  legacy: boolean;
  /** A custom call whose `{"input": "` wrapper is open (its closing `"}` not yet sent). */
  wrapOpen?: boolean;
}

/** The start of the function arguments that carry a custom call's raw text. */
const CUSTOM_WRAP_START = '{"input":"';
/** Their end. */
const CUSTOM_WRAP_END = '"}';

/** Whether the client asked for the usage chunk (`stream_options.include_usage`). */
function wantsUsage(context: EncodeContext): boolean {
  const options = readChatMeta(context.request?.meta).streamOptions;
  return isRecord(options) && options.include_usage === true;
}

/** Per-stream state of the encoder. */
interface ChatEncodeState {
  context: EncodeContext;
  includeUsage: boolean;
  /** `,"usage":null` on every chunk when the client asked for the usage chunk. */
  usageNull: string;
  /** The JSON every chunk starts with (id, object, created, model), set by the first event. */
  prefix: string;
  finished: boolean;
  usage: IrUsage;
  tools: Map<number, ToolBlock>;
  nextTool: number;
  hasToolCalls: boolean;
  /** Reasoning text per open block, and every ended block, for `reasoning_opaque`. */
  reasoningText: Map<number, string>;
  reasoningEntries: ReasoningEntry[];
  /** The kind of the last piece written, so adjacent reasoning blocks get a blank line between. */
  lastWritten: 'text' | 'refusal' | 'reasoning' | 'tool' | undefined;
  separateReasoning: boolean;
  contentLength: number;
  textBlocks: Map<number, { offset: number; length: number; annotations: IrAnnotation[] }>;
  /** Every citation sent so far: each `annotations` delta repeats the whole list. */
  sentAnnotations: unknown[];
}

/**
 * A chunk of one choice whose delta (and finish reason) are JSON texts, as its wire text
 * (`oneLineData`: every part is JSON, so the data is one line).
 */
function chunk(state: ChatEncodeState, delta: string, finishReason = 'null'): SseMessage {
  return oneLineData(
    `${state.prefix},"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finishReason}}]${state.usageNull}}`,
  );
}

function start(
  state: ChatEncodeState,
  out: SseMessage[],
  id?: string,
  model?: string,
  createdAt?: number,
  meta?: IrMeta,
) {
  if (state.prefix !== '') return;
  const chatId = id !== undefined && id !== '' ? id : state.context.createId('chatcmpl-');
  state.prefix = `{"id":${JSON.stringify(chatId)},"object":"chat.completion.chunk","created":${createdAt ?? state.context.createdAt},"model":${JSON.stringify(state.context.model ?? model ?? '')}`;
  const extra = readChatMeta(meta).extra;
  if (isRecord(extra)) {
    for (const key of ['service_tier', 'system_fingerprint']) {
      if (key in extra) state.prefix += `,"${key}":${JSON.stringify(extra[key] ?? null)}`;
    }
  }
  out.push(chunk(state, '{"role":"assistant","content":""}'));
}

function warn(state: ChatEncodeState, message: string): void {
  state.context.onWarning?.({ code: 'dropped', message });
}

function toolBlock(state: ChatEncodeState, out: SseMessage[], index: number): ToolBlock {
  const known = state.tools.get(index);
  if (known !== undefined) return known;
  // A delta without its start (a broken upstream): open the call so its arguments survive.
  return openTool(state, out, index, state.context.createId('call_'), '', 'function', false);
}

function openTool(
  state: ChatEncodeState,
  out: SseMessage[],
  index: number,
  callId: string,
  name: string,
  kind: 'function' | 'custom',
  legacy: boolean,
): ToolBlock {
  const block: ToolBlock = { wireIndex: state.nextTool++, kind, legacy };
  state.tools.set(index, block);
  state.hasToolCalls = true;
  state.lastWritten = 'tool';
  const id = JSON.stringify(callId !== '' ? callId : state.context.createId('call_'));
  if (legacy) {
    out.push(chunk(state, `{"function_call":{"name":${JSON.stringify(name)},"arguments":""}}`));
  } else if (kind === 'custom') {
    // Chat stream chunks define only function calls (the openai SDK's stream helper throws
    // "missing choices[0].tool_calls[0].function.name" on a custom delta), so a custom call
    // goes out as a function call of the same name with arguments {"input": "<raw text>"}.
    block.wrapOpen = true;
    out.push(
      chunk(
        state,
        `{"tool_calls":[{"index":${block.wireIndex},"id":${id},"type":"function","function":{"name":${JSON.stringify(name)},"arguments":${JSON.stringify(CUSTOM_WRAP_START)}}}]}`,
      ),
    );
  } else {
    out.push(
      chunk(
        state,
        `{"tool_calls":[{"index":${block.wireIndex},"id":${id},"type":"function","function":{"name":${JSON.stringify(name)},"arguments":""}}]}`,
      ),
    );
  }
  return block;
}

function toolDelta(state: ChatEncodeState, block: ToolBlock, delta: string): SseMessage {
  const text = JSON.stringify(delta);
  if (block.legacy) return chunk(state, `{"function_call":{"arguments":${text}}}`);
  // Inside the wrapper the raw text is a JSON string's content: escaped piece by piece.
  const piece = block.kind === 'custom' ? JSON.stringify(text.slice(1, -1)) : text;
  return chunk(
    state,
    `{"tool_calls":[{"index":${block.wireIndex},"function":{"arguments":${piece}}}]}`,
  );
}

/** Closes the wrapper of custom calls still open (at their end, or at the turn's end). */
function closeWrap(state: ChatEncodeState, out: SseMessage[], block: ToolBlock | undefined): void {
  if (block?.wrapOpen !== true) return;
  block.wrapOpen = false;
  out.push(
    chunk(
      state,
      `{"tool_calls":[{"index":${block.wireIndex},"function":{"arguments":${JSON.stringify(CUSTOM_WRAP_END)}}}]}`,
    ),
  );
}

/** Sends a closed text block's citations, with indices into the whole content. */
function flushAnnotations(state: ChatEncodeState, out: SseMessage[], index: number): void {
  const block = state.textBlocks.get(index);
  if (block === undefined || block.annotations.length === 0) return;
  let added = false;
  for (const annotation of block.annotations) {
    const value = encodeAnnotation(annotation, block.offset, block.length);
    if (value === undefined) warn(state, 'A citation of another format was left out');
    else {
      state.sentAnnotations.push(value);
      added = true;
    }
  }
  block.annotations = [];
  if (!added) return;
  // Readers attach citations to the text being written, so they count as text.
  state.lastWritten = 'text';
  out.push(chunk(state, `{"annotations":${JSON.stringify(state.sentAnnotations)}}`));
}

function finish(
  state: ChatEncodeState,
  out: SseMessage[],
  reason: IrFinishReason,
  meta?: IrMeta,
): void {
  state.finished = true;
  for (const block of state.tools.values()) closeWrap(state, out, block);
  for (const index of state.textBlocks.keys()) flushAnnotations(state, out, index);
  const packed = packReasoning(state.reasoningEntries);
  if (packed !== undefined) {
    out.push(chunk(state, `{"${REASONING_OPAQUE_FIELD}":${JSON.stringify(packed)}}`));
  }
  const raw = readChatMeta(meta).finishReason;
  const wire =
    typeof raw === 'string' && decodeFinishReason(raw) === reason
      ? raw
      : encodeFinishReason(reason, state.hasToolCalls);
  out.push(chunk(state, '{}', JSON.stringify(wire)));
  if (state.includeUsage) {
    out.push({
      data: `${state.prefix},"choices":[],"usage":${JSON.stringify(encodeUsage(state.usage))}}`,
    });
  }
  out.push(DONE);
}

function fail(state: ChatEncodeState, out: SseMessage[], error: IrError): void {
  state.finished = true;
  out.push({ data: JSON.stringify({ error: encodeOpenAIErrorObject(error) }) });
  out.push(DONE);
}

type EventOf<T extends IrEvent['type']> = Extract<IrEvent, { type: T }>;

function onTextStart(
  state: ChatEncodeState,
  event: EventOf<'text-start'>,
  out: SseMessage[],
): void {
  start(state, out);
  state.textBlocks.set(event.index, { offset: state.contentLength, length: 0, annotations: [] });
}

function onTextDelta(
  state: ChatEncodeState,
  event: EventOf<'text-delta'>,
  out: SseMessage[],
): void {
  start(state, out);
  if (event.delta === '') return;
  out.push(textChunk(state, event));
}

/** The chunk of a non-empty text delta once the stream has started, its lengths counted. */
function textChunk(state: ChatEncodeState, event: EventOf<'text-delta'>): SseMessage {
  const block = state.textBlocks.get(event.index);
  if (block !== undefined) block.length += event.delta.length;
  state.contentLength += event.delta.length;
  state.lastWritten = 'text';
  return chunk(state, `{"content":${JSON.stringify(event.delta)}}`);
}

function onRefusalDelta(
  state: ChatEncodeState,
  event: EventOf<'refusal-delta'>,
  out: SseMessage[],
): void {
  start(state, out);
  if (event.delta === '') return;
  state.lastWritten = 'refusal';
  out.push(chunk(state, `{"refusal":${JSON.stringify(event.delta)}}`));
}

function onReasoningDelta(
  state: ChatEncodeState,
  event: EventOf<'reasoning-delta'>,
  out: SseMessage[],
): void {
  start(state, out);
  if (event.delta === '') return;
  state.reasoningText.set(event.index, (state.reasoningText.get(event.index) ?? '') + event.delta);
  const text = state.separateReasoning ? `\n\n${event.delta}` : event.delta;
  state.separateReasoning = false;
  state.lastWritten = 'reasoning';
  out.push(chunk(state, `{"reasoning_content":${JSON.stringify(text)}}`));
}

function onReasoningEnd(state: ChatEncodeState, event: EventOf<'reasoning-end'>): void {
  state.reasoningEntries.push(
    reasoningEntry({ ...event, text: state.reasoningText.get(event.index) ?? '' }),
  );
  state.reasoningText.delete(event.index);
}

function onToolCallStart(
  state: ChatEncodeState,
  event: EventOf<'tool-call-start'>,
  out: SseMessage[],
): void {
  start(state, out);
  const legacy = readChatMeta(event.meta).legacy === true;
  openTool(state, out, event.index, event.callId, event.name, event.kind, legacy);
}

function onToolCallDelta(
  state: ChatEncodeState,
  event: EventOf<'tool-call-delta'>,
  out: SseMessage[],
): void {
  start(state, out);
  if (event.delta === '') return;
  out.push(toolDelta(state, toolBlock(state, out, event.index), event.delta));
}

function onEvent(state: ChatEncodeState, event: IrEvent, out: SseMessage[]): void {
  switch (event.type) {
    case 'message-start':
      start(state, out, event.id, event.model, event.createdAt, event.meta);
      return;
    case 'text-start':
      onTextStart(state, event, out);
      return;
    case 'text-delta':
      onTextDelta(state, event, out);
      return;
    case 'text-annotation':
      state.textBlocks.get(event.index)?.annotations.push(event.annotation);
      return;
    case 'text-end':
      flushAnnotations(state, out, event.index);
      return;
    case 'refusal-delta':
      onRefusalDelta(state, event, out);
      return;
    case 'reasoning-start':
      state.separateReasoning = state.lastWritten === 'reasoning';
      return;
    case 'reasoning-delta':
      onReasoningDelta(state, event, out);
      return;
    case 'reasoning-end':
      onReasoningEnd(state, event);
      return;
    case 'tool-call-start':
      onToolCallStart(state, event, out);
      return;
    case 'tool-call-delta':
      onToolCallDelta(state, event, out);
      return;
    case 'tool-call-end':
      closeWrap(state, out, state.tools.get(event.index));
      return;
    case 'opaque':
      warn(state, `A "${event.format}" block cannot be expressed in a Chat stream`);
      return;
    case 'usage':
      state.usage = mergeUsage(state.usage, event.usage);
      return;
    case 'message-end':
      start(state, out);
      finish(state, out, event.finishReason, event.meta);
      return;
    case 'error':
      fail(state, out, event.error);
      return;
    case 'refusal-start':
    case 'refusal-end':
      return;
    default:
      assertNever(event, 'IR event');
  }
}

/**
 * Creates an encoder. Each tool-call block gets a dense wire `index` (0, 1, ... in block order)
 * and a first delta with `id`, `type` and the name with empty arguments. Reasoning goes out as
 * the non-standard `reasoning_content` (adjacent blocks separated by a blank line), refusals as
 * `refusal`, citations in an `annotations` delta when their text block ends (the whole list so
 * far, since the SDK replaces it). Reasoning signatures and encrypted reasoning go out packed in
 * one non-standard `reasoning_opaque` delta before the end; opaque blocks are dropped with a
 * warning. The turn ends with `tool_calls` when it holds tool calls and stopped normally. An
 * `error` event becomes an `{"error": {...}}` chunk, which the SDK throws as an `APIError`, then
 * `[DONE]`. `end()` finishes a stream that stopped without an end event.
 */
export function createChatStreamEncoder(context: EncodeContext): StreamStep<IrEvent, SseMessage> {
  const includeUsage = wantsUsage(context);
  const state: ChatEncodeState = {
    context,
    includeUsage,
    usageNull: includeUsage ? ',"usage":null' : '',
    prefix: '',
    finished: false,
    usage: {},
    tools: new Map(),
    nextTool: 0,
    hasToolCalls: false,
    reasoningText: new Map(),
    reasoningEntries: [],
    lastWritten: undefined,
    separateReasoning: false,
    contentLength: 0,
    textBlocks: new Map(),
    sentAnnotations: [],
  };
  return {
    push(event) {
      if (state.finished) return [];
      // Most events: text once the stream has started, its one chunk alone (no list grown for
      // it: V8 gives an empty list room for 17 on its first push).
      if (event.type === 'text-delta' && state.prefix !== '' && event.delta !== '') {
        return [textChunk(state, event)];
      }
      const out: SseMessage[] = [];
      onEvent(state, event, out);
      return out;
    },
    end() {
      if (state.finished) return [];
      const out: SseMessage[] = [];
      start(state, out);
      finish(state, out, 'other');
      return out;
    },
  };
}
