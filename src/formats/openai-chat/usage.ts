/**
 * Maps Chat Completions `usage` to neutral usage and back.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
 */
import type { IrUsage } from '../../ir/usage.js';
import { totalTokens } from '../../ir/usage.js';
import { getRecord, type JsonObject } from '../../util/json.js';
import { narrowChatUsage } from './narrow.js';
import type { ChatUsage } from './types.js';

/**
 * A wire `usage` object as neutral usage. `prompt_tokens` already includes cached tokens and
 * `completion_tokens` reasoning tokens, as in the IR. DeepSeek reports its cache hits as
 * `prompt_cache_hit_tokens` and OpenRouter its cache writes as
 * `prompt_tokens_details.cache_write_tokens`; both are read.
 * @see https://api-docs.deepseek.com/api/create-chat-completion
 * @see https://openrouter.ai/docs/use-cases/usage-accounting
 */
export function decodeUsage(value: unknown): IrUsage {
  const wire = narrowChatUsage(value);
  if (wire === undefined) return {};
  const usage: IrUsage = {};
  const input = wire.prompt_tokens;
  const output = wire.completion_tokens;
  const total = wire.total_tokens;
  const cached = wire.prompt_tokens_details?.cached_tokens ?? wire.prompt_cache_hit_tokens;
  const cacheWrite = wire.prompt_tokens_details?.cache_write_tokens;
  const reasoning = wire.completion_tokens_details?.reasoning_tokens;
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (cached !== undefined) usage.cachedInputTokens = cached;
  if (cacheWrite !== undefined) usage.cacheWriteInputTokens = cacheWrite;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  if (total !== undefined) usage.totalTokens = total;
  return usage;
}

/**
 * Neutral usage as a wire `usage` object. `raw` is the upstream's own object when the response
 * came from a Chat upstream: its other fields (`audio_tokens`, prediction counts, ...) are kept
 * and the mapped counts written over them. Detail objects appear only when they hold something.
 */
export function encodeUsage(usage: IrUsage, raw?: JsonObject): ChatUsage {
  const promptDetails: JsonObject = { ...(raw && getRecord(raw, 'prompt_tokens_details')) };
  const completionDetails: JsonObject = { ...(raw && getRecord(raw, 'completion_tokens_details')) };
  if (usage.cachedInputTokens !== undefined) promptDetails.cached_tokens = usage.cachedInputTokens;
  if (usage.cacheWriteInputTokens !== undefined) {
    promptDetails.cache_write_tokens = usage.cacheWriteInputTokens;
  }
  if (usage.reasoningTokens !== undefined) {
    completionDetails.reasoning_tokens = usage.reasoningTokens;
  }
  const encoded: ChatUsage = {
    ...raw,
    prompt_tokens: usage.inputTokens ?? 0,
    completion_tokens: usage.outputTokens ?? 0,
    total_tokens: totalTokens(usage),
  };
  if (Object.keys(promptDetails).length > 0) encoded.prompt_tokens_details = promptDetails;
  if (Object.keys(completionDetails).length > 0) {
    encoded.completion_tokens_details = completionDetails;
  }
  return encoded;
}

/** True when a usage snapshot holds at least one count. */
export function hasUsage(usage: IrUsage): boolean {
  for (const value of Object.values(usage)) if (value !== undefined) return true;
  return false;
}
