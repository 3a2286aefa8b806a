/** Tests of the native Anthropic stream accumulator over the transcripts and edge cases. */
import { describe, expect, it } from 'vitest';
import {
  ANTHROPIC_SCENARIOS,
  parseSplit,
  scenarioBytes,
  scenarioExpected,
} from '../../../test/helpers/anthropic-messages-scenarios.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { createAnthropicStreamAccumulator } from './accumulate-stream.js';

const SEEDS = [1, 7, 42, 1234, 99_991];

describe('native Anthropic stream accumulation over the transcripts', () => {
  for (const scenario of ANTHROPIC_SCENARIOS) {
    it(`${scenario.name}: rebuilds the expected Message whatever the byte splits`, () => {
      const expected = scenarioExpected(scenario.name);
      const bytes = scenarioBytes(scenario.name);
      for (const seed of SEEDS) {
        const unknown: string[] = [];
        const accumulator = createAnthropicStreamAccumulator({
          onUnknownEvent: (type) => unknown.push(type),
        });
        for (const message of parseSplit(bytes, seed)) accumulator.push(message);
        const result = accumulator.result();
        expect(result.body).toEqual(expected);
        expect(result.complete).toBe(scenario.complete);
        expect(result.error?.code).toBe(scenario.errorCode);
        expect(unknown).toEqual(scenario.unknownEvents ?? []);
      }
    });
  }

  it('keeps the upstream error of an error event', () => {
    const accumulator = createAnthropicStreamAccumulator();
    for (const message of parseSplit(scenarioBytes('error-mid-stream'), 3)) {
      accumulator.push(message);
    }
    expect(accumulator.result().error).toEqual({
      code: 'upstream_overloaded',
      message: 'Overloaded',
      upstreamType: 'overloaded_error',
    });
  });

  it('reports a stream cut before message_stop as truncated, and the bad last event', () => {
    const warnings: ConversionWarning[] = [];
    const accumulator = createAnthropicStreamAccumulator({
      onWarning: (warning) => warnings.push(warning),
    });
    for (const message of parseSplit(scenarioBytes('truncated'), 5)) accumulator.push(message);
    expect(accumulator.result().error).toEqual(TRUNCATED_STREAM_ERROR);
    expect(warnings.map((warning) => warning.message)).toEqual([
      'Skipped an Anthropic stream event "content_block_delta" whose data is not a JSON object',
    ]);
  });
});

describe('native accumulation edge cases', () => {
  const event = (type: string, payload: Record<string, unknown> = {}) => ({
    event: type,
    data: JSON.stringify({ type, ...payload }),
  });

  it('keeps blocks by their wire index in order, however large the index', () => {
    // A list walked from 0 held the event loop for seconds on an index like this one.
    const far = 999_999_999;
    const accumulator = createAnthropicStreamAccumulator();
    for (const message of [
      event('message_start', {
        message: { id: 'm', type: 'message', role: 'assistant', model: 'c', content: [] },
      }),
      event('content_block_start', { index: far, content_block: { type: 'text', text: '' } }),
      event('content_block_start', { index: 3, content_block: { type: 'text', text: '' } }),
      event('content_block_delta', { index: far, delta: { type: 'text_delta', text: 'last' } }),
      event('content_block_delta', { index: 3, delta: { type: 'text_delta', text: 'first' } }),
      event('content_block_stop', { index: far }),
      event('content_block_stop', { index: 3 }),
      event('message_stop'),
    ]) {
      accumulator.push(message);
    }
    expect(accumulator.result().body.content).toEqual([
      { type: 'text', text: 'first' },
      { type: 'text', text: 'last' },
    ]);
  });

  it('synthesises the envelope when message_start is missing', () => {
    const accumulator = createAnthropicStreamAccumulator();
    accumulator.push(
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    );
    accumulator.push(
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'hi' } }),
    );
    accumulator.push(event('content_block_stop', { index: 0 }));
    accumulator.push(
      event('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 2 },
      }),
    );
    accumulator.push(event('message_stop'));
    expect(accumulator.result()).toEqual({
      body: {
        id: '',
        type: 'message',
        role: 'assistant',
        model: '',
        content: [{ type: 'text', text: 'hi' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 2 },
      },
      complete: true,
    });
  });

  it('sets (never appends) signatures and gives {} plus a warning for invalid tool JSON', () => {
    const warnings: ConversionWarning[] = [];
    const accumulator = createAnthropicStreamAccumulator({
      onWarning: (warning) => warnings.push(warning),
    });
    accumulator.push(
      event('message_start', {
        message: { id: 'msg_1', usage: { input_tokens: 1, output_tokens: 0 } },
      }),
    );
    accumulator.push(
      event('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
    );
    accumulator.push(
      event('content_block_delta', {
        index: 0,
        delta: { type: 'signature_delta', signature: 'first' },
      }),
    );
    accumulator.push(
      event('content_block_delta', {
        index: 0,
        delta: { type: 'signature_delta', signature: 'second' },
      }),
    );
    accumulator.push(event('content_block_stop', { index: 0 }));
    accumulator.push(
      event('content_block_start', {
        index: 1,
        content_block: { type: 'tool_use', id: 't', name: 'f', input: {} },
      }),
    );
    accumulator.push(
      event('content_block_delta', {
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"a":' },
      }),
    );
    accumulator.push(event('content_block_stop', { index: 1 }));
    accumulator.push(event('message_stop'));
    const body = accumulator.result().body;
    expect(body.content).toEqual([
      { type: 'thinking', thinking: '', signature: 'second' },
      { type: 'tool_use', id: 't', name: 'f', input: {} },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/Invalid JSON input/);
  });

  it('overwrites only the usage fields a message_delta sets', () => {
    const accumulator = createAnthropicStreamAccumulator();
    accumulator.push(
      event('message_start', {
        message: {
          id: 'm',
          usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 },
        },
      }),
    );
    accumulator.push(
      event('message_delta', {
        delta: { stop_reason: 'end_turn' },
        usage: { output_tokens: 9, cache_read_input_tokens: null, input_tokens: 11 },
      }),
    );
    accumulator.push(event('message_stop'));
    expect(accumulator.result().body.usage).toEqual({
      input_tokens: 11,
      cache_read_input_tokens: 5,
      output_tokens: 9,
    });
  });

  it('ignores what follows message_stop and returns copies', () => {
    const accumulator = createAnthropicStreamAccumulator();
    for (const message of parseSplit(scenarioBytes('text'), 11)) accumulator.push(message);
    const first = accumulator.result();
    accumulator.push(
      event('content_block_start', { index: 1, content_block: { type: 'text', text: 'late' } }),
    );
    (first.body.content as unknown[]).push('mutated');
    expect(accumulator.result().body).toEqual(scenarioExpected('text'));
  });
});
