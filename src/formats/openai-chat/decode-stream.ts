/**
 * Decodes a Chat Completions SSE stream into neutral events, leniently: comments, unknown fields,
 * empty Azure chunks, invalid JSON and extra choices are skipped and reported, never fatal.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */

import type { IrEvent } from '../../ir/events.js';
import type { IrFinishReason } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { isUnterminated } from '../../sse/parse.js';
import type { StreamStep } from '../../streams/step.js';
import { isRecord, type JsonObject, tryParseJson } from '../../util/json.js';
import type { DecodeStreamOptions } from '../format.js';
import { decodeAnnotation } from './annotations.js';
import { decodeFinishReason } from './finish-reason.js';
import { chatMeta, metaField } from './meta.js';
import { narrowChatChunk } from './narrow.js';
import { isRoleChunk, learnEnvelope, scanArguments, scanContent } from './scan-chunk.js';
import { decodeStreamError, isStreamError } from './stream-error.js';
import { toolCallKey } from './tool-call-key.js';
import type {
  ChatChunkChoice,
  ChatChunkDelta,
  ChatChunkToolCall,
  ChatCompletionChunk,
} from './types.js';
import { decodeUsage } from './usage.js';

type TextKind = 'text' | 'refusal' | 'reasoning';

/** One tool call of the stream, keyed by its wire `index` (legacy `function_call` is -1). */
interface ToolState {
  key: number;
  irIndex: number | undefined;
  callId: string | undefined;
  name: string | undefined;
  kind: 'function' | 'custom';
  /** Argument text that arrived before the name (the block cannot start without one). */
  pending: string;
}

const LEGACY_KEY = -1;
const STANDARD_FINISH = new Set(['stop', 'length', 'tool_calls', 'content_filter']);

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Per-stream state of the decoder. */
interface ChatDecodeState {
  options: DecodeStreamOptions;
  started: boolean;
  ended: boolean;
  nextIndex: number;
  /** The open reasoning, text or refusal block, if any. */
  current: { kind: TextKind; index: number } | undefined;
  /** Where each text block starts in the message's whole content, for citation indices. */
  textOffsets: Map<number, number>;
  contentLength: number;
  annotationCount: number;
  tools: Map<number, ToolState>;
  lastToolKey: number | undefined;
  finish: { reason: IrFinishReason; raw: string } | undefined;
  sawRefusal: boolean;
  warnedChoices: boolean;
  /** The envelope of the last chunk parsed in full, for `scanContent` (see `learnEnvelope`). */
  envelope: string | undefined;
}

