/** Chat stream encoding: exact chunks, usage, tool-call numbering, reasoning, citations, errors and early ends. */
import { describe, expect, it } from 'vitest';
import { chatTestContext } from '../../../test/helpers/openai-chat-fixtures.js';
import { onTheWire } from '../../../test/helpers/sse-wire.js';
import type { IrEvent } from '../../ir/events.js';
import { packOpaque } from '../../ir/opaque.js';
import { encodeSse } from '../../sse/encode.js';
import { runStep } from '../../streams/step.js';
import { createChatStreamEncoder } from './encode-stream.js';

type Context = ReturnType<typeof chatTestContext>;

function encode(events: IrEvent[], context: Context = chatTestContext()) {
  return onTheWire(runStep(createChatStreamEncoder(context), events)).map(
    (message) => message.data,
  );
}

/** The parsed chunks (without `[DONE]`). */
function chunks(events: IrEvent[], context?: Context): Array<Record<string, unknown>> {
  const lines = encode(events, context);
  expect(lines.at(-1)).toBe('[DONE]');
  return lines.slice(0, -1).map((line) => JSON.parse(line));
}

function deltas(events: IrEvent[], context?: Context): unknown[] {
  return chunks(events, context).map((chunk) => {
    const choice = (chunk.choices as Array<Record<string, unknown>>)[0];
    return choice === undefined
      ? { usage: chunk.usage }
      : { ...(choice.delta as object), finish: choice.finish_reason };
  });
}

const start: IrEvent = {
  type: 'message-start',
  id: 'chatcmpl-abc',
  model: 'gpt-x',
  createdAt: 1767000000,
};

