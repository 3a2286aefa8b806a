/**
 * Native reassembly: a Chat Completions SSE stream back into the `chat.completion` body the same
 * request would have got without streaming, leniently and without going through the IR.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import { type JsonObject, tryParseJson } from '../../util/json.js';
import type {
  DecodeStreamOptions,
  StreamAccumulation,
  WireBody,
  WireStreamAccumulator,
} from '../format.js';
import { narrowChatChunk } from './narrow.js';
import { decodeStreamError, isStreamError } from './stream-error.js';
import { toolCallKey } from './tool-call-key.js';
import type {
  ChatChunkDelta,
  ChatChunkLogprobs,
  ChatCompletion,
  ChatCompletionChunk,
} from './types.js';

interface ToolCallState {
  id?: string;
  type?: string;
  name?: string;
  arguments: string;
}

interface ChoiceState {
  content: string;
  sawContent: boolean;
  refusal: string | undefined;
  reasoning: Map<string, string>;
  toolCalls: Map<number, ToolCallState>;
  lastToolCall?: number;
  functionCall?: { name: string; arguments: string };
  annotations?: unknown[];
  logprobs?: { content: unknown[]; refusal: unknown[] };
  finishReason: string | null;
}

function newChoice(): ChoiceState {
  return {
    content: '',
    sawContent: false,
    refusal: undefined,
    reasoning: new Map(),
    toolCalls: new Map(),
    finishReason: null,
  };
}

function appendDelta(choice: ChoiceState, delta: ChatChunkDelta): void {
  if (typeof delta.content === 'string') {
    choice.content += delta.content;
    choice.sawContent = true;
  }
  if (typeof delta.refusal === 'string') choice.refusal = (choice.refusal ?? '') + delta.refusal;
  for (const field of ['reasoning_content', 'reasoning'] as const) {
    const piece = delta[field];
    if (typeof piece === 'string')
      choice.reasoning.set(field, (choice.reasoning.get(field) ?? '') + piece);
  }
  for (const call of delta.tool_calls ?? []) {
    const index =
      call.index ??
      toolCallKey(
        call,
        [...choice.toolCalls].map(([key, state]) => [key, state.id] as const),
        choice.lastToolCall,
      );
    choice.lastToolCall = index;
    let state = choice.toolCalls.get(index);
    if (state === undefined) {
      state = { arguments: '' };
      choice.toolCalls.set(index, state);
    }
    const custom = call.custom;
    state.id ??= call.id || undefined;
    state.type ??= call.type || (custom !== undefined ? 'custom' : undefined);
    if (custom !== undefined) {
      state.name ??= custom.name || undefined;
      state.arguments += custom.input ?? '';
    } else {
      state.name ??= call.function?.name || undefined;
      state.arguments += call.function?.arguments ?? '';
    }
  }
  const legacy = delta.function_call;
  if (legacy !== undefined) {
    choice.functionCall ??= { name: '', arguments: '' };
    choice.functionCall.name ||= legacy.name ?? '';
    choice.functionCall.arguments += legacy.arguments ?? '';
  }
  const annotations = delta.annotations;
  if (annotations !== undefined) choice.annotations = annotations;
}

function appendLogprobs(choice: ChoiceState, logprobs: ChatChunkLogprobs | null | undefined): void {
  if (!logprobs) return;
  choice.logprobs ??= { content: [], refusal: [] };
  choice.logprobs.content.push(...(logprobs.content ?? []));
  choice.logprobs.refusal.push(...(logprobs.refusal ?? []));
}

function encodeToolCall(index: number, call: ToolCallState): JsonObject {
  const id = call.id ?? `call_${index}`;
  if (call.type === 'custom') {
    return { id, type: 'custom', custom: { name: call.name ?? '', input: call.arguments } };
  }
  return { id, type: 'function', function: { name: call.name ?? '', arguments: call.arguments } };
}

function buildChoice(index: number, choice: ChoiceState): ChatCompletion['choices'][number] {
  const toolCalls = [...choice.toolCalls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([key, call]) => encodeToolCall(key, call));
  const calls = toolCalls.length > 0 || choice.functionCall !== undefined;
  const message: ChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    // Like the API: `null` when the turn is only tool calls (or nothing), never `""` for them.
    content: choice.content !== '' || (choice.sawContent && !calls) ? choice.content : null,
    refusal: choice.refusal ?? null,
    annotations: choice.annotations ?? [],
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (choice.functionCall !== undefined) message.function_call = choice.functionCall;
  for (const [field, text] of choice.reasoning) message[field] = text;
  const logprobs = choice.logprobs;
  return {
    index,
    message,
    logprobs:
      logprobs === undefined
        ? null
        : {
            content: logprobs.content,
            refusal: logprobs.refusal.length > 0 ? logprobs.refusal : null,
          },
    // A stream without a finish_reason still needs one to be a valid body.
    finish_reason: choice.finishReason ?? (calls ? 'tool_calls' : 'stop'),
  };
}

/**
 * Creates a native accumulator (WIRE-FORMATS §5.3): content, refusal, reasoning and tool-call
 * arguments are concatenated per choice and index; id, type and name come from the first delta
 * that has them; `finish_reason` from the last non-null one; usage from the usage chunk;
 * `service_tier` and `system_fingerprint` from the chunks. Unknown fields (`obfuscation`,
 * `prompt_filter_results`, ...) are not copied. The result is `complete` once a `finish_reason`
 * or `[DONE]` arrived; an error chunk or an early end gives `complete: false` with the error and
 * everything gathered so far.
 */
