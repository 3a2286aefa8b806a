/**
 * Native reassembly: a Chat Completions SSE stream back into the `chat.completion` body the same
 * request would have got without streaming, leniently and without going through the IR.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import {
  getArray,
  getNumber,
  getRecord,
  getString,
  isRecord,
  type JsonObject,
  tryParseJson,
} from '../../util/json.js';
import type {
  DecodeStreamOptions,
  StreamAccumulation,
  WireBody,
  WireStreamAccumulator,
} from '../format.js';
import { decodeStreamError, isStreamError } from './stream-error.js';
import { toolCallKey } from './tool-call-key.js';

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

function appendDelta(choice: ChoiceState, delta: JsonObject): void {
  if (typeof delta.content === 'string') {
    choice.content += delta.content;
    choice.sawContent = true;
  }
  if (typeof delta.refusal === 'string') choice.refusal = (choice.refusal ?? '') + delta.refusal;
  for (const field of ['reasoning_content', 'reasoning']) {
    const piece = delta[field];
    if (typeof piece === 'string')
      choice.reasoning.set(field, (choice.reasoning.get(field) ?? '') + piece);
  }
  for (const call of getArray(delta, 'tool_calls') ?? []) {
    if (!isRecord(call)) continue;
    const index =
      getNumber(call, 'index') ??
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
    const custom = getRecord(call, 'custom');
    const fn = getRecord(call, 'function');
    state.id ??= getString(call, 'id') || undefined;
    state.type ??= getString(call, 'type') || (custom !== undefined ? 'custom' : undefined);
    const body = custom ?? fn ?? {};
    state.name ??= getString(body, 'name') || undefined;
    state.arguments += getString(body, custom !== undefined ? 'input' : 'arguments') ?? '';
  }
  const legacy = getRecord(delta, 'function_call');
  if (legacy !== undefined) {
    choice.functionCall ??= { name: '', arguments: '' };
    choice.functionCall.name ||= getString(legacy, 'name') ?? '';
    choice.functionCall.arguments += getString(legacy, 'arguments') ?? '';
  }
  const annotations = getArray(delta, 'annotations');
  if (annotations !== undefined) choice.annotations = annotations;
}

function appendLogprobs(choice: ChoiceState, logprobs: unknown): void {
  if (!isRecord(logprobs)) return;
  choice.logprobs ??= { content: [], refusal: [] };
  choice.logprobs.content.push(...(getArray(logprobs, 'content') ?? []));
  choice.logprobs.refusal.push(...(getArray(logprobs, 'refusal') ?? []));
}

function encodeToolCall(index: number, call: ToolCallState): JsonObject {
  const id = call.id ?? `call_${index}`;
  if (call.type === 'custom') {
    return { id, type: 'custom', custom: { name: call.name ?? '', input: call.arguments } };
  }
  return { id, type: 'function', function: { name: call.name ?? '', arguments: call.arguments } };
}

function buildChoice(index: number, choice: ChoiceState): JsonObject {
  const toolCalls = [...choice.toolCalls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([key, call]) => encodeToolCall(key, call));
  const calls = toolCalls.length > 0 || choice.functionCall !== undefined;
  const message: JsonObject = {
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

  function onChunk(chunk: JsonObject, event: string | undefined): void {
    if (isStreamError(chunk, event)) {
      error = decodeStreamError(chunk);
      return;
    }
    const object = getString(chunk, 'object');
    if (object !== undefined && object !== '' && !object.startsWith('chat.completion')) {
      options.onUnknownEvent?.(object);
      return;
    }
    if (id === '') id = getString(chunk, 'id') ?? '';
    if (created === 0) created = getNumber(chunk, 'created') ?? 0;
    if (model === '') model = getString(chunk, 'model') ?? '';
    for (const key of ['service_tier', 'system_fingerprint']) {
      if (key in chunk) envelope[key] = chunk[key];
    }
    const chunkUsage = getRecord(chunk, 'usage');
    if (chunkUsage !== undefined) usage = chunkUsage;
    for (const entry of getArray(chunk, 'choices') ?? []) {
      if (!isRecord(entry)) continue;
      const index = getNumber(entry, 'index') ?? 0;
      let choice = choices.get(index);
      if (choice === undefined) {
        choice = newChoice();
        choices.set(index, choice);
      }
      // Moonshot's Kimi API puts usage inside the choice (northes/go-moonshot#17, 2024-06).
      const choiceUsage = getRecord(entry, 'usage');
      if (choiceUsage !== undefined && chunkUsage === undefined) usage = choiceUsage;
      const delta = getRecord(entry, 'delta') ?? getRecord(entry, 'message');
      if (delta !== undefined) appendDelta(choice, delta);
      appendLogprobs(choice, entry.logprobs);
      const finish = getString(entry, 'finish_reason');
      if (finish !== undefined && finish !== '') {
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
      const chunk = tryParseJson(data);
      if (isRecord(chunk)) onChunk(chunk, message.event);
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
