/**
 * Decodes the `messages` of a Chat request into the neutral system prompt and turns, keeping in
 * `meta['openai-chat']` what the same format needs to write them back exactly.
 */
import type {
  IrAssistantPart,
  IrOpaquePart,
  IrReasoningPart,
  IrTextPart,
  IrToolResultPart,
  IrUserPart,
} from '../../ir/content.js';
import { isPackedOpaque } from '../../ir/opaque.js';
import type { IrMessage } from '../../ir/request.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { getRecord, getString, isRecord, type JsonObject, tryParseJson } from '../../util/json.js';
import { decodeContentPart, decodeTextPart } from './decode-parts.js';
import { chatMeta, extraFields, metaField } from './meta.js';
import { REASONING_OPAQUE_FIELD, unpackReasoning } from './reasoning-opaque.js';
import { type ChatMessage, FORMAT_ID } from './types.js';

/** The neutral system prompt and turns of a request. */
export interface DecodedMessages {
  system: IrTextPart[];
  messages: IrMessage[];
}

/** Per-request state: tool-call kinds by id, and the pending ids of legacy function calls. */
interface DecodeState {
  toolKinds: Map<string, 'function' | 'custom'>;
  legacyCalls: Map<string, string>;
  legacyCount: number;
  /** Position of the message being decoded, for warning paths. */
  index: number;
  /** Names of the custom tools the request declares. */
  customTools: ReadonlySet<string>;
  warnings: ConversionWarning[];
}

function decodeSystem(message: ChatMessage, index: number, state: DecodeState): IrTextPart[] {
  const base = {
    role: message.role,
    message: index,
    messageExtra: extraFields(message, ['role', 'content']),
  };
  if (typeof message.content === 'string') {
    return [{ type: 'text', text: message.content, ...metaField(chatMeta(base)) }];
  }
  const parts: IrTextPart[] = [];
  (message.content ?? []).forEach((part, position) => {
    if (!isRecord(part) || part.type !== 'text') {
      state.warnings.push({
        code: 'dropped',
        message: `A "${String(part.type)}" part in a ${message.role} message cannot be kept`,
        path: `messages[${index}].content[${position}]`,
      });
      return;
    }
    const text = decodeTextPart(part);
    const partMeta = text.meta?.[FORMAT_ID];
    parts.push({
      type: 'text',
      text: text.text,
      ...metaField(
        chatMeta({
          ...(parts.length === 0 ? base : { role: message.role, message: index }),
          contentArray: true,
          ...partMeta,
        }),
      ),
    });
  });
  return parts;
}

/** A system or developer message after the first turn: an instruction kept at its position. */
function decodeInstruction(message: ChatMessage, index: number, state: DecodeState): IrMessage {
  // Only a part's own extra fields stay: the role and position are the message's now.
  const parts = decodeSystem(message, index, state).map(({ meta: partMeta, ...part }) => ({
    ...part,
    ...metaField(chatMeta({ extra: partMeta?.[FORMAT_ID]?.extra })),
  }));
  const meta = chatMeta({
    extra: extraFields(message, ['role', 'content']),
    contentArray: Array.isArray(message.content) ? true : undefined,
  });
  return {
    role: 'system',
    content: parts,
    ...(message.role === 'developer' ? { developer: true } : {}),
    ...metaField(meta),
  };
}

function decodeUser(message: ChatMessage): IrMessage {
  const meta = chatMeta({
    extra: extraFields(message, ['role', 'content']),
    contentArray: Array.isArray(message.content) ? true : undefined,
  });
  const content: IrUserPart[] =
    typeof message.content === 'string'
      ? [{ type: 'text', text: message.content }]
      : (message.content ?? []).map((part) => decodeContentPart(part));
  return { role: 'user', content, ...metaField(meta) };
}

/**
 * The raw text of a function call to a declared custom tool whose arguments are exactly
 * `{"input": "..."}` (how Chat clients get custom calls), or `undefined`.
 */
function customInput(fn: JsonObject, state: DecodeState): string | undefined {
  const name = getString(fn, 'name');
  if (name === undefined || !state.customTools.has(name)) return undefined;
  const text = getString(fn, 'arguments');
  if (text === undefined) return undefined;
  const parsed = tryParseJson(text);
  if (!isRecord(parsed) || Object.keys(parsed).length !== 1) return undefined;
  return typeof parsed.input === 'string' ? parsed.input : undefined;
}

