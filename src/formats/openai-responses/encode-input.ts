/**
 * Encodes IR system parts and messages as a request's `instructions` and `input` items.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
import type {
  IrAssistantPart,
  IrOpaquePart,
  IrReasoningPart,
  IrRefusalPart,
  IrTextPart,
  IrToolResultPart,
  IrUserPart,
} from '../../ir/content.js';
import type { IrMessage, IrRequest } from '../../ir/request.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { getNumber, isRecord, type JsonObject } from '../../util/json.js';
import { encodeAnnotations } from './annotations.js';
import { nativeItemExtras, splitReasoningText } from './encode-output.js';
import { encodeInputPart } from './input-content.js';
import { readResponsesMeta } from './meta.js';
import { FORMAT_ID } from './types.js';

/** The `instructions` and `input` of a request. */
export interface EncodedInput {
  instructions?: string;
  input: string | JsonObject[];
}

function indexOf(meta: IrTextPart['meta']): number | undefined {
  const own = readResponsesMeta(meta);
  return own ? getNumber(own, 'index') : undefined;
}

class InputEncoder {
  readonly items: JsonObject[] = [];

  constructor(private readonly warnings: ConversionWarning[]) {}

  drop(what: string, path: string): void {
    this.warnings.push({ code: 'dropped', message: `${what} cannot be sent to Responses`, path });
  }

  opaque(part: IrOpaquePart, path: string): void {
    if (part.format === FORMAT_ID && isRecord(part.value)) this.items.push(part.value);
    else this.drop(`Content from "${part.format}"`, path);
  }

  user(message: Extract<IrMessage, { role: 'user' }>, path: string): void {
    const own = readResponsesMeta(message.meta);
    if (own?.opaqueItem === true) {
      message.content.forEach((part, index) => {
        if (part.type === 'opaque') this.opaque(part, `${path}.content[${index}]`);
      });
      return;
    }
    const content: JsonObject[] = [];
    message.content.forEach((part: IrUserPart, index) => {
      if (part.type === 'opaque') {
        if (part.format === FORMAT_ID && isRecord(part.value)) content.push(part.value);
        else this.drop(`Content from "${part.format}"`, `${path}.content[${index}]`);
        return;
      }
      content.push(encodeInputPart(part));
    });
    const item = isRecord(own?.item) ? own.item : { type: 'message', role: 'user' };
    const only = message.content[0];
    const asString =
      (own?.contentString === true || own?.inputString === true) &&
      message.content.length === 1 &&
      only?.type === 'text';
    this.items.push({
      ...(own?.inputString === true ? { role: 'user' } : item),
      content: asString ? only.text : content,
    });
  }

  assistant(message: Extract<IrMessage, { role: 'assistant' }>, path: string): void {
    let group: Array<IrTextPart | IrRefusalPart> = [];
    let groupIndex: number | undefined;
    const flush = (): void => {
      if (group.length > 0) this.messageItem(group, path);
      group = [];
    };
    message.content.forEach((part: IrAssistantPart, index) => {
      const at = `${path}.content[${index}]`;
      if (part.type === 'text' || part.type === 'refusal') {
        const partIndex = indexOf(part.meta);
        if (group.length > 0 && partIndex !== groupIndex) flush();
        groupIndex = partIndex;
        group.push(part);
        return;
      }
      flush();
      switch (part.type) {
        case 'reasoning':
          this.reasoning(part, at);
          return;
        case 'tool-call': {
          // A call from another format has no item id: the API does not need one in history.
          const custom = part.kind === 'custom';
          this.items.push({
            type: custom ? 'custom_tool_call' : 'function_call',
            ...nativeItemExtras(part.meta),
            call_id: part.callId,
            name: part.name,
            ...(custom ? { input: part.arguments } : { arguments: part.arguments }),
          });
          return;
        }
        case 'opaque':
          this.opaque(part, at);
          return;
        default:
          assertNever(part, 'assistant part');
      }
    });
    flush();
  }

  private messageItem(parts: Array<IrTextPart | IrRefusalPart>, path: string): void {
    const first = parts[0];
    const own = readResponsesMeta(first?.meta);
    const native = isRecord(own?.item) ? own.item : undefined;
    if (native && own?.contentString === true && first?.type === 'text' && parts.length === 1) {
      this.items.push({ ...native, content: first.text });
      return;
    }
    const content = parts.map((part) => {
      const extras = readResponsesMeta(part.meta)?.part;
      const base = isRecord(extras) ? extras : undefined;
      if (part.type === 'refusal') return { type: 'refusal', ...base, refusal: part.text };
      const annotations = encodeAnnotations(part.annotations, this.warnings, path);
      return {
        type: 'output_text',
        ...base,
        text: part.text,
        ...(annotations.length > 0 ? { annotations } : {}),
      };
    });
    this.items.push({ ...(native ?? { type: 'message', role: 'assistant' }), content });
  }

