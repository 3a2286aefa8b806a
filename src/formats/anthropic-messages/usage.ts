/**
 * Maps Anthropic `usage` to neutral usage and back.
 *
 * Anthropic reports cache reads and writes beside `input_tokens` (disjoint counts); the IR counts
 * them inside `inputTokens`, as OpenAI does. Decoding adds them, encoding subtracts them back.
 *
 * @see https://docs.claude.com/en/api/messages#response-usage
 * @see https://docs.claude.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
import type { IrUsage } from '../../ir/usage.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import { narrowUsage } from './narrow.js';

/** Usage keys mapped into `IrUsage`; every other key is kept verbatim as an extra. */
const MAPPED_KEYS = new Set([
  'input_tokens',
  'output_tokens',
  'cache_creation_input_tokens',
  'cache_read_input_tokens',
  'output_tokens_details',
]);

/** Neutral usage plus the wire fields it cannot hold (`service_tier`, `cache_creation`, ...). */
export interface DecodedUsage {
  usage: IrUsage;
  /** Fields to give back verbatim when encoding for this format again; `undefined` when none. */
  extras: JsonObject | undefined;
}

/**
 * Decodes an Anthropic `usage` object. `null` counters stay out of the IR but are kept as
 * extras, so a same-format round trip gives them back.
 */
export function decodeUsage(wire: JsonObject): DecodedUsage {
  const usage: IrUsage = {};
  const extras: JsonObject = {};
  // Counts are read typed; extras come from the object as it came.
  const read = narrowUsage(wire) ?? {};
  const input = read.input_tokens;
  const cacheRead = read.cache_read_input_tokens;
  const cacheWrite = read.cache_creation_input_tokens;
  if (input !== undefined || cacheRead !== undefined || cacheWrite !== undefined) {
    usage.inputTokens = (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
  }
  const output = read.output_tokens;
  if (output !== undefined) usage.outputTokens = output;
  if (cacheRead !== undefined) usage.cachedInputTokens = cacheRead;
  if (cacheWrite !== undefined) usage.cacheWriteInputTokens = cacheWrite;
  for (const key of ['cache_read_input_tokens', 'cache_creation_input_tokens']) {
    if (wire[key] === null) extras[key] = null;
  }
  const details = wire.output_tokens_details;
  if (isRecord(details)) {
    const thinking = read.output_tokens_details?.thinking_tokens;
    if (thinking !== undefined) usage.reasoningTokens = thinking;
    const rest: JsonObject = {};
    for (const [key, value] of Object.entries(details)) {
      if (key !== 'thinking_tokens') rest[key] = value;
    }
    if (Object.keys(rest).length > 0) extras.output_tokens_details = rest;
  } else if (details !== undefined) {
    extras.output_tokens_details = details;
  }
  for (const [key, value] of Object.entries(wire)) {
    if (!MAPPED_KEYS.has(key)) extras[key] = value;
  }
  return { usage, extras: Object.keys(extras).length > 0 ? extras : undefined };
}

/**
 * Encodes neutral usage as an Anthropic `usage` object. Both cache counters are always present
 * (the API always sends them); `input_tokens` is the input without cache reads and writes.
 */
export function encodeUsage(usage: IrUsage, extras?: JsonObject): JsonObject {
  const cacheRead = usage.cachedInputTokens;
  const cacheWrite = usage.cacheWriteInputTokens;
  const input = Math.max(0, (usage.inputTokens ?? 0) - (cacheRead ?? 0) - (cacheWrite ?? 0));
  const wire: JsonObject = {
    input_tokens: input,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    ...extras,
    output_tokens: usage.outputTokens ?? 0,
  };
  if (cacheWrite !== undefined) wire.cache_creation_input_tokens = cacheWrite;
  if (cacheRead !== undefined) wire.cache_read_input_tokens = cacheRead;
  if (usage.reasoningTokens !== undefined) {
    const details = extras?.output_tokens_details;
    wire.output_tokens_details = {
      ...(isRecord(details) ? details : {}),
      thinking_tokens: usage.reasoningTokens,
    };
  }
  return wire;
}