export function createChatStreamAccumulator(
  options: DecodeStreamOptions = {},
): WireStreamAccumulator {
  let id = '';
  let created = 0;
  let model = '';
  const envelope: JsonObject = {};
  const choices = new Map<number, ChoiceState>();
  let usage: JsonObject | undefined;
  let sawFinish = false;
  let sawDone = false;
  let error: IrError | undefined;

  function onChunk(chunk: ChatCompletionChunk, event: string | undefined): void {
    if (isStreamError(chunk, event)) {
      error = decodeStreamError(chunk);
      return;
    }
    const object = chunk.object;
    if (object !== undefined && object !== '' && !object.startsWith('chat.completion')) {
      options.onUnknownEvent?.(object);
      return;
    }
    if (id === '') id = chunk.id ?? '';
    if (created === 0) created = chunk.created ?? 0;
    if (model === '') model = chunk.model ?? '';
    for (const key of ['service_tier', 'system_fingerprint']) {
      if (key in chunk) envelope[key] = chunk[key];
    }
    const chunkUsage = chunk.usage;
    if (chunkUsage !== undefined) usage = chunkUsage;
    for (const entry of chunk.choices ?? []) {
      const index = entry.index ?? 0;
      let choice = choices.get(index);
      if (choice === undefined) {
        choice = newChoice();
        choices.set(index, choice);
      }
      // Moonshot's Kimi API puts usage inside the choice (northes/go-moonshot#17, 2024-06).
      const choiceUsage = entry.usage;
      if (choiceUsage !== undefined && chunkUsage === undefined) usage = choiceUsage;
      const delta = entry.delta ?? entry.message;
      if (delta !== undefined) appendDelta(choice, delta);
      appendLogprobs(choice, entry.logprobs);
      const finish = entry.finish_reason;
      if (typeof finish === 'string' && finish !== '') {
        choice.finishReason = finish;
        sawFinish = true;
      }
    }
  }

  return {
    push(message) {
      if (error !== undefined || sawDone || message.comment !== undefined) return;
      const data = message.data.trim();
      if (data === '') return;
      if (data === '[DONE]') {
        sawDone = true;
        return;
      }
      const chunk = narrowChatChunk(tryParseJson(data));
      if (chunk !== undefined) onChunk(chunk, message.event);
      else {
        options.onWarning?.({
          code: 'unexpected',
          message: 'Skipped a Chat stream event that is not a JSON object',
        });
      }
    },
    result(): StreamAccumulation {
      const entries: Array<[number, ChoiceState]> =
        choices.size > 0 ? [...choices.entries()] : [[0, newChoice()]];
      const body: WireBody = {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: entries
          .sort(([a], [b]) => a - b)
          .map(([index, choice]) => buildChoice(index, choice)),
        ...envelope,
      };
      if (usage !== undefined) body.usage = usage;
      const complete = error === undefined && (sawFinish || sawDone);
      const failure = error ?? (complete ? undefined : TRUNCATED_STREAM_ERROR);
      return { body, complete, ...(failure !== undefined ? { error: failure } : {}) };
    },
  };
}
