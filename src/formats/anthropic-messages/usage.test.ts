/** Tests of Anthropic usage and stop-reason mapping. */
import { describe, expect, it } from 'vitest';
import { decodeStopReason, encodeStopReason } from './finish-reason.js';
import { decodeUsage, encodeUsage } from './usage.js';

describe('Anthropic usage', () => {
  it('adds cache reads and writes into the neutral input and subtracts them back', () => {
    const wire = {
      input_tokens: 12,
      cache_creation_input_tokens: 2051,
      cache_read_input_tokens: 18432,
      output_tokens: 87,
      output_tokens_details: { thinking_tokens: 40 },
      service_tier: 'standard',
      cache_creation: { ephemeral_5m_input_tokens: 2051, ephemeral_1h_input_tokens: 0 },
    };
    const decoded = decodeUsage(wire);
    expect(decoded).toEqual({
      usage: {
        inputTokens: 20495,
        outputTokens: 87,
        cachedInputTokens: 18432,
        cacheWriteInputTokens: 2051,
        reasoningTokens: 40,
      },
      extras: {
        service_tier: 'standard',
        cache_creation: { ephemeral_5m_input_tokens: 2051, ephemeral_1h_input_tokens: 0 },
      },
    });
    expect(encodeUsage(decoded.usage, decoded.extras)).toEqual(wire);
  });

  it('never reports negative input and always writes both cache counters', () => {
    expect(encodeUsage({ inputTokens: 5, cachedInputTokens: 9 })).toEqual({
      input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 9,
      output_tokens: 0,
    });
    expect(encodeUsage({})).toEqual({
      input_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 0,
    });
  });

  it('reads partial usage (message_delta) without inventing counters', () => {
    expect(decodeUsage({ output_tokens: 3 })).toEqual({
      usage: { outputTokens: 3 },
      extras: undefined,
    });
  });
});

describe('Anthropic stop reasons', () => {
  it('decodes every documented value', () => {
    expect(
      [
        'end_turn',
        'stop_sequence',
        'max_tokens',
        'tool_use',
        'refusal',
        'pause_turn',
        'model_context_window_exceeded',
        null,
        'new',
      ].map(decodeStopReason),
    ).toEqual([
      'stop',
      'stop',
      'length',
      'tool-calls',
      'refusal',
      'other',
      'length',
      'other',
      'other',
    ]);
  });

  it('encodes with tool calls and refusals taking precedence over a plain stop', () => {
    expect(encodeStopReason('stop')).toBe('end_turn');
    expect(encodeStopReason('stop', { stopSequence: 'X' })).toBe('stop_sequence');
    expect(encodeStopReason('other', { hasToolCalls: true })).toBe('tool_use');
    expect(encodeStopReason('stop', { hasRefusal: true })).toBe('refusal');
    expect(encodeStopReason('length', { hasToolCalls: true })).toBe('max_tokens');
    expect(encodeStopReason('content-filter')).toBe('refusal');
    expect(encodeStopReason('error')).toBe('end_turn');
  });
});
