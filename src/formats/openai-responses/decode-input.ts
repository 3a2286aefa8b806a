/**
 * Decodes a request's `input` (a string or a list of items) into IR system parts and messages.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
import { invalidField } from '../../errors.js';
import type {
  IrAssistantPart,
  IrOpaquePart,
  IrTextPart,
  IrToolResultPart,
  IrUserPart,
} from '../../ir/content.js';
import type { IrMessage } from '../../ir/request.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import { decodeReasoningItem } from './decode-output.js';
import { type DecodedInputPart, decodeInputPart } from './input-content.js';
import { type ResponsesMeta, readResponsesMeta, responsesMeta } from './meta.js';
import {
  customToolCallSchema,
  functionCallSchema,
  messageItemSchema,
  parseOrThrow,
  refusalPartSchema,
  toolOutputSchema,
} from './schema.js';
import { FORMAT_ID } from './types.js';

/** The IR side of a request's input. */
export interface DecodedInput {
  system: IrTextPart[];
  messages: IrMessage[];
  warnings: ConversionWarning[];
}

type Side = 'user' | 'assistant' | 'tool';

/** Which turn an item the IR does not model belongs to, judged by its type name. */
function sideOf(type: string): Side {
  if (type.endsWith('_output') || type === 'mcp_approval_response') return 'tool';
  if (
    type.endsWith('_call') ||
    type === 'reasoning' ||
    type === 'compaction' ||
    type === 'program' ||
    type.startsWith('mcp_')
  ) {
    return 'assistant';
  }
  return 'user';
}

function opaque(value: unknown): IrOpaquePart {
  return { type: 'opaque', format: FORMAT_ID, value };
}

function withIndex<T extends DecodedInputPart>(part: T, index: number, item: JsonObject): T {
  const own = readResponsesMeta(part.meta) ?? {};
  return { ...part, meta: responsesMeta({ ...own, item, index }) };
}

class InputDecoder {
  readonly system: IrTextPart[] = [];
  readonly messages: IrMessage[] = [];
  readonly warnings: ConversionWarning[] = [];

  private assistantTurn(): IrAssistantPart[] {
    const last = this.messages[this.messages.length - 1];
    if (last?.role === 'assistant') return last.content;
    const content: IrAssistantPart[] = [];
    this.messages.push({ role: 'assistant', content });
    return content;
  }

  private toolTurn(): Array<IrToolResultPart | IrOpaquePart> {
    const last = this.messages[this.messages.length - 1];
    if (last?.role === 'tool') return last.content;
    const content: Array<IrToolResultPart | IrOpaquePart> = [];
    this.messages.push({ role: 'tool', content });
    return content;
  }

  private addOpaque(item: JsonObject, index: number, side: Side): void {
    if (side === 'assistant') this.assistantTurn().push(opaque(item));
    else if (side === 'tool') this.toolTurn().push(opaque(item));
    else {
      this.messages.push({
        role: 'user',
        content: [opaque(item)],
        meta: responsesMeta({ index, opaqueItem: true }),
      });
    }
  }

  item(item: unknown, index: number): void {
    const path = `input[${index}]`;
    if (!isRecord(item)) throw invalidField(path, 'must be an object');
    const type = item.type;
    if (type === undefined || type === 'message') {
      this.message(item, index, path);
      return;
    }
    if (typeof type !== 'string') throw invalidField(`${path}.type`, 'must be a string');
    switch (type) {
      case 'function_call':
      case 'custom_tool_call':
        this.call(item, index, path, type === 'function_call' ? 'function' : 'custom');
        return;
      case 'function_call_output':
      case 'custom_tool_call_output':
        this.output(item, index, path, type === 'function_call_output' ? 'function' : 'custom');
        return;
      case 'reasoning': {
        const part = decodeReasoningItem(item, { unpackOpaque: true, history: true });
        if (!part) {
          this.addOpaque(item, index, 'assistant');
          return;
        }
        const own = readResponsesMeta(part.meta) ?? {};
        this.assistantTurn().push({ ...part, meta: responsesMeta({ ...own, index }) });
        return;
      }
      default:
        this.addOpaque(item, index, sideOf(type));
        return;
    }
  }

  private message(item: JsonObject, index: number, path: string): void {
    const message = parseOrThrow(messageItemSchema, item, path);
    const extras = omitKeys(item, ['content']);
    const content = message.content;
    const base: ResponsesMeta = { item: extras, index };
    const role = this.knownRole(message.role, path);
    if ((role === 'system' || role === 'developer') && this.messages.length > 0) {
      this.instruction(item, content, role, base);
      return;
    }
    if (role === 'system' || role === 'developer') {
      if (typeof content === 'string') {
        this.system.push({
          type: 'text',
          text: content,
          meta: responsesMeta({ ...base, contentString: true }),
        });
        return;
      }
      const texts = content.filter((part) => part.type === 'input_text');
      if (texts.length === 0 || texts.length !== content.length) {
        // Images or unknown parts in a system message: the IR system prompt is text only.
        this.addOpaque(item, index, 'user');
        return;
      }
      content.forEach((part, position) => {
        const decoded = decodeInputPart(part, `${path}.content[${position}]`);
        // Every part is `input_text`, which decodes to a text part.
        if (decoded?.type === 'text') this.system.push(withIndex(decoded, index, extras));
      });
      return;
    }
    if (role === 'assistant') {
      this.assistantMessage(item, content, base, path);
      return;
    }
    const parts: IrUserPart[] =
      typeof content === 'string'
        ? [{ type: 'text', text: content }]
        : content.map(
            (part, position) =>
              decodeInputPart(part, `${path}.content[${position}]`) ?? opaque(part),
          );
    this.messages.push({
      role: 'user',
      content: parts,
      meta: responsesMeta({
        ...base,
        ...(typeof content === 'string' ? { contentString: true } : {}),
      }),
    });
  }

