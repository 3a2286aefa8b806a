/**
 * Encodes a neutral response as the non-streaming `chat.completion` a Chat client expects.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
import type { IrAssistantPart } from '../../ir/content.js';
import type { IrResponse } from '../../ir/response.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import type { EncodeContext, WireBody } from '../format.js';
import { encodeAnnotation } from './annotations.js';
import { decodeFinishReason, encodeFinishReason } from './finish-reason.js';
import { readChatMeta } from './meta.js';
import {
  packReasoning,
  REASONING_OPAQUE_FIELD,
  type ReasoningEntry,
  reasoningEntry,
} from './reasoning-opaque.js';
import { type ChatCompletion, FORMAT_ID } from './types.js';
import { encodeUsage } from './usage.js';

function record(value: unknown): JsonObject {
  return isRecord(value) ? value : {};
}

/** The message fields gathered from the parts, in one pass. */
interface MessageFields {
  text: string;
  hasText: boolean;
  array: unknown[];
  annotations: unknown[];
  refusals: string[];
  hasReasoning: boolean;
  /** Non-empty reasoning texts, joined with blank lines (one per reasoning block). */
  reasoning: string[];
  reasoningField: string;
  /** Every reasoning part, for the values only `reasoning_opaque` can carry. */
  reasoningEntries: ReasoningEntry[];
  toolCalls: unknown[];
  functionCall?: { name: string; arguments: string };
}

function collectPart(part: IrAssistantPart, fields: MessageFields, warnings: ConversionWarning[]) {
  switch (part.type) {
    case 'text': {
      const offset = fields.text.length;
      for (const annotation of part.annotations ?? []) {
        const encoded = encodeAnnotation(annotation, offset, part.text.length);
        if (encoded !== undefined) fields.annotations.push(encoded);
        else
          warnings.push({ code: 'dropped', message: 'A citation of another format was left out' });
      }
      fields.text += part.text;
      fields.hasText = true;
      fields.array.push({
        ...record(readChatMeta(part.meta).extra),
        type: 'text',
        text: part.text,
      });
      return;
    }
    case 'refusal':
      if (readChatMeta(part.meta).contentPart === true) {
        fields.array.push({ type: 'refusal', refusal: part.text });
      } else fields.refusals.push(part.text);
      return;
    case 'reasoning': {
      fields.hasReasoning = true;
      if (part.text !== '') fields.reasoning.push(part.text);
      if (readChatMeta(part.meta).field === 'reasoning') fields.reasoningField = 'reasoning';
      fields.reasoningEntries.push(reasoningEntry(part));
      return;
    }
    case 'tool-call': {
      const meta = readChatMeta(part.meta);
      if (meta.legacy === true) {
        fields.functionCall = { name: part.name, arguments: part.arguments };
        return;
      }
      // A custom call goes out as the stream sends it: a function call of the same name with
      // arguments {"input": "<raw text>"}, the one tool-call shape every Chat client reads.
      // (A Chat upstream's own custom call, in the same format, goes back as it came.)
      if (part.kind === 'custom' && meta.nativeCustom === true) {
        fields.toolCalls.push({
          ...record(meta.extra),
          id: part.callId,
          type: 'custom',
          custom: { ...record(meta.bodyExtra), name: part.name, input: part.arguments },
        });
        return;
      }
      const args =
        part.kind === 'custom' ? JSON.stringify({ input: part.arguments }) : part.arguments;
      fields.toolCalls.push({
        ...record(meta.extra),
        id: part.callId,
        type: 'function',
        function: { ...record(meta.bodyExtra), name: part.name, arguments: args },
      });
      return;
    }
    case 'opaque': {
      const value = part.format === FORMAT_ID ? record(part.value) : {};
      if (isRecord(value.toolCall)) fields.toolCalls.push(value.toolCall);
      else if ('contentPart' in value) fields.array.push(value.contentPart);
      else {
        warnings.push({
          code: 'dropped',
          message: `A "${part.format}" block cannot be expressed in a Chat completion`,
        });
      }
      return;
    }
    default:
      assertNever(part, 'assistant part');
  }
}