function decodeToolCall(call: JsonObject, state: DecodeState): IrAssistantPart {
  const id = getString(call, 'id') ?? '';
  if (call.type === 'function' || call.type === 'custom') {
    const body = getRecord(call, call.type) ?? {};
    const wrapped = call.type === 'function' ? customInput(body, state) : undefined;
    if (wrapped !== undefined) {
      // A custom call as ccproxy sent it to this client: {"input": "<raw text>"} back to raw.
      state.toolKinds.set(id, 'custom');
      return {
        type: 'tool-call',
        callId: id,
        name: getString(body, 'name') ?? '',
        arguments: wrapped,
        kind: 'custom',
      };
    }
    const kind = call.type;
    const valueKey = kind === 'function' ? 'arguments' : 'input';
    state.toolKinds.set(id, kind);
    return {
      type: 'tool-call',
      callId: id,
      name: getString(body, 'name') ?? '',
      arguments: getString(body, valueKey) ?? '',
      kind,
      ...metaField(
        chatMeta({
          extra: extraFields(call, ['id', 'type', kind]),
          bodyExtra: extraFields(body, ['name', valueKey]),
          noId: call.id === undefined ? true : undefined,
        }),
      ),
    };
  }
  return { type: 'opaque', format: FORMAT_ID, value: { toolCall: call } };
}

/**
 * The reasoning of an assistant turn: the text of `reasoning_content` (or `reasoning`), or, when
 * the client sent back the `reasoning_opaque` ccproxy gave it, the parts packed there with their
 * signatures and encrypted values. A packed value is consumed, never forwarded.
 */
function decodeReasoning(
  message: ChatMessage,
  read: string[],
  state: DecodeState,
): IrReasoningPart[] {
  const field = ['reasoning_content', 'reasoning'].find((key) => typeof message[key] === 'string');
  if (field !== undefined) read.push(field);
  const meta = metaField(chatMeta({ field }));
  const packed = message[REASONING_OPAQUE_FIELD];
  if (typeof packed === 'string' && isPackedOpaque(packed)) {
    read.push(REASONING_OPAQUE_FIELD);
    const parts = unpackReasoning(packed);
    if (parts !== undefined) return parts.map((part) => ({ ...part, ...meta }));
    state.warnings.push({
      code: 'dropped',
      message: `An unreadable "${REASONING_OPAQUE_FIELD}" value was left out`,
      path: `messages[${state.index}].${REASONING_OPAQUE_FIELD}`,
    });
  }
  const text = field === undefined ? undefined : message[field];
  return typeof text === 'string' ? [{ type: 'reasoning', text, ...meta }] : [];
}

/** Assistant turn: reasoning first, then content, the `refusal` field and the tool calls. */
function decodeAssistant(message: ChatMessage, state: DecodeState): IrMessage {
  const content: IrAssistantPart[] = [];
  const read = ['role', 'content', 'refusal', 'tool_calls', 'function_call'];
  content.push(...decodeReasoning(message, read, state));
  if (typeof message.content === 'string') {
    content.push({ type: 'text', text: message.content });
  } else if (Array.isArray(message.content)) {
    for (const part of message.content) {
      if (part.type === 'text') content.push(decodeTextPart(part));
      else if (part.type === 'refusal') {
        content.push({
          type: 'refusal',
          text: getString(part, 'refusal') ?? '',
          ...metaField(
            chatMeta({ contentPart: true, extra: extraFields(part, ['type', 'refusal']) }),
          ),
        });
      } else content.push({ type: 'opaque', format: FORMAT_ID, value: { contentPart: part } });
    }
  }
  if (typeof message.refusal === 'string') content.push({ type: 'refusal', text: message.refusal });
  for (const call of message.tool_calls ?? []) content.push(decodeToolCall(call, state));
  const legacy = message.function_call;
  if (isRecord(legacy)) {
    state.legacyCount += 1;
    const callId = `call_legacy_${state.legacyCount}`;
    const name = getString(legacy, 'name') ?? '';
    state.legacyCalls.set(name, callId);
    content.push({
      type: 'tool-call',
      callId,
      name,
      arguments: getString(legacy, 'arguments') ?? '',
      kind: 'function',
      ...metaField(chatMeta({ legacy: true, extra: extraFields(legacy, ['name', 'arguments']) })),
    });
  }
  const meta = chatMeta({
    extra: extraFields(message, read),
    contentArray: Array.isArray(message.content) ? true : undefined,
    contentAbsent: message.content === undefined ? true : undefined,
    refusalNull: message.refusal === null ? true : undefined,
    toolCallsEmpty: message.tool_calls?.length === 0 ? true : undefined,
    functionCallNull: message.function_call === null ? true : undefined,
  });
  return { role: 'assistant', content, ...metaField(meta) };
}

