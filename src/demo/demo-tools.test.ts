import { describe, expect, it } from 'vitest';
import { chooseToolCall, rewriteToolCall, sampleForSchema } from './demo-tools.js';

describe('demo tool calls', () => {
  it('samples values valid for a schema', () => {
    expect(
      sampleForSchema({
        type: 'object',
        properties: {
          command: { type: 'array', items: { type: 'string' } },
          mode: { type: 'string', enum: ['fast', 'slow'] },
          count: { type: 'integer', minimum: 3 },
          optional: { type: 'string' },
          nested: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
        },
        required: ['command', 'mode', 'count', 'nested'],
      }),
    ).toEqual({ command: ['demo'], mode: 'fast', count: 3, nested: { ok: true } });
  });

  it('calls only a declared tool, and not once the conversation ends in a tool result', () => {
    const tools = [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }];
    expect(chooseToolCall('responses', { input: 'hi' })).toBeUndefined();
    expect(chooseToolCall('responses', { input: 'hi', tools })).toEqual({
      name: 'lookup',
      input: {},
    });
    expect(
      chooseToolCall('responses', {
        tools,
        input: [
          { role: 'user', content: 'hi' },
          { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{}' },
          { type: 'function_call_output', call_id: 'c1', output: 'done' },
        ],
      }),
    ).toBeUndefined();
    expect(
      chooseToolCall('messages', {
        tools: [
          { name: 'web', type: 'web_search_20250305' },
          { name: 'get', input_schema: {} },
        ],
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).toMatchObject({ name: 'get' });
    expect(
      chooseToolCall('messages', {
        tools: [{ name: 'get', input_schema: {} }],
        messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't' }] }],
      }),
    ).toBeUndefined();
    expect(
      chooseToolCall('chat', {
        tools: [{ type: 'function', function: { name: 'f' } }],
        messages: [{ role: 'tool', tool_call_id: 'x', content: 'r' }],
      }),
    ).toBeUndefined();
  });

  it('rewrites a recorded chat stream to the chosen call, arguments in one delta', () => {
    const chunk = (delta: unknown) =>
      `data: ${JSON.stringify({ choices: [{ index: 0, delta }] })}\n\n`;
    const recorded = [
      chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'old', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }),
      'data: [DONE]\n\n',
    ].join('');
    const rewritten = rewriteToolCall('chat', 'sse', recorded, { name: 'new', input: { a: 1 } });
    expect(rewritten).toBe(
      `${chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'new', arguments: '{"a":1}' } }] })}data: [DONE]\n\n`,
    );
  });
});