  /**
   * The Responses API rejects a reasoning item it cannot find (no `id`) or decrypt (no
   * `encrypted_content`); Anthropic signatures mean nothing to it.
   */
  private reasoning(part: IrReasoningPart, path: string): void {
    if (part.encryptedContent === undefined && part.id === undefined) {
      this.drop('Reasoning without "encrypted_content" or an item id', path);
      return;
    }
    const extras = nativeItemExtras(part.meta);
    this.items.push({
      type: 'reasoning',
      ...extras,
      ...(part.id !== undefined ? { id: part.id } : {}),
      ...splitReasoningText(part.text, part.meta),
      ...(part.encryptedContent !== undefined ? { encrypted_content: part.encryptedContent } : {}),
    });
  }

  /**
   * An instruction between turns, at its position: a `system` or `developer` message item (the
   * Codex provider turns `system` into `developer`, the only one that backend takes).
   */
  instruction(message: Extract<IrMessage, { role: 'system' }>): void {
    const own = readResponsesMeta(message.meta);
    const native = isRecord(own?.item) ? own.item : undefined;
    const only = message.content[0];
    if (native && own?.contentString === true && message.content.length === 1 && only) {
      this.items.push({ ...native, content: only.text });
      return;
    }
    const content = message.content.map((part) => {
      const extras = readResponsesMeta(part.meta)?.part;
      return { type: 'input_text', ...(isRecord(extras) ? extras : {}), text: part.text };
    });
    this.items.push({
      ...(native ?? {
        type: 'message',
        role: message.developer === true ? 'developer' : 'system',
      }),
      content,
    });
  }

  tool(message: Extract<IrMessage, { role: 'tool' }>, path: string): void {
    message.content.forEach((part, index) => {
      const at = `${path}.content[${index}]`;
      if (part.type === 'opaque') this.opaque(part, at);
      else this.toolResult(part, at);
    });
  }

  private toolResult(part: IrToolResultPart, path: string): void {
    const own = readResponsesMeta(part.meta);
    const native = isRecord(own?.item) ? own.item : undefined;
    const onlyText = part.content.every((content) => content.type === 'text');
    let output: string | JsonObject[];
    if (onlyText && (own?.outputString === true || !native)) {
      output = part.content.map((content) => (content as IrTextPart).text).join('\n');
    } else {
      output = part.content.map((content) => encodeInputPart(content));
    }
    if (part.isError === true && !native) {
      this.warnings.push({
        code: 'lossy',
        message: 'Responses tool outputs have no error flag: the error result is sent as output',
        path,
      });
    }
    this.items.push({
      type: part.kind === 'custom' ? 'custom_tool_call_output' : 'function_call_output',
      ...native,
      call_id: part.callId,
      output,
    });
  }
}

function encodeSystem(system: readonly IrTextPart[]): {
  instructions?: string;
  placed: Array<{ index: number; item: JsonObject }>;
} {
  const loose: string[] = [];
  const placed: Array<{ index: number; item: JsonObject; parts: IrTextPart[] }> = [];
  for (const part of system) {
    const index = indexOf(part.meta);
    if (index === undefined) {
      loose.push(part.text);
      continue;
    }
    const last = placed[placed.length - 1];
    if (last && last.index === index) last.parts.push(part);
    else {
      const item = readResponsesMeta(part.meta)?.item;
      placed.push({ index, item: isRecord(item) ? item : {}, parts: [part] });
    }
  }
  return {
    ...(loose.length > 0 ? { instructions: loose.join('\n\n') } : {}),
    placed: placed.map(({ index, item, parts }) => {
      const own = readResponsesMeta(parts[0]?.meta);
      const content =
        own?.contentString === true && parts.length === 1
          ? (parts[0]?.text ?? '')
          : parts.map((part) => {
              const extras = readResponsesMeta(part.meta)?.part;
              return { type: 'input_text', ...(isRecord(extras) ? extras : {}), text: part.text };
            });
      return { index, item: { ...item, content } };
    }),
  };
}

/**
 * Encodes the conversation of `request`, reporting what Responses cannot carry. Parts that came
 * from this format are written back with their item fields and at their positions; parts from
 * other formats get the shapes the Codex CLI sends (`message` items with typed parts,
 * `function_call` / `function_call_output`, `reasoning` with `encrypted_content`).
 */
export function encodeInput(request: IrRequest, warnings: ConversionWarning[]): EncodedInput {
  const { instructions, placed } = encodeSystem(request.system);
  const encoder = new InputEncoder(warnings);
  request.messages.forEach((message, index) => {
    const path = `messages[${index}]`;
    switch (message.role) {
      case 'user':
        encoder.user(message, path);
        return;
      case 'assistant':
        encoder.assistant(message, path);
        return;
      case 'tool':
        encoder.tool(message, path);
        return;
      case 'system':
        encoder.instruction(message);
        return;
      default:
        assertNever(message, 'message');
    }
  });
  const items = encoder.items;
  for (const { index, item } of placed) items.splice(Math.min(index, items.length), 0, item);
  const only = request.messages[0];
  const inputString =
    request.messages.length === 1 &&
    placed.length === 0 &&
    only?.role === 'user' &&
    readResponsesMeta(only.meta)?.inputString === true &&
    only.content.length === 1 &&
    only.content[0]?.type === 'text';
  return {
    ...(instructions !== undefined ? { instructions } : {}),
    input: inputString && only.content[0]?.type === 'text' ? only.content[0].text : items,
  };
}
