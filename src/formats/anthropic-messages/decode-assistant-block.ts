/**
 * Decodes one assistant content block (of a response, or of an assistant turn in a request)
 * into a neutral part.
 *
 * @see https://docs.claude.com/en/api/messages#response-content
 */
import type {
  IrAnnotation,
  IrAssistantPart,
  IrReasoningPart,
  IrTextPart,
} from '../../ir/content.js';
import { unpackOpaque } from '../../ir/opaque.js';
import type { JsonObject } from '../../util/json.js';
import { decodeCitation } from './citations.js';
import { extrasOf, makeMeta, metaField } from './meta.js';
import { narrowContentBlock } from './narrow.js';
import { type AnthropicContentBlock, FORMAT_ID } from './types.js';

/**
 * A text block as a text part. An empty or `null` `citations` list is dropped (documented
 * normalisation: real non-streaming answers omit the key when there are none).
 */
export function decodeTextBlock(block: JsonObject): IrTextPart {
  const read = narrowContentBlock(block) ?? {};
  const annotations: IrAnnotation[] = (read.citations ?? []).map(decodeCitation);
  return {
    type: 'text',
    text: read.text ?? '',
    ...(annotations.length > 0 ? { annotations } : {}),
    ...metaField(makeMeta({ extra: extrasOf(block, ['type', 'text', 'citations']) })),
  };
}

/**
 * The neutral fields of a thinking signature. A signature made by `packOpaque` (another
 * provider's reasoning that reached an Anthropic client) gives back its `encryptedContent`/`id`.
 */
export function decodeSignature(
  signature: string | undefined,
): Pick<IrReasoningPart, 'signature' | 'encryptedContent' | 'id'> {
  if (signature === undefined) return {};
  const packed = unpackOpaque(signature);
  if (packed === undefined) return { signature };
  const fields: Pick<IrReasoningPart, 'encryptedContent' | 'id'> = {};
  if (typeof packed.encryptedContent === 'string')
    fields.encryptedContent = packed.encryptedContent;
  if (typeof packed.id === 'string') fields.id = packed.id;
  return fields;
}

function decodeThinkingBlock(block: JsonObject, read: AnthropicContentBlock): IrReasoningPart {
  return {
    type: 'reasoning',
    text: read.thinking ?? '',
    ...decodeSignature(read.signature),
    ...metaField(makeMeta({ extra: extrasOf(block, ['type', 'thinking', 'signature']) })),
  };
}

/** A block as a neutral assistant part; unknown and server-tool blocks become opaque parts. */
export function decodeAssistantBlock(block: JsonObject): IrAssistantPart {
  // Known fields are read typed; extras and opaque blocks come from the block as it came.
  const read = narrowContentBlock(block) ?? {};
  switch (block.type) {
    case 'text':
      return decodeTextBlock(block);
    case 'thinking':
      return decodeThinkingBlock(block, read);
    case 'redacted_thinking':
      return {
        type: 'reasoning',
        text: '',
        redactedData: read.data ?? '',
        ...metaField(makeMeta({ extra: extrasOf(block, ['type', 'data']) })),
      };
    case 'tool_use':
      return {
        type: 'tool-call',
        callId: read.id ?? '',
        name: read.name ?? '',
        arguments: JSON.stringify(block.input ?? {}),
        kind: 'function',
        ...metaField(makeMeta({ extra: extrasOf(block, ['type', 'id', 'name', 'input']) })),
      };
    default:
      // server_tool_use, *_tool_result, container_upload and block types added later.
      return { type: 'opaque', format: FORMAT_ID, value: block };
  }
}
