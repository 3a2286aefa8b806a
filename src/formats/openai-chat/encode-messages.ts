/**
 * Encodes the neutral system prompt and turns as Chat `messages`; what Chat cannot carry is
 * dropped with a warning, and what this format decoded comes back as it was.
 */
import type {
  IrAssistantPart,
  IrOpaquePart,
  IrTextPart,
  IrToolResultPart,
} from '../../ir/content.js';
import { resultsRightAfterCalls } from '../../ir/order.js';
import type { IrMessage, IrRequest } from '../../ir/request.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import { encodeTextPart, encodeUserPart, isPlainText } from './encode-parts.js';
import { readChatMeta } from './meta.js';
import { type ChatContentPart, FORMAT_ID } from './types.js';

type Warnings = ConversionWarning[];

function record(value: unknown): JsonObject {
  return isRecord(value) ? value : {};
}

/** System parts this format decoded, grouped back into their messages with their positions. */
function encodeSystem(request: IrRequest): {
  leading: JsonObject[];
  placed: Array<{ at: number; message: JsonObject }>;
} {
  const loose: IrTextPart[] = [];
  const placed: Array<{ at: number; message: JsonObject; parts: IrTextPart[] }> = [];
  for (const part of request.system) {
    const meta = readChatMeta(part.meta);
    if (typeof meta.message !== 'number') {
      loose.push(part);
      continue;
    }
    const last = placed[placed.length - 1];
    if (last !== undefined && last.at === meta.message) {
      last.parts.push(part);
      continue;
    }
    const role = meta.role === 'developer' ? 'developer' : 'system';
    placed.push({
      at: meta.message,
      message: { ...record(meta.messageExtra), role },
      parts: [part],
    });
  }
  for (const group of placed) {
    const first = readChatMeta(group.parts[0]?.meta);
    group.message.content =
      first.contentArray === true
        ? group.parts.map(encodeTextPart)
        : group.parts.map((part) => part.text).join('');
  }
  const leading: JsonObject[] = [];
  if (loose.length > 0) {
    // Several system parts of another format become one message: the most widely accepted form.
    const role = readChatMeta(request.meta).systemRole === 'developer' ? 'developer' : 'system';
    leading.push({ role, content: loose.map((part) => part.text).join('\n\n') });
  }
  return { leading, placed };
}

function encodeUser(message: IrMessage & { role: 'user' }, path: string, warnings: Warnings) {
  const meta = readChatMeta(message.meta);
  const parts: ChatContentPart[] = [];
  message.content.forEach((part, index) => {
    const encoded = encodeUserPart(part, `${path}.content[${index}]`, warnings);
    if (encoded !== undefined) parts.push(encoded);
  });
  const only = parts[0];
  const content =
    meta.contentArray !== true && parts.length === 1 && only !== undefined && isPlainText(only)
      ? (only as { text: string }).text
      : parts.length === 0
        ? ''
        : parts;
  const role = typeof meta.sentRole === 'string' ? meta.sentRole : 'user';
  return { ...record(meta.extra), role, content };
}

/** The fields an assistant turn is built from, gathered in one pass over its parts. */
interface AssistantFields {
  texts: string[];
  array: unknown[];
  refusals: string[];
  reasoning: Map<string, string[]>;
  toolCalls: unknown[];
  functionCall?: JsonObject;
}

function collectAssistantPart(
  part: IrAssistantPart,
  fields: AssistantFields,
  path: string,
  warnings: Warnings,
): void {
  const meta = readChatMeta('meta' in part ? part.meta : undefined);
  switch (part.type) {
    case 'text':
      fields.texts.push(part.text);
      fields.array.push(encodeTextPart(part));
      return;
    case 'refusal':
      if (meta.contentPart === true) {
        fields.array.push({ ...record(meta.extra), type: 'refusal', refusal: part.text });
      } else fields.refusals.push(part.text);
      return;
    case 'reasoning': {
      const field = meta.field;
      if (field === 'reasoning_content' || field === 'reasoning') {
        const list = fields.reasoning.get(field) ?? [];
        list.push(part.text);
        fields.reasoning.set(field, list);
        return;
      }
      warnings.push({
        code: 'dropped',
        message: 'Reasoning from another format cannot be sent back to a Chat upstream',
        path,
      });
      return;
    }
    case 'tool-call': {
      if (meta.legacy === true) {
        fields.functionCall = { ...record(meta.extra), name: part.name, arguments: part.arguments };
        return;
      }
      const body =
        part.kind === 'custom'
          ? { custom: { ...record(meta.bodyExtra), name: part.name, input: part.arguments } }
          : { function: { ...record(meta.bodyExtra), name: part.name, arguments: part.arguments } };
      fields.toolCalls.push({
        ...record(meta.extra),
        ...(meta.noId === true ? {} : { id: part.callId }),
        type: part.kind,
        ...body,
      });
      return;
    }
    case 'opaque':
      collectOpaque(part, fields, path, warnings);
      return;
    default:
      assertNever(part, 'assistant part');
  }
}

function collectOpaque(
  part: IrOpaquePart,
  fields: AssistantFields,
  path: string,
  warnings: Warnings,
) {
  const value = part.format === FORMAT_ID ? record(part.value) : {};
  if (isRecord(value.toolCall)) fields.toolCalls.push(value.toolCall);
  else if (isRecord(value.contentPart)) fields.array.push(value.contentPart);
  else {
    warnings.push({
      code: 'dropped',
      message: `A "${part.format}" block cannot be sent in a Chat assistant message`,
      path,
    });
  }
}

