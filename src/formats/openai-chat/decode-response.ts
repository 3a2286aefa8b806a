/**
 * Decodes a non-streaming `chat.completion` from a Chat upstream into the neutral response,
 * leniently: missing fields get neutral defaults, unknown fields are kept in meta for this format.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
import type { IrAnnotation, IrAssistantPart, IrTextPart } from '../../ir/content.js';
import { statusForFinishReason } from '../../ir/finish.js';
import type { IrResponse } from '../../ir/response.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { getRecord, getString, isRecord, type JsonObject } from '../../util/json.js';
import type { AnswerOutcome, WireBody } from '../format.js';
import { decodeAnnotation } from './annotations.js';
import { decodeFinishReason } from './finish-reason.js';
import { chatMeta, extraFields, metaField } from './meta.js';
import {
  narrowChatChoice,
  narrowChatCompletion,
  narrowResponseMessage,
  narrowToolCall,
} from './narrow.js';
import { FORMAT_ID } from './types.js';
import { decodeUsage } from './usage.js';

const STANDARD_FINISH = new Set(['stop', 'length', 'tool_calls', 'content_filter']);

function decodeToolCall(call: unknown, index: number): IrAssistantPart {
  if (!isRecord(call) || (call.type !== 'function' && call.type !== 'custom')) {
    return { type: 'opaque', format: FORMAT_ID, value: { toolCall: call } };
  }
  const kind = call.type;
  // Read typed; the extras come from the call as it came.
  const read = narrowToolCall(call) ?? {};
  const body = getRecord(call, kind) ?? {};
  const valueKey = kind === 'function' ? 'arguments' : 'input';
  return {
    type: 'tool-call',
    callId: read.id ?? `call_${index}`,
    name: (kind === 'function' ? read.function?.name : read.custom?.name) ?? '',
    arguments: (kind === 'function' ? read.function?.arguments : read.custom?.input) ?? '',
    kind,
    ...metaField(
      chatMeta({
        extra: extraFields(call, ['id', 'type', kind]),
        bodyExtra: extraFields(body, ['name', valueKey]),
        // A Chat upstream's own custom call goes back to a Chat client as it came.
        nativeCustom: kind === 'custom' ? true : undefined,
      }),
    ),
  };
}

/** The message's text (a string, or an array of parts some servers send) as neutral parts. */
function decodeContent(content: unknown, parts: IrAssistantPart[]): IrTextPart | undefined {
  if (typeof content === 'string') {
    const text: IrTextPart = { type: 'text', text: content };
    parts.push(text);
    return text;
  }
  if (!Array.isArray(content)) return undefined;
  let first: IrTextPart | undefined;
  for (const part of content) {
    if (isRecord(part) && part.type === 'text') {
      const text: IrTextPart = {
        type: 'text',
        text: getString(part, 'text') ?? '',
        ...metaField(chatMeta({ extra: extraFields(part, ['type', 'text']) })),
      };
      first ??= text;
      parts.push(text);
    } else if (isRecord(part) && part.type === 'refusal') {
      parts.push({
        type: 'refusal',
        text: getString(part, 'refusal') ?? '',
        meta: { [FORMAT_ID]: { contentPart: true } },
      });
    } else parts.push({ type: 'opaque', format: FORMAT_ID, value: { contentPart: part } });
  }
  return first;
}

function decodeMessage(message: JsonObject, meta: JsonObject): IrAssistantPart[] {
  const parts: IrAssistantPart[] = [];
  // Typed reads; `content`, `refusal` and the extras come from the message as it came.
  const typed = narrowResponseMessage(message) ?? {};
  const read = ['role', 'content', 'refusal', 'annotations', 'tool_calls', 'function_call'];
  for (const field of ['reasoning_content', 'reasoning'] as const) {
    const text = typed[field];
    if (text === undefined || parts.length > 0) continue;
    read.push(field);
    parts.push({
      type: 'reasoning',
      text,
      ...metaField(chatMeta({ field: field === 'reasoning' ? field : undefined })),
    });
  }
  const text = decodeContent(message.content, parts);
  if (Array.isArray(message.content)) meta.contentArray = true;
  const annotations = typed.annotations;
  if (annotations === undefined) meta.absent = ['annotations'];
  else if (annotations.length > 0) {
    const decoded: IrAnnotation[] = annotations.map((annotation) => decodeAnnotation(annotation));
    if (text !== undefined) text.annotations = decoded;
    else read.splice(read.indexOf('annotations'), 1);
  }
  const refusal = message.refusal;
  if (typeof refusal === 'string') parts.push({ type: 'refusal', text: refusal });
  else if (refusal === undefined) meta.absent = [...((meta.absent as string[]) ?? []), 'refusal'];
  else if (refusal !== null) read.splice(read.indexOf('refusal'), 1);
  const toolCalls = typed.tool_calls;
  toolCalls?.forEach((call, index) => {
    parts.push(decodeToolCall(call, index));
  });
  if (toolCalls?.length === 0) meta.toolCallsEmpty = true;
  const legacy = typed.function_call;
  if (legacy !== undefined) {
    parts.push({
      type: 'tool-call',
      callId: 'call_legacy_1',
      name: legacy.name ?? '',
      arguments: legacy.arguments ?? '',
      kind: 'function',
      meta: { [FORMAT_ID]: { legacy: true } },
    });
  } else if (message.function_call !== undefined) {
    read.splice(read.indexOf('function_call'), 1);
  }
  if (message.content === null && toolCalls === undefined && typeof refusal !== 'string') {
    meta.contentNull = true;
  }
  meta.messageExtra = extraFields(message, read);
  return parts;
}

