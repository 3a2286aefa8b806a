/** Native reassembly of Chat streams: every transcript under random byte splits, and edge cases. */
import { describe, expect, it } from 'vitest';
import {
  CHAT_SCENARIOS,
  loadChatExpected,
  loadChatStream,
} from '../../../test/helpers/openai-chat-fixtures.js';
import { splitRandomly } from '../../../test/helpers/split.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { createSseParser, parseSse } from '../../sse/parse.js';
import { createChatStreamAccumulator } from './accumulate-stream.js';

function accumulateBytes(bytes: Uint8Array, seed: number) {
  const parser = createSseParser();
  const accumulator = createChatStreamAccumulator();
  for (const chunk of splitRandomly(bytes, seed, 48)) {
    for (const message of parser.push(chunk)) accumulator.push(message);
  }
  for (const message of parser.end()) accumulator.push(message);
  return accumulator.result();
}

function accumulate(messages: SseMessage[]) {
  const accumulator = createChatStreamAccumulator();
  for (const message of messages) accumulator.push(message);
  return accumulator.result();
}

const data = (value: unknown): SseMessage => ({ data: JSON.stringify(value) });

describe('Chat native accumulator over the transcripts', () => {
  for (const scenario of CHAT_SCENARIOS) {
    it(`rebuilds ${scenario.name} under random splits`, () => {
      const bytes = loadChatStream(scenario.name);
      const expected = loadChatExpected(scenario.name);
      for (const seed of [1, 7, 42, 1234]) {
        const result = accumulateBytes(bytes, seed);
        expect(result.body).toEqual(expected);
        expect(result.complete).toBe(scenario.complete);
        expect(result.error?.message).toBe(scenario.errorMessage);
      }
    });
  }

  it('never copies obfuscation, prompt_filter_results or unknown delta fields', () => {
    for (const name of ['text', 'azure-text', 'unknown-fields']) {
      const text = JSON.stringify(accumulateBytes(loadChatStream(name), 3).body);
      expect(text).not.toContain('obfuscation');
      expect(text).not.toContain('prompt_filter_results');
      expect(text).not.toContain('x_score');
      expect(text).not.toContain('native_finish_reason');
    }
  });

  it('reports an invalid JSON event through onWarning and keeps going', () => {
    const warnings: string[] = [];
    const accumulator = createChatStreamAccumulator({
      onWarning: (warning) => warnings.push(warning.message),
    });
    for (const message of parseSse(loadChatStream('unknown-fields'))) accumulator.push(message);
    expect(warnings).toEqual(['Skipped a Chat stream event that is not a JSON object']);
    expect(accumulator.result().complete).toBe(true);
  });
});

describe('Chat native accumulator, edge cases', () => {
  const envelope = { id: 'chatcmpl-a', object: 'chat.completion.chunk', created: 5, model: 'm' };

  it('gives a valid body with one empty choice when nothing arrived', () => {
    const result = accumulate([]);
    expect(result).toEqual({
      body: {
        id: '',
        object: 'chat.completion',
        created: 0,
        model: '',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: null, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
      },
      complete: false,
      error: TRUNCATED_STREAM_ERROR,
    });
  });

  it('treats [DONE] without a finish_reason as complete and fills tool_calls', () => {
    const result = accumulate([
      data({
        ...envelope,
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '{}' } }],
            },
          },
        ],
      }),
      { data: '[DONE]' },
    ]);
    expect(result.complete).toBe(true);
    expect(result.error).toBeUndefined();
    expect(result.body.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } },
          ],
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('rebuilds custom tool calls, legacy function calls, `reasoning` and logprobs', () => {
    const token = { token: 'x', logprob: -0.1, bytes: [120], top_logprobs: [] };
    const result = accumulate([
      data({
        ...envelope,
        choices: [
          {
            index: 0,
            delta: {
              role: 'assistant',
              reasoning: 'think',
              tool_calls: [
                { index: 0, id: 'call_p', type: 'custom', custom: { name: 'apply_patch' } },
              ],
            },
            logprobs: { content: [token], refusal: null },
          },
        ],
      }),
      data({
        ...envelope,
        choices: [
          {
            index: 0,
            delta: {
              reasoning: 'ing',
              tool_calls: [{ index: 0, custom: { input: '*** Begin' } }],
              function_call: { name: 'legacy', arguments: '{"a"' },
            },
            logprobs: { content: [token] },
          },
        ],
      }),
      data({
        ...envelope,
        choices: [
          { index: 0, delta: { function_call: { arguments: ':1}' } }, finish_reason: 'stop' },
        ],
      }),
    ]);
    expect(result.complete).toBe(true);
    expect(result.body.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          reasoning: 'thinking',
          tool_calls: [
            { id: 'call_p', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin' } },
          ],
          function_call: { name: 'legacy', arguments: '{"a":1}' },
        },
        logprobs: { content: [token, token], refusal: null },
        finish_reason: 'stop',
      },
    ]);
  });

  it('rebuilds index-less tool calls (Moonshot) and reads usage inside the choice', () => {
    const piece = (call: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      data({ ...envelope, choices: [{ index: 0, delta: { tool_calls: [call] }, ...extra }] });
    const result = accumulate([
      piece({ id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":' } }),
      piece({ function: { arguments: '1}' } }),
      piece({ id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } }),
      piece(
        { index: null, function: { arguments: '' } },
        {
          finish_reason: 'tool_calls',
          usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
        },
      ),
    ]);
    expect(result.body.usage).toEqual({ prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 });
    expect(result.body.choices).toMatchObject([
      {
        message: {
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
            { id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('ignores everything after an error chunk and after [DONE]', () => {
    const after = data({ ...envelope, choices: [{ index: 0, delta: { content: 'late' } }] });
    const failed = accumulate([
      data({ ...envelope, choices: [{ index: 0, delta: { content: 'so far' } }] }),
      data({
        error: {
          message: 'Rate limit reached',
          type: 'rate_limit_error',
          code: 'rate_limit_exceeded',
        },
      }),
      after,
    ]);
    expect(failed.complete).toBe(false);
    expect(failed.error).toEqual({
      code: 'upstream_rate_limited',
      message: 'Rate limit reached',
      upstreamType: 'rate_limit_error',
      upstreamCode: 'rate_limit_exceeded',
    });
    expect(failed.body.choices).toMatchObject([{ message: { content: 'so far' } }]);
    const done = accumulate([
      data({
        ...envelope,
        choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }],
      }),
      { data: '[DONE]' },
      after,
    ]);
    expect(done.body.choices).toMatchObject([{ message: { content: 'a' } }]);
  });

  it('reports payloads of another object type and skips them', () => {
    const unknown: string[] = [];
    const accumulator = createChatStreamAccumulator({
      onUnknownEvent: (type) => unknown.push(type),
    });
    accumulator.push(data({ object: 'chat.completion.progress.x', id: 'z' }));
    accumulator.push(data({ object: 'response.created', id: 'resp_1' }));
    expect(unknown).toEqual(['response.created']);
    expect(accumulator.result().body.id).toBe('z');
  });
});
