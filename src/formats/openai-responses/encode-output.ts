/**
 * Encodes IR assistant parts as Responses output items.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-output
 */
import type {
  IrAssistantPart,
  IrReasoningPart,
  IrRefusalPart,
  IrTextPart,
  IrToolCallPart,
} from '../../ir/content.js';
import type { IrMeta } from '../../ir/meta.js';
import { packOpaque } from '../../ir/opaque.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { getNumber, getString, isRecord, type JsonObject } from '../../util/json.js';
import { encodeAnnotations } from './annotations.js';
import { REASONING_SEPARATOR } from './decode-output.js';
import { readResponsesMeta } from './meta.js';
import {
  FORMAT_ID,
  type ResponsesMessageItem,
  type ResponsesMessageShell,
  type ResponsesOutputItem,
  type ResponsesOutputText,
  type ResponsesReasoningItem,
  type ResponsesRefusal,
} from './types.js';

/** What item encoders need besides the part. */
export interface EncodeItemContext {
  createId(prefix: string): string;
  warnings: ConversionWarning[];
  /** Give every item an id even when the source item had none (streams need `item_id`). */
  ensureIds?: boolean;
}

/** The item fields a part brought from this format, or `undefined` for a foreign part. */
export function nativeItemExtras(meta: IrMeta | undefined): JsonObject | undefined {
  const item = readResponsesMeta(meta)?.item;
  return isRecord(item) ? item : undefined;
}

/** The message item id a text or refusal part belongs to, when it came from this format. */
export function messageGroupKey(part: IrTextPart | IrRefusalPart): string | undefined {
  const extras = nativeItemExtras(part.meta);
  return extras ? getString(extras, 'id') : undefined;
}

/** An `output_text` part. */
export function encodeTextPart(
  part: IrTextPart,
  warnings: ConversionWarning[],
  path: string,
): ResponsesOutputText {
  const extras = readResponsesMeta(part.meta)?.part;
  return {
    type: 'output_text',
    annotations: encodeAnnotations(part.annotations, warnings, path),
    ...(isRecord(extras) ? extras : { logprobs: [] }),
    text: part.text,
  };
}

/** A `refusal` part. */
export function encodeRefusalPart(part: IrRefusalPart): ResponsesRefusal {
  const extras = readResponsesMeta(part.meta)?.part;
  return { type: 'refusal', ...(isRecord(extras) ? extras : {}), refusal: part.text };
}

/** The fields of a message item except `content` (from meta, or fresh ones). */
export function encodeMessageShell(
  meta: IrMeta | undefined,
  context: EncodeItemContext,
  status: ResponsesMessageItem['status'],
): ResponsesMessageShell {
  const extras = nativeItemExtras(meta);
  if (extras) {
    // A message decoded from a stream has no final status in its meta: `status` is a default.
    const id =
      getString(extras, 'id') ?? (context.ensureIds ? context.createId('msg_') : undefined);
    return {
      status,
      role: 'assistant',
      ...extras,
      ...(id !== undefined ? { id } : {}),
      type: 'message',
    };
  }
  return { id: context.createId('msg_'), type: 'message', status, role: 'assistant' };
}

interface SegmentShape {
  length: number;
  part: JsonObject;
}

function readShapes(value: unknown): SegmentShape[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const shapes: SegmentShape[] = [];
  for (const entry of value) {
    if (!isRecord(entry) || !isRecord(entry.part)) return undefined;
    const length = getNumber(entry, 'length');
    if (length === undefined || length < 0) return undefined;
    shapes.push({ length, part: entry.part });
  }
  return shapes;
}

/**
 * Splits reasoning text back into summary and reasoning_text parts when meta holds the shape it
 * was joined from and the text still fits it; otherwise the whole text is one summary part.
 */
export function splitReasoningText(
  text: string,
  meta: IrMeta | undefined,
): { summary: JsonObject[]; content?: JsonObject[] } {
  const own = readResponsesMeta(meta);
  const summaryShapes = readShapes(own?.summary);
  const contentShapes = own?.content === undefined ? [] : readShapes(own.content);
  if (summaryShapes && contentShapes) {
    const shapes = [...summaryShapes, ...contentShapes];
    const parts: JsonObject[] = [];
    let offset = 0;
    let fits = true;
    shapes.forEach((shape, index) => {
      if (index > 0) {
        if (text.slice(offset, offset + REASONING_SEPARATOR.length) !== REASONING_SEPARATOR) {
          fits = false;
        }
        offset += REASONING_SEPARATOR.length;
      }
      parts.push({ ...shape.part, text: text.slice(offset, offset + shape.length) });
      offset += shape.length;
    });
    if (fits && offset === text.length) {
      return {
        summary: parts.slice(0, summaryShapes.length),
        ...(own?.content !== undefined ? { content: parts.slice(summaryShapes.length) } : {}),
      };
    }
  }
  return { summary: text === '' ? [] : [{ type: 'summary_text', text }] };
}

/**
 * The `encrypted_content` to write for a reasoning part: its own, or Anthropic's signature /
 * redacted data packed so a Responses client sends it back (see `packOpaque`).
 */
export function encryptedContentOf(
  part: Pick<IrReasoningPart, 'encryptedContent' | 'signature' | 'redactedData'>,
): string | undefined {
  if (part.encryptedContent !== undefined) return part.encryptedContent;
  if (part.signature === undefined && part.redactedData === undefined) return undefined;
  return packOpaque({
    ...(part.signature !== undefined ? { signature: part.signature } : {}),
    ...(part.redactedData !== undefined ? { redactedData: part.redactedData } : {}),
  });
}