describe('Chat stream encoder', () => {
  it('writes data-only chunks with one id, created and model, a finish chunk and [DONE]', () => {
    const context = chatTestContext();
    const messages = onTheWire(
      runStep(createChatStreamEncoder(context), [
        start,
        { type: 'text-start', index: 0 },
        { type: 'text-delta', index: 0, delta: 'Hel' },
        { type: 'text-delta', index: 0, delta: 'lo' },
        { type: 'text-end', index: 0 },
        { type: 'usage', usage: { inputTokens: 5, outputTokens: 2 } },
        { type: 'message-end', finishReason: 'stop' },
      ]),
    );
    expect(messages.every((message) => message.event === undefined)).toBe(true);
    expect(encodeSse(messages)).toBe(
      [
        'data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1767000000,"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}',
        'data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1767000000,"model":"gpt-x","choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}]}',
        'data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1767000000,"model":"gpt-x","choices":[{"index":0,"delta":{"content":"lo"},"logprobs":null,"finish_reason":null}]}',
        'data: {"id":"chatcmpl-abc","object":"chat.completion.chunk","created":1767000000,"model":"gpt-x","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}',
        'data: [DONE]',
      ]
        .map((line) => `${line}\n\n`)
        .join(''),
    );
    expect(context.warnings).toEqual([]);
  });

  it('adds usage: null to every chunk and a usage chunk when the client asked for it', () => {
    const all = chunks(
      [
        start,
        { type: 'text-start', index: 0 },
        { type: 'text-delta', index: 0, delta: 'x' },
        { type: 'text-end', index: 0 },
        { type: 'usage', usage: { inputTokens: 10, cachedInputTokens: 4 } },
        { type: 'usage', usage: { outputTokens: 3, reasoningTokens: 1 } },
        { type: 'message-end', finishReason: 'length' },
      ],
      chatTestContext({ includeUsage: true }),
    );
    expect(all.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(all.at(-2)?.choices).toEqual([
      { index: 0, delta: {}, logprobs: null, finish_reason: 'length' },
    ]);
    expect(all.at(-1)).toEqual({
      id: 'chatcmpl-abc',
      object: 'chat.completion.chunk',
      created: 1767000000,
      model: 'gpt-x',
      choices: [],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 3,
        total_tokens: 13,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 1 },
      },
    });
  });

  it('numbers tool calls densely in block order and ends with tool_calls even after stop', () => {
    expect(
      deltas([
        start,
        { type: 'text-start', index: 0 },
        { type: 'text-delta', index: 0, delta: 'Checking.' },
        { type: 'text-end', index: 0 },
        { type: 'tool-call-start', index: 1, callId: 'call_a', name: 'weather', kind: 'function' },
        {
          type: 'tool-call-start',
          index: 2,
          callId: 'call_b',
          name: 'apply_patch',
          kind: 'custom',
        },
        { type: 'tool-call-delta', index: 1, delta: '{"city":"Oslo"}' },
        { type: 'tool-call-delta', index: 2, delta: '*** Begin Patch' },
        { type: 'tool-call-delta', index: 1, delta: '' },
        { type: 'tool-call-end', index: 1 },
        { type: 'tool-call-end', index: 2 },
        { type: 'message-end', finishReason: 'stop' },
      ]),
    ).toEqual([
      { role: 'assistant', content: '', finish: null },
      { content: 'Checking.', finish: null },
      {
        tool_calls: [
          {
            index: 0,
            id: 'call_a',
            type: 'function',
            function: { name: 'weather', arguments: '' },
          },
        ],
        finish: null,
      },
      // A custom call goes out as a function call whose arguments wrap the raw text.
      {
        tool_calls: [
          {
            index: 1,
            id: 'call_b',
            type: 'function',
            function: { name: 'apply_patch', arguments: '{"input":"' },
          },
        ],
        finish: null,
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":"Oslo"}' } }], finish: null },
      { tool_calls: [{ index: 1, function: { arguments: '*** Begin Patch' } }], finish: null },
      { tool_calls: [{ index: 1, function: { arguments: '"}' } }], finish: null },
      { finish: 'tool_calls' },
    ]);
  });

  it('writes reasoning as reasoning_content, a blank line between blocks, signatures packed', () => {
    const context = chatTestContext();
    expect(
      deltas(
        [
          start,
          { type: 'reasoning-start', index: 0 },
          { type: 'reasoning-delta', index: 0, delta: 'First.' },
          { type: 'reasoning-end', index: 0, signature: 'sig' },
          { type: 'reasoning-start', index: 1 },
          { type: 'reasoning-delta', index: 1, delta: 'Second.' },
          { type: 'reasoning-end', index: 1 },
          { type: 'refusal-start', index: 2 },
          { type: 'refusal-delta', index: 2, delta: 'No.' },
          { type: 'refusal-end', index: 2 },
          {
            type: 'opaque',
            index: 3,
            format: 'anthropic-messages',
            value: { type: 'server_tool_use' },
          },
          { type: 'message-end', finishReason: 'refusal' },
        ],
        context,
      ),
    ).toEqual([
      { role: 'assistant', content: '', finish: null },
      { reasoning_content: 'First.', finish: null },
      { reasoning_content: '\n\nSecond.', finish: null },
      { refusal: 'No.', finish: null },
      {
        reasoning_opaque: packOpaque({
          reasoning: [{ text: 'First.', signature: 'sig' }, { text: 'Second.' }],
        }),
        finish: null,
      },
      { finish: 'stop' },
    ]);
    expect(context.warnings.map((w) => w.message)).toEqual([
      'A "anthropic-messages" block cannot be expressed in a Chat stream',
    ]);
  });

  it('sends citations in one annotations delta with indices in the joined content', () => {
    const all = deltas([
      start,
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Intro. ' },
      { type: 'text-end', index: 0 },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, delta: 'Cited.' },
      {
        type: 'text-annotation',
        index: 1,
        annotation: { type: 'url-citation', url: 'https://a.test', title: 'A' },
      },
      { type: 'text-end', index: 1 },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(all.at(-2)).toEqual({
      annotations: [
        {
          type: 'url_citation',
          url_citation: { url: 'https://a.test', title: 'A', start_index: 7, end_index: 13 },
        },
      ],
      finish: null,
    });
  });

  it('uses the context model, a fresh id and the context clock when the IR has none', () => {
    const [first] = chunks(
      [
        { type: 'message-start', model: 'upstream-model' },
        { type: 'message-end', finishReason: 'stop' },
      ],
      chatTestContext({ model: 'client-model' }),
    );
    expect(first).toMatchObject({
      id: 'chatcmpl-test1',
      created: 1767400000,
      model: 'client-model',
    });
  });

  it('repeats service_tier and system_fingerprint carried by message-start meta', () => {
    const [first] = chunks([
      {
        ...start,
        meta: { 'openai-chat': { extra: { service_tier: 'default', system_fingerprint: 'fp_1' } } },
      },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(first).toMatchObject({ service_tier: 'default', system_fingerprint: 'fp_1' });
  });

  it('writes an error chunk and [DONE] and nothing after', () => {
    const context = chatTestContext({ includeUsage: true });
    const encoder = createChatStreamEncoder(context);
    const out = onTheWire([
      ...encoder.push(start),
      ...encoder.push({ type: 'text-start', index: 0 }),
      ...encoder.push({ type: 'text-delta', index: 0, delta: 'part' }),
      ...encoder.push({
        type: 'error',
        error: {
          code: 'upstream_rate_limited',
          message: 'Slow down',
          upstreamType: 'rate_limit_error',
        },
      }),
    ]).map((message) => message.data);
    expect(out.slice(-2)).toEqual([
      '{"error":{"message":"Slow down","type":"rate_limit_error","param":null,"code":"rate_limit_error"}}',
      '[DONE]',
    ]);
    expect(encoder.push({ type: 'message-end', finishReason: 'stop' })).toEqual([]);
    expect(encoder.end()).toEqual([]);
  });

  it('finishes properly in end() when the events stop without message-end', () => {
    expect(
      deltas([
        start,
        { type: 'tool-call-start', index: 0, callId: 'call_a', name: 'f', kind: 'function' },
        { type: 'tool-call-delta', index: 0, delta: '{}' },
      ]),
    ).toEqual([
      { role: 'assistant', content: '', finish: null },
      {
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } },
        ],
        finish: null,
      },
      { tool_calls: [{ index: 0, function: { arguments: '{}' } }], finish: null },
      { finish: 'tool_calls' },
    ]);
    expect(deltas([])).toEqual([
      { role: 'assistant', content: '', finish: null },
      { finish: 'stop' },
    ]);
  });

  it('opens a tool call whose start is missing, so its arguments survive', () => {
    const all = deltas([
      start,
      { type: 'tool-call-delta', index: 4, delta: '{"a":1}' },
      { type: 'message-end', finishReason: 'tool-calls' },
    ]);
    expect(all.slice(1)).toEqual([
      {
        tool_calls: [
          { index: 0, id: 'call_test1', type: 'function', function: { name: '', arguments: '' } },
        ],
        finish: null,
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }], finish: null },
      { finish: 'tool_calls' },
    ]);
  });

  it('streams a legacy function call back as function_call with its own finish reason', () => {
    const all = deltas([
      start,
      {
        type: 'tool-call-start',
        index: 0,
        callId: 'call_legacy',
        name: 'lookup',
        kind: 'function',
        meta: { 'openai-chat': { legacy: true } },
      },
      { type: 'tool-call-delta', index: 0, delta: '{"id":7}' },
      { type: 'tool-call-end', index: 0 },
      {
        type: 'message-end',
        finishReason: 'tool-calls',
        meta: { 'openai-chat': { finishReason: 'function_call' } },
      },
    ]);
    expect(all.slice(1)).toEqual([
      { function_call: { name: 'lookup', arguments: '' }, finish: null },
      { function_call: { arguments: '{"id":7}' }, finish: null },
      { finish: 'function_call' },
    ]);
  });
});