function decodeTool(message: ChatMessage, state: DecodeState): IrMessage {
  const callId = message.tool_call_id ?? '';
  const kind = state.toolKinds.get(callId);
  const result: IrToolResultPart = {
    type: 'tool-result',
    callId,
    content: [],
    ...(kind !== undefined ? { kind } : {}),
  };
  const content: Array<IrToolResultPart | IrOpaquePart> = [result];
  if (typeof message.content === 'string') {
    result.content.push({ type: 'text', text: message.content });
  } else {
    (message.content ?? []).forEach((part, position) => {
      const decoded = decodeContentPart(part);
      if (decoded.type === 'opaque') {
        content.push({ type: 'opaque', format: FORMAT_ID, value: { position, part } });
      } else result.content.push(decoded);
    });
  }
  const meta = chatMeta({
    extra: extraFields(message, ['role', 'content', 'tool_call_id']),
    contentArray: Array.isArray(message.content) ? true : undefined,
  });
  return { role: 'tool', content, ...metaField(meta) };
}

/** Legacy `function` role: a tool result paired with the last legacy call of that name. */
function decodeFunctionResult(message: ChatMessage, state: DecodeState): IrMessage {
  const name = message.name ?? '';
  const callId = state.legacyCalls.get(name) ?? `call_legacy_${name}`;
  return {
    role: 'tool',
    content: [
      {
        type: 'tool-result',
        callId,
        content:
          typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [],
        kind: 'function',
        meta: {
          [FORMAT_ID]: {
            legacy: true,
            name,
            ...(message.content === null ? { contentNull: true } : {}),
          },
        },
      },
    ],
    ...metaField(chatMeta({ extra: extraFields(message, ['role', 'content', 'name']) })),
  };
}

/**
 * Decodes validated `messages`. System and developer messages become system parts that remember
 * their role and position; every other message becomes one neutral turn, in order.
 */
export function decodeMessages(
  messages: readonly ChatMessage[],
  warnings: ConversionWarning[],
  customTools: ReadonlySet<string> = new Set(),
): DecodedMessages {
  const state: DecodeState = {
    toolKinds: new Map(),
    legacyCalls: new Map(),
    legacyCount: 0,
    index: 0,
    customTools,
    warnings,
  };
  const system: IrTextPart[] = [];
  const turns: IrMessage[] = [];
  messages.forEach((message, index) => {
    state.index = index;
    switch (message.role) {
      case 'system':
      case 'developer':
        // Before the first turn it is the system prompt; after it, an instruction at its place.
        if (turns.length === 0) system.push(...decodeSystem(message, index, state));
        else turns.push(decodeInstruction(message, index, state));
        return;
      case 'user':
        turns.push(decodeUser(message));
        return;
      case 'assistant':
        turns.push(decodeAssistant(message, state));
        return;
      case 'tool':
        turns.push(decodeTool(message, state));
        return;
      case 'function':
        turns.push(decodeFunctionResult(message, state));
        return;
      default: {
        // A role this proxy does not know yet: its nearest meaning is the user's turn.
        warnings.push({
          code: 'unexpected',
          message: `A message with role "${String(message.role)}" was read as a user message`,
          path: `messages[${index}].role`,
        });
        const user = decodeUser(message);
        turns.push({
          ...user,
          meta: {
            ...user.meta,
            [FORMAT_ID]: { ...user.meta?.[FORMAT_ID], sentRole: message.role },
          },
        });
        return;
      }
    }
  });
  return { system, messages: turns };
}
