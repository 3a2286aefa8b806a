/** Chat finish reasons in both directions. */
import { describe, expect, it } from 'vitest';
import { decodeFinishReason, encodeFinishReason } from './finish-reason.js';

describe('Chat finish reasons', () => {
  it('decodes every documented value and tolerates others', () => {
    expect(
      ['stop', 'length', 'tool_calls', 'content_filter', 'function_call', 'eos', null].map(
        decodeFinishReason,
      ),
    ).toEqual(['stop', 'length', 'tool-calls', 'content-filter', 'tool-calls', 'other', 'other']);
  });

  it('encodes neutral reasons, saying tool_calls when a normal end holds tool calls', () => {
    expect(encodeFinishReason('refusal', false)).toBe('stop');
    expect(encodeFinishReason('error', false)).toBe('stop');
    expect(encodeFinishReason('other', true)).toBe('tool_calls');
    expect(encodeFinishReason('stop', true)).toBe('tool_calls');
    expect(encodeFinishReason('length', true)).toBe('length');
    expect(encodeFinishReason('content-filter', false)).toBe('content_filter');
    expect(encodeFinishReason('tool-calls', false)).toBe('tool_calls');
  });
});