function encodeMessage(
  response: IrResponse,
  meta: JsonObject,
  warnings: ConversionWarning[],
): { message: ChatCompletion['choices'][number]['message']; hasToolCalls: boolean } {
  const fields: MessageFields = {
    text: '',
    hasText: false,
    array: [],
    annotations: [],
    refusals: [],
    hasReasoning: false,
    reasoning: [],
    reasoningField: 'reasoning_content',
    reasoningEntries: [],
    toolCalls: [],
  };
  for (const part of response.content) collectPart(part, fields, warnings);
  const extra = record(meta.messageExtra);
  const absent = Array.isArray(meta.absent) ? meta.absent : [];
  const hasToolCalls = fields.toolCalls.length > 0 || fields.functionCall !== undefined;
  const message: ChatCompletion['choices'][number]['message'] = { ...extra, role: 'assistant' };
  if (meta.contentArray === true) message.content = fields.array;
  else if (fields.hasText) message.content = fields.text;
  else {
    const nullable = meta.contentNull === true || hasToolCalls || fields.refusals.length > 0;
    message.content = nullable ? null : '';
  }
  if (fields.refusals.length > 0) message.refusal = fields.refusals.join('');
  else if (!absent.includes('refusal') && !('refusal' in extra)) message.refusal = null;
  if (fields.annotations.length > 0) message.annotations = fields.annotations;
  else if (!absent.includes('annotations') && !('annotations' in extra)) message.annotations = [];
  if (fields.toolCalls.length > 0 || meta.toolCallsEmpty === true) {
    message.tool_calls = fields.toolCalls;
  }
  if (fields.functionCall !== undefined) message.function_call = fields.functionCall;
  // Non-standard, but DeepSeek-style clients display it and send it back on the next turn.
  if (fields.hasReasoning) message[fields.reasoningField] = fields.reasoning.join('\n\n');
  const packed = packReasoning(fields.reasoningEntries);
  if (packed !== undefined) message[REASONING_OPAQUE_FIELD] = packed;
  return { message, hasToolCalls };
}

function finishReasonOf(response: IrResponse, meta: JsonObject, hasToolCalls: boolean): unknown {
  // A non-standard upstream value (legacy `function_call`, `null`, `eos`) comes back verbatim
  // when the neutral reason still says what it meant.
  if ('finishReason' in meta && decodeFinishReason(meta.finishReason) === response.finishReason) {
    return meta.finishReason;
  }
  return encodeFinishReason(response.finishReason, hasToolCalls);
}

/**
 * Encodes a neutral response: exactly one choice; text parts joined into `content` (`null` when
 * the message has only tool calls or a refusal), citations as `annotations` with their indices
 * shifted into the joined text, reasoning as the non-standard `reasoning_content` (signatures and
 * encrypted reasoning packed in the non-standard `reasoning_opaque`), tool calls
 * with their kinds. The id is the response's own (a fresh `chatcmpl-` id when it has none);
 * `context.model` names the model. A failed response still gives a valid body with what was
 * gathered; its error is reported as a warning. (The pipeline never sends such a body: a failed
 * answer is the client's HTTP error, see `pipeline/buffered-response.ts`.)
 */
export function encodeChatResponse(
  response: IrResponse,
  context: EncodeContext,
): Converted<WireBody> {
  const warnings: ConversionWarning[] = [];
  const meta = readChatMeta(response.meta);
  const { message, hasToolCalls } = encodeMessage(response, meta, warnings);
  const choiceExtra = isRecord(meta.choiceExtra) ? meta.choiceExtra : { logprobs: null };
  const body: ChatCompletion = {
    ...record(meta.extra),
    id: response.id !== '' ? response.id : context.createId('chatcmpl-'),
    object: 'chat.completion',
    created: response.createdAt ?? context.createdAt,
    model: context.model ?? response.model,
    choices: [
      {
        ...choiceExtra,
        index: 0,
        message,
        finish_reason: finishReasonOf(response, meta, hasToolCalls),
      },
    ],
  };
  if (meta.usageAbsent !== true) body.usage = encodeUsage(response.usage, record(meta.usage));
  if (response.error !== undefined) {
    warnings.push({
      code: 'dropped',
      message: `A Chat completion cannot carry the error "${response.error.message}"; the content gathered is sent`,
    });
  }
  return { value: body, warnings };
}
