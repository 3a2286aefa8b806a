/**
 * Encodes neutral messages as Anthropic request turns: tool results go into user turns (first,
 * as the API requires), adjacent turns of the same role are merged, and the markers left by
 * `decodeMessages` restore a client's exact turn structure.
 *
 * @see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks
 */
import { resultsRightAfterCalls } from '../../ir/order.js';
import type { IrMessage } from '../../ir/request.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import type { JsonObject } from '../../util/json.js';
import { encodeAssistantPart, encodeTextPart } from './encode-assistant-part.js';
import { encodeToolResult, encodeUserPart } from './encode-user-part.js';
import { ownExtra, ownMeta } from './meta.js';

/** What message encoding needs from the request encoder. */
export interface EncodeMessagesOptions {
  warn: (warning: ConversionWarning) => void;
  toolId(callId: string): string;
}

interface Turn {
  role: 'user' | 'assistant' | 'system';
  toolBlocks: JsonObject[];
  blocks: JsonObject[];
  layout: Array<'tool' | 'user'> | undefined;
  /** The text to send as a plain string content, when the turn was one and stayed alone. */
  stringText: string | undefined;
  extra: JsonObject;
  path: string;
  /** A role this format did not know, as the client sent it (same-format round trip). */
  sentRole?: string;
}

function asStringText(message: IrMessage): string | undefined {
  // An instruction between turns from another format goes as Claude Code sends it: a string.
  const plain = message.role === 'system' && ownMeta(message.meta) === undefined;
  if ((ownMeta(message.meta)?.contentString !== true && !plain) || message.content.length !== 1) {
    return undefined;
  }
  const part = message.content[0];
  return part?.type === 'text' && part.meta === undefined && part.annotations === undefined
    ? part.text
    : undefined;
}

function encodeInto(
  turn: Turn,
  message: IrMessage,
  index: number,
  options: EncodeMessagesOptions,
): void {
  const base = `messages[${index}].content`;
  switch (message.role) {
    case 'tool':
      message.content.forEach((part, partIndex) => {
        const path = `${base}[${partIndex}]`;
        const block =
          part.type === 'tool-result'
            ? encodeToolResult(part, { ...options, path })
            : encodeUserPart(part, { ...options, path });
        if (block !== undefined) turn.toolBlocks.push(block);
      });
      return;
    case 'user':
      message.content.forEach((part, partIndex) => {
        const block = encodeUserPart(part, { ...options, path: `${base}[${partIndex}]` });
        if (block !== undefined) turn.blocks.push(block);
      });
      return;
    case 'system':
      message.content.forEach((part, partIndex) => {
        if (part.text.trim() === '') return;
        turn.blocks.push(
          encodeTextPart(part, { ...options, target: 'request', path: `${base}[${partIndex}]` }),
        );
      });
      return;
    case 'assistant':
      message.content.forEach((part, partIndex) => {
        // The API answers 400 "text content blocks must be non-empty" (and "must contain
        // non-whitespace text"), seen in anthropics/claude-code#59812 and #23369 (2026).
        if ((part.type === 'text' || part.type === 'refusal') && part.text.trim() === '') return;
        const block = encodeAssistantPart(part, {
          ...options,
          target: 'request',
          path: `${base}[${partIndex}]`,
        });
        if (block !== undefined) turn.blocks.push(block);
      });
      return;
    default:
      assertNever(message, 'message');
  }
}

function turnContent(turn: Turn): JsonObject[] {
  if (turn.layout === undefined) return [...turn.toolBlocks, ...turn.blocks];
  const content: JsonObject[] = [];
  let tool = 0;
  let user = 0;
  for (const slot of turn.layout) {
    const block = slot === 'tool' ? turn.toolBlocks[tool++] : turn.blocks[user++];
    if (block !== undefined) content.push(block);
  }
  content.push(...turn.toolBlocks.slice(tool), ...turn.blocks.slice(user));
  return content;
}

/** Encodes the conversation; turns left empty by dropped parts are dropped with a warning. */
export function encodeMessages(
  messages: readonly IrMessage[],
  options: EncodeMessagesOptions,
): JsonObject[] {
  const turns: Turn[] = [];
  for (const { message, index } of resultsRightAfterCalls(messages, options.warn)) {
    const own = ownMeta(message.meta);
    const role = message.role === 'assistant' || message.role === 'system' ? message.role : 'user';
    let turn = turns.at(-1);
    // An instruction between turns is a message of its own, never merged into a turn.
    if (
      turn === undefined ||
      turn.role !== role ||
      role === 'system' ||
      own?.separateTurn === true
    ) {
      turn = {
        role,
        toolBlocks: [],
        blocks: [],
        layout: Array.isArray(own?.layout) ? (own.layout as Array<'tool' | 'user'>) : undefined,
        stringText: asStringText(message),
        extra: ownExtra(message.meta),
        ...(typeof own?.role === 'string' ? { sentRole: own.role } : {}),
        path: `messages[${index}]`,
      };
      turns.push(turn);
    } else {
      turn.stringText = undefined;
      turn.extra = { ...turn.extra, ...ownExtra(message.meta) };
    }
    encodeInto(turn, message, index, options);
  }
  const wire: JsonObject[] = [];
  for (const turn of turns) {
    const role = turn.sentRole ?? turn.role;
    if (turn.stringText !== undefined) {
      wire.push({ role, content: turn.stringText, ...turn.extra });
      continue;
    }
    const content = turnContent(turn);
    if (content.length === 0) {
      options.warn({
        code: 'dropped',
        message: `A ${turn.role} turn with no content Anthropic accepts was left out`,
        path: turn.path,
      });
      continue;
    }
    wire.push({ role, content, ...turn.extra });
  }
  return wire;
}