function encodeAssistant(
  message: IrMessage & { role: 'assistant' },
  path: string,
  warnings: Warnings,
): JsonObject {
  const meta = readChatMeta(message.meta);
  const fields: AssistantFields = {
    texts: [],
    array: [],
    refusals: [],
    reasoning: new Map(),
    toolCalls: [],
  };
  message.content.forEach((part, index) => {
    collectAssistantPart(part, fields, `${path}.content[${index}]`, warnings);
  });
  const encoded: JsonObject = { ...record(meta.extra), role: 'assistant' };
  if (meta.contentArray === true) encoded.content = fields.array;
  else if (meta.contentAbsent !== true) {
    encoded.content = fields.texts.length > 0 ? fields.texts.join('') : null;
  }
  if (fields.refusals.length > 0) encoded.refusal = fields.refusals.join('');
  else if (meta.refusalNull === true) encoded.refusal = null;
  for (const [field, texts] of fields.reasoning) encoded[field] = texts.join('\n\n');
  if (fields.toolCalls.length > 0 || meta.toolCallsEmpty === true) {
    encoded.tool_calls = fields.toolCalls;
  }
  if (fields.functionCall !== undefined) encoded.function_call = fields.functionCall;
  else if (meta.functionCallNull === true) encoded.function_call = null;
  return encoded;
}

function encodeToolResult(
  result: IrToolResultPart,
  asArray: boolean,
  path: string,
  warnings: Warnings,
): JsonObject {
  const meta = readChatMeta(result.meta);
  if (result.isError === true) {
    warnings.push({
      code: 'lossy',
      message: 'Chat tool messages have no error flag; the result is sent as plain content',
      path,
    });
  }
  if (meta.legacy === true) {
    const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
    return {
      role: 'function',
      name: typeof meta.name === 'string' ? meta.name : '',
      content: meta.contentNull === true ? null : text,
    };
  }
  const parts: ChatContentPart[] = [];
  result.content.forEach((part, index) => {
    if (part.type !== 'text' && !asArray) {
      warnings.push({
        code: 'dropped',
        message: `Chat tool messages carry text only: a "${part.type}" part was left out`,
        path: `${path}.content[${index}]`,
      });
      return;
    }
    const encoded = encodeUserPart(part, `${path}.content[${index}]`, warnings);
    if (encoded !== undefined) parts.push(encoded);
  });
  const content = asArray
    ? parts
    : parts.map((part) => (part.type === 'text' ? (part as { text: string }).text : '')).join('\n');
  return { role: 'tool', tool_call_id: result.callId, content };
}

function encodeTool(
  message: IrMessage & { role: 'tool' },
  path: string,
  warnings: Warnings,
): JsonObject[] {
  const meta = readChatMeta(message.meta);
  const asArray = meta.contentArray === true;
  const encoded: JsonObject[] = [];
  message.content.forEach((part, index) => {
    const partPath = `${path}.content[${index}]`;
    if (part.type === 'tool-result') {
      encoded.push(encodeToolResult(part, asArray, partPath, warnings));
      return;
    }
    const value = part.format === FORMAT_ID ? record(part.value) : {};
    const target = encoded[encoded.length - 1]?.content;
    if (isRecord(value.part) && typeof value.position === 'number' && Array.isArray(target)) {
      target.splice(value.position, 0, value.part);
      return;
    }
    warnings.push({
      code: 'dropped',
      message: `A "${part.format}" block cannot be sent in a Chat tool message`,
      path: partPath,
    });
  });
  const first = encoded[0];
  if (first !== undefined) Object.assign(first, { ...record(meta.extra), ...first });
  return encoded;
}

/**
 * An instruction between turns, at its position: its role (`developer` when the client said so),
 * as a string unless this format decoded it from parts.
 */
function encodeInstruction(message: IrMessage & { role: 'system' }): JsonObject {
  const meta = readChatMeta(message.meta);
  return {
    ...record(meta.extra),
    role: message.developer === true ? 'developer' : 'system',
    content:
      meta.contentArray === true
        ? message.content.map(encodeTextPart)
        : message.content.map((part) => part.text).join('\n\n'),
  };
}

/**
 * The `messages` array of a request. System parts decoded from Chat return to their original
 * positions and roles; other system parts become one leading `system` (or `developer`) message.
 */
export function encodeMessages(request: IrRequest, warnings: Warnings): JsonObject[] {
  const { leading, placed } = encodeSystem(request);
  const messages: JsonObject[] = [...leading];
  const warn = (warning: ConversionWarning): void => {
    warnings.push(warning);
  };
  for (const { message, index } of resultsRightAfterCalls(request.messages, warn)) {
    const path = `messages[${index}]`;
    switch (message.role) {
      case 'user':
        messages.push(encodeUser(message, path, warnings));
        continue;
      case 'assistant':
        messages.push(encodeAssistant(message, path, warnings));
        continue;
      case 'tool':
        messages.push(...encodeTool(message, path, warnings));
        continue;
      case 'system':
        messages.push(encodeInstruction(message));
        continue;
      default:
        assertNever(message, 'message');
    }
  }
  for (const { at, message } of placed) messages.splice(at, 0, message);
  return messages;
}