/**
 * The warning for a reasoning part that holds both Responses encrypted content and an
 * Anthropic signature: Responses has one opaque field, the encrypted content wins.
 */
export function reasoningLoss(
  part: Pick<IrReasoningPart, 'encryptedContent' | 'signature' | 'redactedData'>,
  path: string,
): ConversionWarning | undefined {
  if (part.encryptedContent === undefined) return undefined;
  if (part.signature === undefined && part.redactedData === undefined) return undefined;
  return {
    code: 'dropped',
    message: 'Reasoning signature dropped: Responses keeps only the encrypted content',
    path,
  };
}

/** A `reasoning` item. */
export function encodeReasoningItem(
  part: IrReasoningPart,
  context: EncodeItemContext,
): ResponsesReasoningItem {
  const extras = nativeItemExtras(part.meta);
  const id =
    part.id ??
    (extras ? getString(extras, 'id') : undefined) ??
    (extras && !context.ensureIds ? undefined : context.createId('rs_'));
  const encrypted = encryptedContentOf(part);
  return {
    ...extras,
    ...(id !== undefined ? { id } : {}),
    type: 'reasoning',
    ...splitReasoningText(part.text, part.meta),
    ...(encrypted !== undefined ? { encrypted_content: encrypted } : {}),
  };
}

/** A `function_call` or `custom_tool_call` item. */
export function encodeCallItem(
  part: IrToolCallPart,
  context: EncodeItemContext,
  status: 'in_progress' | 'completed' | 'incomplete' = 'completed',
): ResponsesOutputItem {
  const extras = nativeItemExtras(part.meta);
  const custom = part.kind === 'custom';
  const fresh: JsonObject = custom
    ? { id: context.createId('ctc_') }
    : { id: context.createId('fc_'), status };
  const base: JsonObject = extras ?? fresh;
  const id =
    getString(base, 'id') ??
    (context.ensureIds ? context.createId(custom ? 'ctc_' : 'fc_') : undefined);
  const shell = { ...base, ...(id !== undefined ? { id } : {}) };
  const { callId, name, arguments: text } = part;
  return custom
    ? { ...shell, type: 'custom_tool_call', call_id: callId, name, input: text }
    : { ...shell, type: 'function_call', call_id: callId, name, arguments: text };
}

/** An object with a string `type`: any output item, kept verbatim when its type is unknown. */
function isTypedObject(value: unknown): value is JsonObject & { type: string } {
  return isRecord(value) && typeof value.type === 'string';
}

/** An opaque part as an item, or `undefined` (with a warning) when it is another format's. */
export function encodeOpaqueItem(
  value: unknown,
  format: string,
  warnings: ConversionWarning[],
  path: string,
): ResponsesOutputItem | undefined {
  if (format === FORMAT_ID && isTypedObject(value)) return value;
  warnings.push({
    code: 'dropped',
    message: `Content from "${format}" cannot be expressed as a Responses output item`,
    path,
  });
  return undefined;
}

/**
 * The output list for IR parts: consecutive text and refusal parts of one message share a
 * `message` item, reasoning becomes a `reasoning` item, tool calls `function_call` /
 * `custom_tool_call` items, this format's opaque parts come back verbatim (others are dropped
 * with a warning). Parts from this format keep their item fields and get no defaults added.
 * `incomplete` marks the last message, still being written when a response stopped early.
 */
export function encodeOutputItems(
  parts: readonly IrAssistantPart[],
  context: EncodeItemContext,
  options: { incomplete?: boolean; path?: string } = {},
): ResponsesOutputItem[] {
  const path = options.path ?? 'content';
  const items: ResponsesOutputItem[] = [];
  let message: ResponsesMessageItem | undefined;
  let messageKey: string | undefined;
  for (const [index, part] of parts.entries()) {
    const at = `${path}[${index}]`;
    if (part.type === 'text' || part.type === 'refusal') {
      const key = messageGroupKey(part);
      if (!message || key !== messageKey) {
        message = { ...encodeMessageShell(part.meta, context, 'completed'), content: [] };
        messageKey = key;
        items.push(message);
      }
      message.content.push(
        part.type === 'text' ? encodeTextPart(part, context.warnings, at) : encodeRefusalPart(part),
      );
      continue;
    }
    message = undefined;
    switch (part.type) {
      case 'reasoning': {
        const loss = reasoningLoss(part, at);
        if (loss) context.warnings.push(loss);
        items.push(encodeReasoningItem(part, context));
        break;
      }
      case 'tool-call':
        items.push(encodeCallItem(part, context));
        break;
      case 'opaque': {
        const item = encodeOpaqueItem(part.value, part.format, context.warnings, at);
        if (item) items.push(item);
        break;
      }
      default:
        assertNever(part, 'assistant part');
    }
  }
  const last = items[items.length - 1];
  // The message being written when the response stopped early is incomplete, unless the
  // upstream said otherwise.
  if (
    options.incomplete &&
    last?.type === 'message' &&
    nativeItemExtras(lastMeta(parts))?.status === undefined
  ) {
    last.status = 'incomplete';
  }
  return items;
}

function lastMeta(parts: readonly IrAssistantPart[]): IrMeta | undefined {
  const last = parts[parts.length - 1];
  return last && last.type !== 'opaque' ? last.meta : undefined;
}
