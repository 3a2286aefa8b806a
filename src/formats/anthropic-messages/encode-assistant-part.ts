/**
 * Encodes one neutral assistant part as an Anthropic content block, for a request (history sent
 * to the API) or for a response (what a client receives).
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks
 */
import type {
  IrAssistantPart,
  IrOpaquePart,
  IrReasoningPart,
  IrTextPart,
} from '../../ir/content.js';
import { isPackedOpaque, packOpaque } from '../../ir/opaque.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject, parseJsonObjectLenient } from '../../util/json.js';
import { type CitationTarget, encodeAnnotation } from './citations.js';
import { ownExtra } from './meta.js';
import { FORMAT_ID } from './types.js';

/** How an assistant part is encoded. */
export interface EncodePartOptions {
  target: CitationTarget;
  warn: (warning: ConversionWarning) => void;
  /** JSON path of the part, for warnings. */
  path: string;
  /** Maps a neutral call id to the wire id (requests sanitise; responses fill empty ids). */
  toolId(callId: string): string;
}

/** A text part as a text block (citations only where this format can carry them). */
export function encodeTextPart(part: IrTextPart, options: EncodePartOptions): JsonObject {
  const block: JsonObject = { type: 'text', text: part.text };
  if (part.annotations !== undefined && part.annotations.length > 0) {
    const citations: JsonObject[] = [];
    part.annotations.forEach((annotation, index) => {
      const citation = encodeAnnotation(
        annotation,
        options.target,
        options.warn,
        `${options.path}.annotations[${index}]`,
      );
      if (citation !== undefined) citations.push(citation);
    });
    if (citations.length > 0) block.citations = citations;
  }
  return { ...block, ...ownExtra(part.meta) };
}

/**
 * The signature an Anthropic client receives for a reasoning part: the native one, or
 * another provider's encrypted reasoning packed with `packOpaque` so it comes back next turn.
 */
export function signatureForClient(part: {
  signature?: string | undefined;
  encryptedContent?: string | undefined;
  id?: string | undefined;
}): string {
  if (part.signature !== undefined && part.signature !== '') return part.signature;
  if (part.encryptedContent !== undefined) {
    return packOpaque({
      encryptedContent: part.encryptedContent,
      ...(part.id !== undefined ? { id: part.id } : {}),
    });
  }
  return part.signature ?? '';
}

function encodeReasoningPart(
  part: IrReasoningPart,
  options: EncodePartOptions,
): JsonObject | undefined {
  const extra = ownExtra(part.meta);
  if (part.redactedData !== undefined) {
    return { type: 'redacted_thinking', data: part.redactedData, ...extra };
  }
  if (options.target === 'response') {
    const signature = signatureForClient(part);
    // Nothing to show and nothing to give back next turn (the stream encoder agrees).
    if (part.text === '' && signature === '') return undefined;
    return { type: 'thinking', thinking: part.text, signature, ...extra };
  }
  // The API verifies thinking signatures and rejects blocks it did not sign (documented in
  // "Preserving thinking blocks", see above), and a
  // packed signature holds another provider's reasoning: neither may reach an Anthropic upstream.
  if (part.signature === undefined || part.signature === '' || isPackedOpaque(part.signature)) {
    options.warn({
      code: 'dropped',
      message: 'Reasoning without an Anthropic signature cannot be sent to the Anthropic API',
      path: options.path,
    });
    return undefined;
  }
  return { type: 'thinking', thinking: part.text, signature: part.signature, ...extra };
}

/** An opaque part: the block itself when it is an Anthropic one, else dropped with a warning. */
export function encodeOpaquePart(
  part: IrOpaquePart,
  options: Pick<EncodePartOptions, 'warn' | 'path'>,
): JsonObject | undefined {
  if (part.format === FORMAT_ID && isRecord(part.value)) return part.value;
  options.warn({
    code: 'dropped',
    message: `A "${part.format}" block has no Anthropic equivalent`,
    path: options.path,
  });
  return undefined;
}

/** The block for a part, or `undefined` (with a warning) when this format cannot carry it. */
export function encodeAssistantPart(
  part: IrAssistantPart,
  options: EncodePartOptions,
): JsonObject | undefined {
  switch (part.type) {
    case 'text':
      return encodeTextPart(part, options);
    case 'refusal':
      return { type: 'text', text: part.text, ...ownExtra(part.meta) };
    case 'reasoning':
      return encodeReasoningPart(part, options);
    case 'tool-call': {
      let input: JsonObject;
      if (part.kind === 'custom') {
        options.warn({
          code: 'lossy',
          message: `Custom tool call "${part.name}" sent as a tool_use with its raw input in "input"`,
          path: options.path,
        });
        input = { input: part.arguments };
      } else {
        const parsed = parseJsonObjectLenient(part.arguments);
        if (!parsed.ok) {
          options.warn({
            code: 'lossy',
            message: `Arguments of tool call "${part.name}" are not a JSON object; sent as {}`,
            path: options.path,
          });
        }
        input = parsed.value;
      }
      return {
        type: 'tool_use',
        id: options.toolId(part.callId),
        name: part.name,
        input,
        ...ownExtra(part.meta),
      };
    }
    case 'opaque':
      return encodeOpaquePart(part, options);
    default:
      return assertNever(part, 'assistant part');
  }
}
