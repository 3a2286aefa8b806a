/**
 * Shapes an Anthropic Messages body for a Claude subscription (OAuth): the API serves those
 * tokens only to requests that present Claude Code's identity as the first system block
 * (observed 2025-06 to 2026-11), and it rejects more than 4 `cache_control` markers.
 */
import type { WireBody } from '../../formats/format.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { isRecord, type JsonObject } from '../../util/json.js';

/** The first system block a Claude subscription request must carry, verbatim. */
export const CLAUDE_CODE_IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude.";

/** The API's limit on `cache_control` markers per request. */
export const MAX_CACHE_CONTROL = 4;

/** The betas a subscription (OAuth) request needs. */
export const OAUTH_BETAS = ['claude-code-20250219', 'oauth-2025-04-20'];

function systemBlocks(system: unknown): JsonObject[] {
  if (typeof system === 'string') return system === '' ? [] : [{ type: 'text', text: system }];
  if (Array.isArray(system)) return system.filter(isRecord).map((block) => ({ ...block }));
  return [];
}

/**
 * The system blocks with Claude Code's identity first (inserted, or split off the first block).
 * Claude Code's own billing block (`x-anthropic-billing-header: ...`) may come before it, as
 * Claude Code sends it.
 */
function withIdentity(system: unknown): { blocks: JsonObject[]; changed: boolean } {
  const all = systemBlocks(system);
  const head = all[0];
  if (
    head?.type === 'text' &&
    typeof head.text === 'string' &&
    head.text.startsWith('x-anthropic-billing-header:')
  ) {
    const rest = identityFirst(all.slice(1));
    return { blocks: [head, ...rest.blocks], changed: rest.changed };
  }
  return identityFirst(all);
}

function identityFirst(blocks: JsonObject[]): { blocks: JsonObject[]; changed: boolean } {
  const first = blocks[0];
  const text = typeof first?.text === 'string' ? first.text : undefined;
  if (first?.type === 'text' && text === CLAUDE_CODE_IDENTITY) return { blocks, changed: false };
  if (first?.type === 'text' && text?.startsWith(CLAUDE_CODE_IDENTITY)) {
    const rest = text.slice(CLAUDE_CODE_IDENTITY.length).replace(/^\s+/, '');
    const { cache_control: cacheControl, ...plain } = first;
    const split: JsonObject[] = [{ ...plain, text: CLAUDE_CODE_IDENTITY }];
    if (rest !== '') split.push({ ...first, text: rest });
    else if (cacheControl !== undefined) split[0] = { ...split[0], cache_control: cacheControl };
    return { blocks: [...split, ...blocks.slice(1)], changed: true };
  }
  return { blocks: [{ type: 'text', text: CLAUDE_CODE_IDENTITY }, ...blocks], changed: true };
}

/** Every object carrying `cache_control`, in prompt order (tools, system, messages). */
function cacheMarkers(body: JsonObject, system: JsonObject[]): JsonObject[] {
  const found: JsonObject[] = [];
  const visit = (value: unknown) => {
    if (isRecord(value) && value.cache_control !== undefined && value.cache_control !== null)
      found.push(value);
  };
  if (Array.isArray(body.tools)) body.tools.forEach(visit);
  system.forEach(visit);
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (!isRecord(message) || !Array.isArray(message.content)) continue;
      for (const block of message.content) {
        visit(block);
        // Tool results nest their own content blocks, which may carry markers too.
        if (isRecord(block) && Array.isArray(block.content)) block.content.forEach(visit);
      }
    }
  }
  return found;
}

function copyMessages(messages: unknown): unknown {
  if (!Array.isArray(messages)) return messages;
  return messages.map((message) => {
    if (!isRecord(message) || !Array.isArray(message.content)) return message;
    return {
      ...message,
      content: message.content.map((block) =>
        isRecord(block)
          ? {
              ...block,
              ...(Array.isArray(block.content)
                ? {
                    content: block.content.map((inner) => (isRecord(inner) ? { ...inner } : inner)),
                  }
                : {}),
            }
          : block,
      ),
    };
  });
}

/**
 * Shapes the body. With OAuth: Claude Code's identity becomes the first system block (the
 * client's own system text follows), and `cache_control` markers beyond the API's limit of 4 are
 * dropped from the oldest (tools, then system, then earlier messages). With an API key the body
 * passes unchanged. The client's body is never mutated.
 */
export function prepareClaudeBody(
  source: WireBody,
  options: { oauth: boolean },
): Converted<WireBody> {
  if (!options.oauth) return { value: source, warnings: [] };
  const warnings: ConversionWarning[] = [];
  const body: JsonObject = {
    ...source,
    ...(Array.isArray(source.tools)
      ? { tools: source.tools.map((tool) => (isRecord(tool) ? { ...tool } : tool)) }
      : {}),
    messages: copyMessages(source.messages),
  };
  const identity = withIdentity(source.system);
  body.system = identity.blocks;
  const markers = cacheMarkers(body, identity.blocks);
  const extra = markers.length - MAX_CACHE_CONTROL;
  if (extra > 0) {
    for (const marker of markers.slice(0, extra)) delete marker.cache_control;
    warnings.push({
      code: 'dropped',
      message: `${extra} cache_control marker(s) beyond the API's limit of ${MAX_CACHE_CONTROL} were dropped (oldest first)`,
      path: 'cache_control',
    });
  }
  return { value: body, warnings };
}

/** The beta under which the API takes `system` messages between turns. */
export const MID_CONVERSATION_SYSTEM_BETA = 'mid-conversation-system-2026-04-07';

/**
 * Betas the body itself needs: a `system` message between turns (sent by Claude Code with its
 * beta, or converted from another format's instruction) is only accepted under its beta.
 */
export function betasForBody(body: WireBody): string[] {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const midSystem = messages.some((message) => isRecord(message) && message.role === 'system');
  return midSystem ? [MID_CONVERSATION_SYSTEM_BETA] : [];
}

/** The client's `anthropic-beta` values followed by `required` ones, without duplicates. */
export function mergeBetas(clientValue: string | null, required: readonly string[]): string {
  const values = (clientValue ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
  for (const beta of required) if (!values.includes(beta)) values.push(beta);
  return values.join(',');
}
