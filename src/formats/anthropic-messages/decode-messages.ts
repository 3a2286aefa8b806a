/**
 * Decodes the `messages` of a request into neutral messages. A user turn holding `tool_result`
 * blocks becomes a `tool` message (its results, first) and a `user` message (the rest).
 */
import { invalidField } from '../../errors.js';
import type {
  IrAssistantPart,
  IrOpaquePart,
  IrTextPart,
  IrToolResultPart,
  IrUserPart,
} from '../../ir/content.js';
import type { IrMeta } from '../../ir/meta.js';
import type { IrMessage } from '../../ir/request.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { getString, isRecord, type JsonObject } from '../../util/json.js';
import { decodeAssistantBlock, decodeTextBlock } from './decode-assistant-block.js';
import { decodeToolResultBlock, decodeUserBlock } from './decode-user-block.js';
import { extrasOf, makeMeta } from './meta.js';

/**
 * Markers in `meta['anthropic-messages']` of a decoded message, so the same format re-encodes
 * the exact turn structure:
 * - `contentString`: the content was a plain string.
 * - `separateTurn`: the client sent two turns of the same role in a row (kept apart).
 * - `layout`: order of `tool`/`user` blocks when tool results were not all first.
 * - `extra`: unknown keys of the message object.
 * - `role`: the role as sent, when it was not one this format knows (restored as it came).
 */
export interface MessageMarkers {
  role?: string;
  contentString?: boolean;
  separateTurn?: boolean;
  layout?: Array<'tool' | 'user'>;
  extra?: JsonObject;
}

/**
 * Puts the markers on `message`, a literal its caller has just built (set in place: copying it
 * with a spread to add one field was 1.5% of a converted request's CPU).
 */
function withMarkers<T extends IrMessage>(message: T, markers: MessageMarkers): T {
  const meta: IrMeta | undefined = makeMeta(markers as JsonObject);
  if (meta !== undefined) message.meta = meta;
  return message;
}

function decodeUserTurn(
  content: JsonObject[],
  path: string,
  markers: MessageMarkers,
  warn: (warning: ConversionWarning) => void,
): IrMessage[] {
  const results: Array<IrToolResultPart | IrOpaquePart> = [];
  const rest: IrUserPart[] = [];
  const layout: Array<'tool' | 'user'> = [];
  let interleaved = false;
  content.forEach((block, index) => {
    const blockPath = `${path}.content[${index}]`;
    if (block.type === 'tool_result') {
      if (rest.length > 0) interleaved = true;
      results.push(decodeToolResultBlock(block, blockPath, warn));
      layout.push('tool');
    } else {
      rest.push(decodeUserBlock(block, blockPath));
      layout.push('user');
    }
  });
  if (results.length === 0) return [withMarkers({ role: 'user', content: rest }, markers)];
  const messages: IrMessage[] = [
    withMarkers({ role: 'tool', content: results }, interleaved ? { ...markers, layout } : markers),
  ];
  if (rest.length > 0) messages.push({ role: 'user', content: rest });
  return messages;
}

/**
 * A `system` message between turns (Claude Code 2.1.197, beta
 * `mid-conversation-system-2026-04-07`): its text blocks, at its position. Other blocks have no
 * place in an instruction and are dropped with a warning.
 */
function decodeSystemTurn(
  blocks: JsonObject[],
  path: string,
  markers: MessageMarkers,
  warn: (warning: ConversionWarning) => void,
): IrMessage {
  const content: IrTextPart[] = [];
  blocks.forEach((block, index) => {
    if (block.type === 'text' && typeof block.text === 'string') {
      content.push(decodeTextBlock(block));
      return;
    }
    warn({
      code: 'dropped',
      message: `A "${String(block.type)}" block in a system message was left out`,
      path: `${path}.content[${index}]`,
    });
  });
  return withMarkers({ role: 'system', content }, markers);
}

/**
 * The nearest known role of a message: `user`, `assistant` and `system` as they are; `developer`
 * (an OpenAI word) as `system`; anything else as `user`, with a warning, so that a client that
 * learnt a new role keeps working.
 */
function knownRole(
  role: string | undefined,
  path: string,
  warn: (warning: ConversionWarning) => void,
): 'user' | 'assistant' | 'system' {
  if (role === 'user' || role === 'assistant' || role === 'system') return role;
  const mapped = role === 'developer' ? 'system' : 'user';
  warn({
    code: 'unexpected',
    message: `A message with role "${String(role)}" was read as a ${mapped} message`,
    path: `${path}.role`,
  });
  return mapped;
}

/** Decodes every message; throws `invalid_request` naming the first bad block. */
export function decodeMessages(
  messages: ReadonlyArray<JsonObject>,
  warn: (warning: ConversionWarning) => void,
): IrMessage[] {
  const decoded: IrMessage[] = [];
  let previousRole: string | undefined;
  messages.forEach((message, index) => {
    const path = `messages[${index}]`;
    const sent = getString(message, 'role');
    const role = knownRole(sent, path, warn);
    const markers: MessageMarkers = {};
    if (sent !== role) markers.role = sent;
    const extra = extrasOf(message, ['role', 'content']);
    if (extra !== undefined) markers.extra = extra;
    if (role === previousRole) markers.separateTurn = true;
    previousRole = role;
    const raw = message.content;
    let blocks: JsonObject[];
    if (typeof raw === 'string') {
      markers.contentString = true;
      blocks = [{ type: 'text', text: raw }];
    } else if (Array.isArray(raw) && raw.every(isRecord)) {
      blocks = raw;
    } else {
      throw invalidField(`${path}.content`, 'must be a string or an array of blocks');
    }
    if (role === 'system') {
      decoded.push(decodeSystemTurn(blocks, path, markers, warn));
      return;
    }
    if (role === 'assistant') {
      const parts: IrAssistantPart[] = blocks.map((block, blockIndex) => {
        const blockPath = `${path}.content[${blockIndex}]`;
        if (block.type === 'tool_use') {
          if (typeof block.id !== 'string')
            throw invalidField(`${blockPath}.id`, 'must be a string');
          if (typeof block.name !== 'string') {
            throw invalidField(`${blockPath}.name`, 'must be a string');
          }
        }
        if (block.type === 'text' && typeof block.text !== 'string') {
          throw invalidField(`${blockPath}.text`, 'must be a string');
        }
        return decodeAssistantBlock(block);
      });
      decoded.push(withMarkers({ role: 'assistant', content: parts }, markers));
      return;
    }
    decoded.push(...decodeUserTurn(blocks, path, markers, warn));
  });
  return decoded;
}