function start(state: ChatDecodeState, out: IrEvent[], chunk: ChatCompletionChunk): void {
  if (state.started) return;
  state.started = true;
  const id = nonEmpty(chunk.id);
  const model = nonEmpty(chunk.model);
  const created = chunk.created;
  const extra: JsonObject = {};
  if ('service_tier' in chunk) extra.service_tier = chunk.service_tier;
  if ('system_fingerprint' in chunk) extra.system_fingerprint = chunk.system_fingerprint;
  out.push({
    type: 'message-start',
    ...(id !== undefined ? { id } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(created !== undefined && created > 0 ? { createdAt: created } : {}),
    ...metaField(chatMeta({ extra: Object.keys(extra).length > 0 ? extra : undefined })),
  });
}

function closeCurrent(state: ChatDecodeState, out: IrEvent[]): void {
  if (state.current === undefined) return;
  out.push({ type: `${state.current.kind}-end`, index: state.current.index });
  state.current = undefined;
}

function appendText(state: ChatDecodeState, out: IrEvent[], kind: TextKind, delta: string): void {
  if (state.current?.kind !== kind) {
    closeCurrent(state, out);
    state.current = { kind, index: state.nextIndex++ };
    out.push({ type: `${kind}-start`, index: state.current.index });
    if (kind === 'text') state.textOffsets.set(state.current.index, state.contentLength);
    if (kind === 'refusal') state.sawRefusal = true;
  }
  if (kind === 'text') state.contentLength += delta.length;
  out.push({ type: `${kind}-delta`, index: state.current.index, delta });
}

function openTool(state: ChatDecodeState, out: IrEvent[], tool: ToolState): void {
  closeCurrent(state, out);
  tool.irIndex = state.nextIndex++;
  if (tool.key === LEGACY_KEY) tool.callId ??= 'call_legacy';
  if (tool.callId === undefined) {
    tool.callId = `call_${tool.key}`;
    state.options.onWarning?.({
      code: 'unexpected',
      message: `A streamed tool call had no id; it was given "${tool.callId}"`,
    });
  }
  out.push({
    type: 'tool-call-start',
    index: tool.irIndex,
    callId: tool.callId,
    name: tool.name ?? '',
    kind: tool.kind,
    ...metaField(chatMeta({ legacy: tool.key === LEGACY_KEY ? true : undefined })),
  });
  if (tool.pending !== '') {
    out.push({ type: 'tool-call-delta', index: tool.irIndex, delta: tool.pending });
    tool.pending = '';
  }
}

function toolKey(state: ChatDecodeState, call: ChatChunkToolCall): number {
  const index = call.index;
  if (index !== undefined) return index;
  const calls = [...state.tools.values()].map((tool) => [tool.key, tool.callId] as const);
  return toolCallKey(call, calls, state.lastToolKey);
}

function onToolDelta(
  state: ChatDecodeState,
  out: IrEvent[],
  call: ChatChunkToolCall,
  key: number,
): void {
  state.lastToolKey = key;
  let tool = state.tools.get(key);
  if (tool === undefined) {
    tool = {
      key,
      irIndex: undefined,
      callId: undefined,
      name: undefined,
      kind: 'function',
      pending: '',
    };
    state.tools.set(key, tool);
  }
  const custom = call.custom;
  if (tool.irIndex === undefined && (call.type === 'custom' || custom !== undefined)) {
    tool.kind = 'custom';
  }
  tool.callId ??= nonEmpty(call.id);
  let piece: string;
  if (tool.kind === 'custom') {
    tool.name ??= nonEmpty(custom?.name);
    piece = custom?.input ?? '';
  } else {
    // Legacy `function_call` pieces carry name and arguments at the top.
    const body = call.function ?? call;
    tool.name ??= nonEmpty(body.name);
    piece = body.arguments ?? '';
  }
  if (tool.irIndex === undefined) {
    tool.pending += piece;
    if (tool.name !== undefined) openTool(state, out, tool);
    return;
  }
  if (piece !== '') out.push({ type: 'tool-call-delta', index: tool.irIndex, delta: piece });
}

function onDelta(state: ChatDecodeState, out: IrEvent[], delta: ChatChunkDelta): void {
  const reasoning = nonEmpty(delta.reasoning_content) ?? nonEmpty(delta.reasoning);
  if (reasoning !== undefined) appendText(state, out, 'reasoning', reasoning);
  const content = nonEmpty(delta.content);
  if (content !== undefined) appendText(state, out, 'text', content);
  const refusal = nonEmpty(delta.refusal);
  if (refusal !== undefined) appendText(state, out, 'refusal', refusal);
  for (const call of delta.tool_calls ?? []) onToolDelta(state, out, call, toolKey(state, call));
  const legacy = delta.function_call;
  if (legacy !== undefined) onToolDelta(state, out, legacy, LEGACY_KEY);
  const annotations = delta.annotations;
  if (annotations !== undefined && annotations.length > 0) onAnnotations(state, out, annotations);
}

function onAnnotations(state: ChatDecodeState, out: IrEvent[], annotations: unknown[]): void {
  // Each `annotations` delta holds the message's whole list so far (the SDK replaces it), with
  // indices into the whole content: the new ones go to the open text block (a new empty one
  // when none is open), their indices made relative to where that block starts.
  if (state.current?.kind !== 'text') appendText(state, out, 'text', '');
  const block = state.current as { index: number };
  const offset = state.textOffsets.get(block.index) ?? 0;
  for (const value of annotations.slice(state.annotationCount)) {
    out.push({
      type: 'text-annotation',
      index: block.index,
      annotation: decodeAnnotation(value, offset),
    });
  }
  state.annotationCount = Math.max(state.annotationCount, annotations.length);
}

function onChoice(state: ChatDecodeState, out: IrEvent[], choice: ChatChunkChoice): void {
  const index = choice.index ?? 0;
  if (index !== 0) {
    if (!state.warnedChoices) {
      state.warnedChoices = true;
      state.options.onWarning?.({
        code: 'dropped',
        message: `Stream choices other than the first are ignored (saw choice ${index})`,
      });
    }
    return;
  }
  // A whole `message` instead of a `delta`: some servers send the final completion as one chunk.
  const delta = choice.delta ?? choice.message;
  if (delta !== undefined) onDelta(state, out, delta);
  const raw = nonEmpty(choice.finish_reason);
  if (raw !== undefined) state.finish = { reason: decodeFinishReason(raw), raw };
}

function onChunk(
  state: ChatDecodeState,
  chunk: ChatCompletionChunk,
  event: string | undefined,
): IrEvent[] {
  const out: IrEvent[] = [];
  if (isStreamError(chunk, event)) {
    start(state, out, chunk);
    state.ended = true;
    out.push({ type: 'error', error: decodeStreamError(chunk) });
    return out;
  }
  const choices = chunk.choices;
  const first = choices?.[0];
  // Moonshot's Kimi API puts usage inside the choice (northes/go-moonshot#17, 2024-06).
  const usage = chunk.usage ?? first?.usage;
  const object = chunk.object;
  if (object !== undefined && object !== '' && !object.startsWith('chat.completion')) {
    state.options.onUnknownEvent?.(object);
    return out;
  }
  // Azure's first chunk has an empty id and model, `choices: []` and `prompt_filter_results`.
  if (
    !state.started &&
    nonEmpty(chunk.id) === undefined &&
    !choices?.length &&
    usage === undefined
  ) {
    return out;
  }
  start(state, out, chunk);
  for (const choice of choices ?? []) onChoice(state, out, choice);
  if (usage !== undefined) out.push({ type: 'usage', usage: decodeUsage(usage) });
  return out;
}

function finishStream(state: ChatDecodeState, done: boolean): IrEvent[] {
  const out: IrEvent[] = [];
  state.ended = true;
  start(state, out, {});
  if (state.finish === undefined && !done) {
    out.push({ type: 'error', error: TRUNCATED_STREAM_ERROR });
    return out;
  }
  for (const tool of state.tools.values()) {
    if (tool.irIndex !== undefined) continue;
    state.options.onWarning?.({
      code: 'unexpected',
      message: 'A streamed tool call never got a name',
    });
    openTool(state, out, tool);
  }
  closeCurrent(state, out);
  for (const tool of state.tools.values()) {
    if (tool.irIndex !== undefined) out.push({ type: 'tool-call-end', index: tool.irIndex });
  }
  let reason: IrFinishReason;
  if (state.finish === undefined) {
    state.options.onWarning?.({
      code: 'unexpected',
      message: 'The Chat stream ended without a finish_reason',
    });
    reason = state.tools.size > 0 ? 'tool-calls' : 'stop';
  } else
    reason = state.finish.reason === 'stop' && state.sawRefusal ? 'refusal' : state.finish.reason;
  const raw =
    state.finish !== undefined && !STANDARD_FINISH.has(state.finish.raw)
      ? state.finish.raw
      : undefined;
  out.push({
    type: 'message-end',
    finishReason: reason,
    ...metaField(chatMeta({ finishReason: raw })),
  });
  return out;
}

function isOptionalText(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** A `tool_calls[]` piece of the usual shape: a numeric index and a `function` with strings. */
function isOrdinaryToolCall(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const body = value.function;
  return (
    Number.isFinite(value.index) &&
    isOptionalString(value.id) &&
    isOptionalString(value.type) &&
    value.custom === undefined &&
    value.name === undefined &&
    value.arguments === undefined &&
    isRecord(body) &&
    isOptionalString(body.name) &&
    isOptionalString(body.arguments)
  );
}

/**
 * The one choice of an ordinary delta chunk, read straight from the parsed payload, or
 * `undefined` for any other shape (which then goes through `narrowChatChunk` and `onChunk`).
 * Ordinary: no `error`, an `object` starting with `chat.completion` (or none), `usage` null or
 * absent, exactly one choice with index 0 (or none), no `message`, `usage` or non-null
 * `logprobs` in it, `finish_reason` a string or null, and a `delta` whose text fields are strings
 * or null, with no `annotations` or `function_call`, and `tool_calls` (if any) each with a
 * numeric index and a `function` of strings. Every field the decoder reads then has the type
 * the narrowers would give it, so `onChoice` on it gives what the full path gives once the
 * stream has started: `onChunk` would skip the start, find no usage and call `onChoice` alone.
 * Fields the decoder never reads (`id`, `model`, `obfuscation`, ...) are not looked at.
 */
export function readOrdinaryChoice(value: unknown): ChatChunkChoice | undefined {
  if (!isRecord(value) || value.error !== undefined) return undefined;
  const object = value.object;
  if (
    object !== undefined &&
    !(typeof object === 'string' && object.startsWith('chat.completion'))
  ) {
    return undefined;
  }
  const usage = value.usage;
  if (usage !== undefined && usage !== null) return undefined;
  const choices = value.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice: unknown = choices[0];
  if (!isRecord(choice)) return undefined;
  if (choice.index !== 0 && choice.index !== undefined) return undefined;
  if (choice.message !== undefined || choice.usage !== undefined) return undefined;
  if (choice.logprobs !== undefined && choice.logprobs !== null) return undefined;
  if (!isOptionalText(choice.finish_reason)) return undefined;
  const delta = choice.delta;
  if (!isRecord(delta)) return undefined;
  if (
    !isOptionalText(delta.content) ||
    !isOptionalText(delta.reasoning_content) ||
    !isOptionalText(delta.reasoning) ||
    !isOptionalText(delta.refusal) ||
    delta.annotations !== undefined ||
    delta.function_call !== undefined
  ) {
    return undefined;
  }
  const calls = delta.tool_calls;
  if (calls !== undefined) {
    if (!Array.isArray(calls)) return undefined;
    for (const call of calls) if (!isOrdinaryToolCall(call)) return undefined;
  }
  // Checked field by field above: each read field has the type `ChatChunkChoice` gives it.
  return choice as ChatChunkChoice;
}

/**
 * Creates a decoder. Blocks get dense indices in order of first appearance: reasoning, text and
 * refusal pieces form one block each until another kind of piece arrives (so a text that resumes
 * after a tool call is a new block); each tool call is one block from its first delta (once its
 * name is known) to the end. `message-end` waits for `[DONE]` or the end of input, so a usage
 * chunk after the `finish_reason` is folded in; without any `finish_reason` the stream ends with
 * `TRUNCATED_STREAM_ERROR`. A chunk with a top-level `error` ends it with an `error` event.
 * Once the stream has started, ordinary delta chunks skip the narrowing (`readOrdinaryChoice`),
 * and compact content and tool-arguments chunks with the envelope of an earlier chunk skip the
 * parse too (`scanContent`, `scanArguments`); anything else takes the full path. A head-only
 * decoder (`options.headOnly`) does not parse the usual first chunk either (`isRoleChunk`).
 */
export function createChatStreamDecoder(
  options: DecodeStreamOptions = {},
): StreamStep<SseMessage, IrEvent> {
  const state: ChatDecodeState = {
    options,
    started: false,
    ended: false,
    nextIndex: 0,
    current: undefined,
    textOffsets: new Map(),
    contentLength: 0,
    annotationCount: 0,
    tools: new Map(),
    lastToolKey: undefined,
    finish: undefined,
    sawRefusal: false,
    warnedChoices: false,
    envelope: undefined,
  };
  return {
    push(message) {
      if (state.ended || message.comment !== undefined) return [];
      const data = message.data.trim();
      if (data === '') return [];
      if (data === '[DONE]') return finishStream(state, true);
      const fast = state.started && message.event === undefined;
      // A head-only decoder (the pipeline's probe) does not parse the usual first chunk: it only
      // starts the message, whose fields the probe does not need; its envelope is learnt.
      if (options.headOnly && !state.started && message.event === undefined) {
        const envelope = learnEnvelope(data);
        if (envelope !== undefined && isRoleChunk(data, envelope) && !isUnterminated(message)) {
          state.started = true;
          state.envelope = envelope;
          return [{ type: 'message-start' }];
        }
      }
      // Fastest path: a content or arguments chunk read from its text (see `scanContent`); not
      // for a message cut short at the end of input, though only a whole JSON text could match.
      if (fast && state.envelope !== undefined && !isUnterminated(message)) {
        const content = scanContent(data, state.envelope);
        if (content !== undefined) {
          if (content === '') return [];
          const current = state.current;
          // More text to the open text block (most chunks): `appendText` would add only this.
          if (current?.kind === 'text') {
            state.contentLength += content.length;
            return [{ type: 'text-delta', index: current.index, delta: content }];
          }
          const out: IrEvent[] = [];
          appendText(state, out, 'text', content);
          return out;
        }
        const args = scanArguments(data, state.envelope);
        if (args !== undefined) {
          // The tool call the parse would give; `onChoice` would pass it on just so.
          const call: ChatChunkToolCall = {
            index: args.index,
            function: { arguments: args.piece },
          };
          const out: IrEvent[] = [];
          onToolDelta(state, out, call, args.index);
          return out;
        }
      }
      const parsed = tryParseJson(data);
      // A new envelope is learnt from any chunk that does not start with the known one.
      const envelope = state.envelope;
      if (envelope === undefined || data.slice(0, envelope.length) !== envelope) {
        state.envelope = learnEnvelope(data);
      }
      // Fast path for the chunks that make up most of a stream (see `readOrdinaryChoice`).
      if (fast) {
        const choice = readOrdinaryChoice(parsed);
        if (choice !== undefined) {
          const out: IrEvent[] = [];
          onChoice(state, out, choice);
          return out;
        }
      }
      const chunk = narrowChatChunk(parsed);
      if (chunk === undefined) {
        options.onWarning?.({
          code: 'unexpected',
          message: 'Skipped a Chat stream event that is not a JSON object',
        });
        return [];
      }
      return onChunk(state, chunk, message.event);
    },
    end() {
      return state.ended ? [] : finishStream(state, false);
    },
  };
}