/**
 * Decodes a `chat.completion`. Only the first choice is used (ccproxy never asks for more; a
 * warning reports the others). A `stop` whose message holds a refusal becomes `refusal`.
 * Meta keeps `service_tier`, `system_fingerprint`, `logprobs`, raw usage details and unknown
 * fields, so `encodeResponse` gives the same body back.
 */
export function decodeChatResponse(body: unknown): Converted<IrResponse> {
  const warnings: ConversionWarning[] = [];
  // Typed reads come from the narrowed body; extras from the body as it came, so a field of an
  // unexpected type is given back verbatim rather than narrowed away.
  const raw = isRecord(body) ? body : {};
  const response = narrowChatCompletion(raw) ?? {};
  if (!isRecord(body)) {
    warnings.push({ code: 'unexpected', message: 'The Chat response body is not an object' });
  }
  const choices = response.choices ?? [];
  if (choices.length > 1) {
    warnings.push({
      code: 'dropped',
      message: `Only the first of ${choices.length} choices is kept`,
      path: 'choices',
    });
  }
  const rawChoice = isRecord(choices[0]) ? choices[0] : {};
  const choice = narrowChatChoice(rawChoice) ?? {};
  const message = choice.message ?? {};
  const meta: JsonObject = {};
  const content = decodeMessage(message, meta);
  const rawFinish = choice.finish_reason;
  let finishReason = decodeFinishReason(rawFinish);
  if (finishReason === 'stop' && content.some((part) => part.type === 'refusal')) {
    finishReason = 'refusal';
  }
  if (typeof rawFinish !== 'string' || !STANDARD_FINISH.has(rawFinish)) {
    meta.finishReason = rawFinish ?? null;
  }
  meta.choiceExtra = extraFields(rawChoice, ['index', 'message', 'finish_reason']) ?? {};
  const usage = response.usage;
  // Without a usage object (absent, or `null` kept verbatim in `extra`) none is written back.
  if (usage !== undefined) meta.usage = usage;
  else meta.usageAbsent = true;
  meta.extra = extraFields(raw, [
    'id',
    'object',
    'created',
    'model',
    'choices',
    ...(usage !== undefined ? ['usage'] : []),
  ]);
  const created = response.created;
  const irMeta = chatMeta(meta);
  return {
    value: {
      id: response.id ?? '',
      model: response.model ?? '',
      ...(created !== undefined ? { createdAt: created } : {}),
      content,
      finishReason,
      status: statusForFinishReason(finishReason),
      usage: decodeUsage(usage),
      ...metaField(irMeta),
    },
    warnings,
  };
}

/**
 * The usage and finish reason `decodeChatResponse` gives `body`, read without decoding the
 * message (a same-format route forwards the body as it came). `undefined` when the message could
 * hold a refusal behind a `stop` (a `refusal` string, or content parts), which turns the finish
 * into `refusal`: the full decode then reads it. A Chat answer never reports a failure.
 */
export function readChatAnswerOutcome(body: WireBody): AnswerOutcome | undefined {
  const response = narrowChatCompletion(body) ?? {};
  const choices = response.choices ?? [];
  const choice = narrowChatChoice(isRecord(choices[0]) ? choices[0] : {}) ?? {};
  const finishReason = decodeFinishReason(choice.finish_reason);
  if (finishReason === 'stop') {
    const message = choice.message ?? {};
    if (typeof message.refusal === 'string' || Array.isArray(message.content)) return undefined;
  }
  return { usage: decodeUsage(response.usage), finishReason };
}
