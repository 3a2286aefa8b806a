/**
 * Shapes a Responses request to what the ChatGPT Codex backend accepts (observed 2025-09 to
 * 2026-11): it only streams, never stores, needs a non-empty `instructions` string and `input`
 * as a list, rejects token limits, `metadata` and sampling parameters, and answers 400
 * "System messages are not allowed" for system input messages (developer ones it takes).
 */
import { createHash } from 'node:crypto';
import { ProxyError } from '../../errors.js';
import type { WireBody } from '../../formats/format.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { getString, isRecord, type JsonObject } from '../../util/json.js';
import type { PrepareContext } from '../provider.js';

/** Parameters the backend rejects with `Unsupported parameter: ...` (observed 2026-05). */
const UNSUPPORTED_PARAMETERS = [
  'max_output_tokens',
  'max_tokens',
  'max_completion_tokens',
  'metadata',
  'temperature',
  'top_p',
  'top_logprobs',
  'logprobs',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'user',
  'safety_identifier',
  'stream_options',
  'previous_response_id',
  'background',
  'truncation',
  'service_tier',
  'prompt_cache_retention',
];

/** Default `instructions` when the client sent none. */
export const DEFAULT_CODEX_INSTRUCTIONS = 'You are a helpful assistant.';

function messageText(item: JsonObject): string {
  const content = item.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text !== '')
    .join('\n');
}

function isInstructionMessage(item: unknown): item is JsonObject {
  return (
    isRecord(item) &&
    (item.type === 'message' || item.type === undefined) &&
    (item.role === 'system' || item.role === 'developer')
  );
}

/** A UUID-shaped digest, stable for the same text. */
function stableId(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const SESSION_HEADERS = [
  'session_id',
  'session-id',
  'x-session-id',
  'conversation_id',
  'x-claude-code-session-id',
];

/**
 * The key that identifies one conversation across its turns, so the backend's prompt cache
 * hits: the client's `prompt_cache_key`, a session header or route session, a Claude Code
 * session in `metadata.user_id`, or else a digest of the instructions and the first input item
 * (the same for every turn of a conversation).
 */
export function conversationKey(body: JsonObject, context: PrepareContext): string {
  const explicit = getString(body, 'prompt_cache_key');
  if (explicit) return explicit;
  for (const name of SESSION_HEADERS) {
    const value = context.clientHeaders.get(name);
    if (value) return value;
  }
  if (context.routeSessionId) return context.routeSessionId;
  const user = [getString(body, 'user'), getString(body, 'safety_identifier')]
    .concat(isRecord(body.metadata) ? [getString(body.metadata, 'user_id')] : [])
    .find((value) => value !== undefined && /session_[0-9a-f-]{8,}/i.test(value));
  const session = user ? /session_([0-9a-f-]{8,})/i.exec(user)?.[1] : undefined;
  if (session) return session;
  const input = Array.isArray(body.input) ? body.input : [];
  const first = input.find((item) => !isInstructionMessage(item));
  return stableId(JSON.stringify([body.instructions ?? '', first ?? null]));
}

/** Options of `prepareCodexBody`. */
export interface CodexBodyOptions {
  defaultInstructions: string;
}

/** Shapes the body; every field it removes or changes is reported as a warning. */
export function prepareCodexBody(
  source: WireBody,
  context: PrepareContext,
  options: CodexBodyOptions,
): Converted<WireBody> {
  const warnings: ConversionWarning[] = [];
  const body: JsonObject = { ...source, stream: true, store: false };
  if (source.store === true) {
    warnings.push({
      code: 'dropped',
      message: 'The Codex backend does not store responses: "store" set to false',
      path: 'store',
    });
  }
  for (const key of UNSUPPORTED_PARAMETERS) {
    if (key in body) {
      delete body[key];
      warnings.push({ code: 'dropped', message: `The Codex backend rejects "${key}"`, path: key });
    }
  }

  let input: unknown[] = [];
  if (typeof source.input === 'string') {
    input = [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: source.input }] },
    ];
  } else if (Array.isArray(source.input)) {
    input = source.input;
  }
  const instructions: string[] = [];
  if (typeof source.instructions === 'string' && source.instructions.trim() !== '') {
    instructions.push(source.instructions);
  }
  const kept: unknown[] = [];
  for (const [index, item] of input.entries()) {
    if (isInstructionMessage(item) && kept.length === 0) {
      // Leading instructions are the system prompt: `instructions` is where the backend wants it.
      const text = messageText(item);
      if (text !== '') instructions.push(text);
      continue;
    }
    if (isInstructionMessage(item)) {
      // Between turns an instruction keeps its place; the backend rejects `system` items
      // ("System messages are not allowed") but takes `developer` ones, as the Codex CLI sends.
      const { id: _id, ...rest } = item;
      kept.push(item.role === 'system' ? { ...rest, role: 'developer' } : rest);
      continue;
    }
    if (!isRecord(item)) {
      kept.push(item);
      continue;
    }
    // With store:false the backend keeps no items, so an id refers to nothing and is rejected
    // ("Item with id ... not found", observed 2025-10); reasoning without its encrypted
    // content cannot be replayed either.
    if (item.type === 'reasoning' && typeof item.encrypted_content !== 'string') {
      warnings.push({
        code: 'dropped',
        message: 'Reasoning item without encrypted_content cannot be sent to the Codex backend',
      });
      continue;
    }
    if (item.type === 'item_reference') {
      // The pipeline expands references from the Responses store before this point; one that
      // is still here (a request built another way) must not vanish silently.
      throw new ProxyError(
        'invalid_request',
        `Item with id '${String(item.id)}' not found: the Codex backend keeps no items (store: false).`,
        { param: `input[${index}].id` },
      );
    }
    if ('id' in item) {
      const { id: _id, ...rest } = item;
      kept.push(rest);
    } else {
      kept.push(item);
    }
  }
  body.input = kept;
  body.instructions =
    instructions.length > 0 ? instructions.join('\n\n') : options.defaultInstructions;

  if (Array.isArray(source.tools)) {
    // The backend makes function tools strict by default, which turns optional parameters
    // into required ones (observed 2025-11); keep the client's choice, default non-strict.
    body.tools = source.tools.map((tool) =>
      isRecord(tool) && tool.type === 'function' && typeof tool.strict !== 'boolean'
        ? { ...tool, strict: false }
        : tool,
    );
  }
  const include = Array.isArray(source.include)
    ? source.include.filter((v) => typeof v === 'string')
    : [];
  if (!include.includes('reasoning.encrypted_content')) include.push('reasoning.encrypted_content');
  body.include = include;
  body.prompt_cache_key = conversationKey(source, context);
  return { value: body, warnings };
}
