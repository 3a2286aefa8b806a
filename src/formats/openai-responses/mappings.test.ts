import { describe, expect, it } from 'vitest';
import {
  decodeFinishReason,
  decodeStatus,
  encodeFinishReason,
  endingLosses,
} from './finish-reason.js';
import { decodeUsage, encodeUsage, readUsageExtras } from './usage.js';

describe('Responses usage', () => {
  it('maps counts one to one (input includes cached, output includes reasoning)', () => {
    const wire = {
      input_tokens: 2259,
      input_tokens_details: { cached_tokens: 2176, cache_write_tokens: 12 },
      output_tokens: 187,
      output_tokens_details: { reasoning_tokens: 64 },
      total_tokens: 2446,
    };
    const usage = decodeUsage(wire);
    expect(usage).toEqual({
      inputTokens: 2259,
      cachedInputTokens: 2176,
      cacheWriteInputTokens: 12,
      outputTokens: 187,
      reasoningTokens: 64,
      totalTokens: 2446,
    });
    expect(encodeUsage(usage)).toEqual(wire);
  });

  it('fills what is unknown and keeps fields it does not model', () => {
    expect(encodeUsage({ inputTokens: 3 })).toEqual({
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 0,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 3,
    });
    const wire = {
      input_tokens: 1,
      output_tokens: 2,
      total_tokens: 3,
      output_tokens_details: { reasoning_tokens: 0, audio_tokens: 4 },
      premium: true,
    };
    const extras = readUsageExtras(wire);
    expect(extras).toEqual({ rest: { premium: true }, output: { audio_tokens: 4 } });
    expect(encodeUsage(decodeUsage(wire), extras)).toMatchObject({
      premium: true,
      output_tokens_details: { audio_tokens: 4, reasoning_tokens: 0 },
    });
    expect(decodeUsage(null)).toEqual({});
  });
});

describe('Responses finish reasons', () => {
  it('decodes status, incomplete reason and tool calls', () => {
    expect(decodeFinishReason({ status: 'completed', hasToolCalls: false })).toBe('stop');
    expect(decodeFinishReason({ status: 'completed', hasToolCalls: true })).toBe('tool-calls');
    expect(
      decodeFinishReason({
        status: 'incomplete',
        incompleteReason: 'max_output_tokens',
        hasToolCalls: false,
      }),
    ).toBe('length');
    expect(
      decodeFinishReason({
        status: 'incomplete',
        incompleteReason: 'content_filter',
        hasToolCalls: true,
      }),
    ).toBe('content-filter');
    expect(decodeFinishReason({ status: 'failed', hasToolCalls: false })).toBe('error');
    expect(decodeFinishReason({ status: 'cancelled', hasToolCalls: false })).toBe('other');
    expect(decodeStatus('queued')).toBe('incomplete');
  });

  it('encodes every IR finish reason', () => {
    expect(encodeFinishReason('stop', 'completed')).toEqual({
      status: 'completed',
      incomplete_details: null,
    });
    expect(encodeFinishReason('refusal', 'completed')).toEqual({
      status: 'completed',
      incomplete_details: null,
    });
    expect(encodeFinishReason('length', 'incomplete')).toEqual({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    expect(encodeFinishReason('content-filter', 'incomplete')).toEqual({
      status: 'incomplete',
      incomplete_details: { reason: 'content_filter' },
    });
    expect(encodeFinishReason('error', 'failed')).toEqual({
      status: 'failed',
      incomplete_details: null,
    });
    expect(encodeFinishReason('other', 'incomplete')).toEqual({
      status: 'incomplete',
      incomplete_details: null,
    });
  });

  it('reports what a Responses body cannot say about an ending', () => {
    expect(endingLosses('stop', undefined)).toEqual([]);
    expect(endingLosses('stop', '\n\nHuman:').map((warning) => warning.path)).toEqual([
      'stopSequence',
    ]);
    expect(endingLosses('refusal', undefined)).toEqual([
      expect.objectContaining({ code: 'lossy', path: 'finishReason' }),
    ]);
  });
});
