/** Token usage in the neutral representation. */

/**
 * Token counts, all optional because upstreams report them piecemeal.
 * `inputTokens` includes cached and cache-write tokens (OpenAI's convention);
 * `outputTokens` includes reasoning tokens.
 */
export interface IrUsage {
  inputTokens?: number;
  outputTokens?: number;
  /** Input tokens read from a prompt cache (part of `inputTokens`). */
  cachedInputTokens?: number;
  /** Input tokens written to a prompt cache (part of `inputTokens`). */
  cacheWriteInputTokens?: number;
  /** Output tokens spent on reasoning (part of `outputTokens`). */
  reasoningTokens?: number;
  totalTokens?: number;
}

const USAGE_KEYS = [
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'cacheWriteInputTokens',
  'reasoningTokens',
  'totalTokens',
] as const;

/** Merges a later usage snapshot over an earlier one: defined fields win, nothing is summed. */
export function mergeUsage(base: IrUsage, update: IrUsage): IrUsage {
  const merged: IrUsage = { ...base };
  for (const key of USAGE_KEYS) {
    const value = update[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** The total, computed when the upstream did not send one. */
export function totalTokens(usage: IrUsage): number {
  return usage.totalTokens ?? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);
}
