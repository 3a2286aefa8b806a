/** Chat usage in both directions. */
import { describe, expect, it } from 'vitest';
import { decodeUsage, encodeUsage } from './usage.js';

describe('Chat usage', () => {
  it('reads counts of the wrong type as absent and keeps the others', () => {
    expect(
      decodeUsage({
        prompt_tokens: '100',
        completion_tokens: 20,
        total_tokens: null,
        prompt_tokens_details: { cached_tokens: 'many' },
        prompt_cache_hit_tokens: 8,
        completion_tokens_details: 'n/a',
      }),
    ).toEqual({ outputTokens: 20, cachedInputTokens: 8 });
  });

  it('decodes OpenAI details, DeepSeek cache hits and OpenRouter cache writes', () => {
    expect(
      decodeUsage({
        prompt_tokens: 100,
        completion_tokens: 20,
        total_tokens: 120,
        prompt_tokens_details: { cached_tokens: 64, cache_write_tokens: 30 },
        completion_tokens_details: { reasoning_tokens: 12 },
      }),
    ).toEqual({
      inputTokens: 100,
      outputTokens: 20,
      totalTokens: 120,
      cachedInputTokens: 64,
      cacheWriteInputTokens: 30,
      reasoningTokens: 12,
    });
    expect(
      decodeUsage({ prompt_tokens: 14, completion_tokens: 2, prompt_cache_hit_tokens: 8 }),
    ).toEqual({
      inputTokens: 14,
      outputTokens: 2,
      cachedInputTokens: 8,
    });
    expect(decodeUsage(null)).toEqual({});
  });

  it('encodes usage over the raw upstream object, keeping its other details', () => {
    expect(
      encodeUsage(
        { inputTokens: 10, outputTokens: 5, cachedInputTokens: 2 },
        {
          prompt_tokens: 1,
          completion_tokens: 1,
          total_tokens: 2,
          prompt_tokens_details: { audio_tokens: 0 },
          cost: 0.1,
        },
      ),
    ).toEqual({
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      prompt_tokens_details: { audio_tokens: 0, cached_tokens: 2 },
      cost: 0.1,
    });
  });
});
