/**
 * Decodes Responses output items (and assistant-side input items) into IR assistant parts.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-output
 */
import type { IrAssistantPart, IrReasoningPart } from '../../ir/content.js';
import { unpackOpaque } from '../../ir/opaque.js';
import { getString, isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import { decodeAnnotations } from './annotations.js';
import { responsesMeta } from './meta.js';
import { narrowCallItem, narrowReasoningItem } from './narrow.js';
import { FORMAT_ID } from './types.js';

/** The text between two reasoning parts (summary parts, then reasoning_text parts). */
export const REASONING_SEPARATOR = '\n\n';

/** Options of `decodeOutputItem`. */
export interface DecodeOutputOptions {
  /**
   * Restore a packed Anthropic `signature` / `redactedData` from `encrypted_content` (history
   * sent back by a client that got them from ccproxy), instead of `encryptedContent`.
   */
  unpackOpaque?: boolean;
  /**
   * The item is request history: the id of a packed item was made by ccproxy and names nothing
   * upstream, so it moves to meta (a reasoning part with an id and no encrypted content would
   * be sent to a Responses upstream, which rejects unknown ids).
   */
  history?: boolean;
}

function opaque(item: unknown): IrAssistantPart {
  return { type: 'opaque', format: FORMAT_ID, value: item };
}

function decodeMessage(item: JsonObject): IrAssistantPart[] | undefined {
  const content = item.content;
  if (!Array.isArray(content) || content.length === 0) return undefined;
  const itemExtras = omitKeys(item, ['type', 'content']);
  const parts: IrAssistantPart[] = [];
  for (const part of content) {
    if (!isRecord(part)) return undefined;
    if (part.type === 'output_text' && typeof part.text === 'string') {
      const annotations = decodeAnnotations(part.annotations);
      parts.push({
        type: 'text',
        text: part.text,
        ...(annotations.length > 0 ? { annotations } : {}),
        meta: responsesMeta({
          item: itemExtras,
          part: omitKeys(part, ['type', 'text', 'annotations']),
        }),
      });
    } else if (part.type === 'refusal' && typeof part.refusal === 'string') {
      parts.push({
        type: 'refusal',
        text: part.refusal,
        meta: responsesMeta({ item: itemExtras, part: omitKeys(part, ['type', 'refusal']) }),
      });
    } else {
      // A content part the IR does not model: the whole message stays opaque, so it comes
      // back intact to a Responses client rather than losing one part.
      return undefined;
    }
  }
  return parts;
}

interface ReasoningSegments {
  texts: string[];
  shapes: Array<{ length: number; part: JsonObject }>;
}

function readSegments(value: unknown): ReasoningSegments | undefined {
  if (value === undefined) return { texts: [], shapes: [] };
  if (!Array.isArray(value)) return undefined;
  const texts: string[] = [];
  const shapes: ReasoningSegments['shapes'] = [];
  for (const part of value) {
    if (!isRecord(part) || typeof part.text !== 'string') return undefined;
    texts.push(part.text);
    shapes.push({ length: part.text.length, part: omitKeys(part, ['text']) });
  }
  return { texts, shapes };
}

/** A reasoning item as one IR reasoning part, or `undefined` when its shape is unexpected. */
export function decodeReasoningItem(
  item: JsonObject,
  options: DecodeOutputOptions = {},
): IrReasoningPart | undefined {
  const summary = readSegments(item.summary ?? []);
  // `content: null` means no reasoning text (kept as it came).
  const content = readSegments(item.content ?? undefined);
  if (!summary || !content) return undefined;
  const { id, encrypted_content: encrypted } = narrowReasoningItem(item) ?? {};
  const extras = omitKeys(item, ['type', 'summary', 'content']);
  if (item.content === null) extras.content = null;
  if (id !== undefined) delete extras.id;
  if (encrypted !== undefined) delete extras.encrypted_content;
  const unpacked =
    options.unpackOpaque && encrypted !== undefined ? unpackOpaque(encrypted) : undefined;
  const signature = unpacked ? getString(unpacked, 'signature') : undefined;
  const redactedData = unpacked ? getString(unpacked, 'redactedData') : undefined;
  const fromOtherProvider = signature !== undefined || redactedData !== undefined;
  const hideId = fromOtherProvider && options.history === true;
  if (hideId && id !== undefined) extras.id = id;
  return {
    type: 'reasoning',
    text: [...summary.texts, ...content.texts].join(REASONING_SEPARATOR),
    ...(signature !== undefined ? { signature } : {}),
    ...(redactedData !== undefined ? { redactedData } : {}),
    ...(!fromOtherProvider && encrypted !== undefined ? { encryptedContent: encrypted } : {}),
    ...(!hideId && id !== undefined ? { id } : {}),
    meta: responsesMeta({
      item: extras,
      summary: summary.shapes,
      ...(Array.isArray(item.content) ? { content: content.shapes } : {}),
    }),
  };
}

function decodeCall(item: JsonObject, kind: 'function' | 'custom'): IrAssistantPart | undefined {
  const field = kind === 'function' ? 'arguments' : 'input';
  const { name, call_id: callId, id } = narrowCallItem(item) ?? {};
  // Checked on the item as it came: a text of another type keeps the whole item opaque.
  const text = item[field] ?? '';
  if (name === undefined || typeof text !== 'string') return undefined;
  const extras = omitKeys(item, ['type', 'name', field]);
  if (callId !== undefined) delete extras.call_id;
  return {
    type: 'tool-call',
    // A call without `call_id` (seen from lenient compatible servers) is answered by its id.
    callId: callId ?? id ?? '',
    name,
    arguments: text,
    kind,
    meta: responsesMeta({ item: extras }),
  };
}

/**
 * One output item as IR parts: a `message` gives one part per content part, a `reasoning` item
 * one reasoning part, `function_call` / `custom_tool_call` one tool call; anything else (or an
 * unexpected shape) is kept whole as an opaque part. Never fails.
 */
export function decodeOutputItem(
  item: unknown,
  options: DecodeOutputOptions = {},
): IrAssistantPart[] {
  if (!isRecord(item)) return [opaque(item)];
  let parts: IrAssistantPart[] | undefined;
  switch (item.type) {
    case 'message': {
      parts = decodeMessage(item);
      break;
    }
    case 'reasoning': {
      const part = decodeReasoningItem(item, options);
      parts = part ? [part] : undefined;
      break;
    }
    case 'function_call':
    case 'custom_tool_call': {
      const part = decodeCall(item, item.type === 'function_call' ? 'function' : 'custom');
      parts = part ? [part] : undefined;
      break;
    }
    default:
      parts = undefined;
  }
  return parts ?? [opaque(item)];
}

/** A response's `output` list as IR parts, in order. */
export function decodeOutputItems(
  items: readonly unknown[],
  options: DecodeOutputOptions = {},
): IrAssistantPart[] {
  const parts: IrAssistantPart[] = [];
  for (const item of items) for (const part of decodeOutputItem(item, options)) parts.push(part);
  return parts;
}