  /**
   * The nearest known role: the four the API defines as they are, anything else as `user` with
   * a warning (a client that learnt a new role keeps working).
   */
  private knownRole(role: string, path: string): 'user' | 'assistant' | 'system' | 'developer' {
    if (role === 'user' || role === 'assistant' || role === 'system' || role === 'developer') {
      return role;
    }
    this.warnings.push({
      code: 'unexpected',
      message: `A message with role "${role}" was read as a user message`,
      path: `${path}.role`,
    });
    return 'user';
  }

  /**
   * A system or developer message after the first turn: an instruction kept at its position.
   * One with parts other than text stays whole (opaque), as at the start.
   */
  private instruction(
    item: JsonObject,
    content: string | JsonObject[],
    role: 'system' | 'developer',
    base: ResponsesMeta,
  ): void {
    const index = base.index ?? 0;
    const developer = role === 'developer' ? { developer: true } : {};
    if (typeof content === 'string') {
      this.messages.push({
        role: 'system',
        content: [{ type: 'text', text: content }],
        ...developer,
        meta: responsesMeta({ ...base, contentString: true }),
      });
      return;
    }
    const texts: IrTextPart[] = [];
    for (const part of content) {
      if (part.type !== 'input_text' || typeof part.text !== 'string') {
        this.addOpaque(item, index, 'user');
        return;
      }
      texts.push({
        type: 'text',
        text: part.text,
        meta: responsesMeta({ part: omitKeys(part, ['text']) }),
      });
    }
    this.messages.push({
      role: 'system',
      content: texts,
      ...developer,
      meta: responsesMeta(base),
    });
  }

  private assistantMessage(
    item: JsonObject,
    content: string | JsonObject[],
    base: ResponsesMeta,
    path: string,
  ): void {
    if (typeof content === 'string') {
      this.assistantTurn().push({
        type: 'text',
        text: content,
        meta: responsesMeta({ ...base, contentString: true }),
      });
      return;
    }
    const parts: IrAssistantPart[] = [];
    for (const [position, part] of content.entries()) {
      const at = `${path}.content[${position}]`;
      if (part.type === 'refusal') {
        const refusal = parseOrThrow(refusalPartSchema, part, at);
        parts.push({
          type: 'refusal',
          text: refusal.refusal,
          meta: responsesMeta({ ...base, part: omitKeys(part, ['refusal']) }),
        });
        continue;
      }
      const decoded =
        part.type === 'output_text' || part.type === 'input_text'
          ? decodeInputPart(part, at)
          : undefined;
      if (decoded?.type !== 'text') {
        this.addOpaque(item, base.index ?? 0, 'assistant');
        return;
      }
      parts.push({ ...decoded, meta: responsesMeta({ ...base, part: omitKeys(part, ['text']) }) });
    }
    if (parts.length === 0) {
      this.addOpaque(item, base.index ?? 0, 'assistant');
      return;
    }
    this.assistantTurn().push(...parts);
  }

  private call(item: JsonObject, index: number, path: string, kind: 'function' | 'custom'): void {
    const field = kind === 'function' ? 'arguments' : 'input';
    let call: { callId: string; name: string; text: string };
    if (kind === 'function') {
      const parsed = parseOrThrow(functionCallSchema, item, path);
      call = { callId: parsed.call_id, name: parsed.name, text: parsed.arguments };
    } else {
      const parsed = parseOrThrow(customToolCallSchema, item, path);
      call = { callId: parsed.call_id, name: parsed.name, text: parsed.input };
    }
    this.assistantTurn().push({
      type: 'tool-call',
      callId: call.callId,
      name: call.name,
      arguments: call.text,
      kind,
      meta: responsesMeta({ item: omitKeys(item, ['type', 'call_id', 'name', field]), index }),
    });
  }

  private output(item: JsonObject, index: number, path: string, kind: 'function' | 'custom'): void {
    const { call_id: callId, output } = parseOrThrow(toolOutputSchema, item, path);
    const content: IrToolResultPart['content'] = [];
    if (typeof output === 'string') {
      content.push({ type: 'text', text: output });
    } else {
      for (const [position, part] of output.entries()) {
        const decoded = decodeInputPart(part, `${path}.output[${position}]`);
        if (!decoded) {
          this.addOpaque(item, index, 'tool');
          return;
        }
        content.push(decoded);
      }
    }
    this.toolTurn().push({
      type: 'tool-result',
      callId,
      content,
      kind,
      meta: responsesMeta({
        item: omitKeys(item, ['type', 'call_id', 'output']),
        index,
        ...(typeof output === 'string' ? { outputString: true } : {}),
      }),
    });
  }
}

/**
 * Decodes `input`, validating it (`invalid_request` names the bad field). Assistant-side items
 * (messages, reasoning, calls) that follow each other form one IR assistant turn, tool outputs
 * that follow each other one tool turn; system and developer messages before the first turn go
 * to `system` with their position in meta, so the same format puts them back, and later ones are
 * `system` messages at their place; items the IR does not model stay whole
 * as opaque parts.
 */
export function decodeInput(input: unknown): DecodedInput {
  if (input === undefined || input === null) return { system: [], messages: [], warnings: [] };
  if (typeof input === 'string') {
    return {
      system: [],
      warnings: [],
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: input }],
          meta: responsesMeta({ inputString: true }),
        },
      ],
    };
  }
  if (!Array.isArray(input)) throw invalidField('input', 'must be a string or an array');
  const decoder = new InputDecoder();
  input.forEach((item, index) => {
    decoder.item(item, index);
  });
  return { system: decoder.system, messages: decoder.messages, warnings: decoder.warnings };
}
