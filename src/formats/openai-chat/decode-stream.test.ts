/** Chat stream decoding: transcript invariants (grammar, agreement with decodeResponse, re-encoding) and event-level cases. */
import { describe, expect, it, vi } from 'vitest';
import {
  expectHeadOnlyAgrees,
  stepwise as stepwiseEvents,
  withoutStartFields,
} from '../../../test/helpers/head-only.js';
import {
  CHAT_SCENARIOS,
  chatTestContext,
  loadChatExpected,
  loadChatStream,
  withoutMeta,
} from '../../../test/helpers/openai-chat-fixtures.js';
import { splitRandomly } from '../../../test/helpers/split.js';
import { accumulateEvents } from '../../ir/accumulate.js';
import { checkEvents } from '../../ir/check-events.js';
import type { IrEvent } from '../../ir/events.js';
import type { IrResponse } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { encodeSse } from '../../sse/encode.js';
import type { SseMessage } from '../../sse/message.js';
import { createSseParser, parseSse } from '../../sse/parse.js';
import { runStep } from '../../streams/step.js';
import { decodeChatResponse } from './decode-response.js';
import { createChatStreamDecoder } from './decode-stream.js';
import { createChatStreamEncoder } from './encode-stream.js';
import { hasUsage } from './usage.js';

function decode(messages: SseMessage[], warnings: ConversionWarning[] = []): IrEvent[] {
  return runStep(createChatStreamDecoder({ onWarning: (w) => warnings.push(w) }), messages);
}

function decodeBytes(bytes: Uint8Array, seed: number): IrEvent[] {
  const parser = createSseParser();
  const decoder = createChatStreamDecoder();
  const events: IrEvent[] = [];
  for (const chunk of splitRandomly(bytes, seed, 40)) {
    for (const message of parser.push(chunk)) events.push(...decoder.push(message));
  }
  for (const message of parser.end()) events.push(...decoder.push(message));
  events.push(...decoder.end());
  return events;
}

/** What the stream tells a client, compared across paths: parts, finish reason, usage, error. */
function essentials(response: IrResponse) {
  return {
    content: withoutMeta(response.content),
    finishReason: response.finishReason,
    usage: response.usage,
    error: response.error && { code: response.error.code, message: response.error.message },
  };
}

const data = (value: unknown): SseMessage => ({ data: JSON.stringify(value) });
const envelope = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: 9, model: 'm' };
const chunk = (delta: unknown, finish: string | null = null): SseMessage =>
  data({ ...envelope, choices: [{ index: 0, delta, finish_reason: finish }] });

describe('Chat stream decoder over the transcripts', () => {
  for (const scenario of CHAT_SCENARIOS) {
    describe(scenario.name, () => {
      const bytes = loadChatStream(scenario.name);
      const events = decode(parseSse(bytes));
      const response = accumulateEvents(events);

      it('emits a well-formed event stream, whatever the byte splits', () => {
        expect(checkEvents(events)).toEqual([]);
        for (const seed of [2, 99]) expect(decodeBytes(bytes, seed)).toEqual(events);
      });

      it('agrees with decodeResponse on the expected body', () => {
        const expected = decodeChatResponse(loadChatExpected(scenario.name)).value;
        if (scenario.complete) {
          expect(essentials(response)).toEqual(essentials(expected));
          expect(response.id).toBe(expected.id);
          expect(response.model).toBe(expected.model);
          expect(response.createdAt).toBe(expected.createdAt);
        } else {
          expect(withoutMeta(response.content)).toEqual(withoutMeta(expected.content));
          expect(response.status).toBe('failed');
          expect(response.error?.message).toBe(scenario.errorMessage);
        }
      });

      it('survives re-encoding with the Chat stream encoder', () => {
        const context = chatTestContext({ includeUsage: hasUsage(response.usage) });
        const text = encodeSse(runStep(createChatStreamEncoder(context), events));
        const again = accumulateEvents(decode(parseSse(text)));
        expect(essentials(again)).toEqual(essentials(response));
        expect(again.id).toBe(response.id);
        expect(again.meta).toEqual(response.meta);
      });
    });
  }

  it('reports the invalid JSON event and the second choice of unknown-fields', () => {
    const warnings: ConversionWarning[] = [];
    decode(parseSse(loadChatStream('unknown-fields')), warnings);
    expect(warnings.map((w) => w.message)).toEqual([
      'Skipped a Chat stream event that is not a JSON object',
      'Stream choices other than the first are ignored (saw choice 1)',
    ]);
  });

  it('ends a truncated transcript with the truncation error, blocks left open', () => {
    const events = decode(parseSse(loadChatStream('truncated')));
    expect(events.at(-1)).toEqual({ type: 'error', error: TRUNCATED_STREAM_ERROR });
    expect(events.at(-2)).toEqual({ type: 'text-delta', index: 0, delta: ' a' });
  });
});

describe('Chat stream decoder, event by event', () => {
  it('reads a field of the wrong type as absent without losing what is around it', () => {
    const warnings: ConversionWarning[] = [];
    const events = decode(
      [
        data({ ...envelope, created: 'soon', choices: [{ index: 0, delta: { content: 'Hi' } }] }),
        chunk({ content: 42, refusal: null, reasoning_content: 'think', tool_calls: 'none' }),
        chunk({ tool_calls: ['junk', { index: 0, id: 7, function: { name: 'f', arguments: 1 } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] }, 'tool_calls'),
        { data: '[DONE]' },
      ],
      warnings,
    );
    expect(events.map((event) => ({ ...event, meta: undefined }))).toEqual([
      { type: 'message-start', id: 'chatcmpl-x', model: 'm', meta: undefined },
      { type: 'text-start', index: 0, meta: undefined },
      { type: 'text-delta', index: 0, delta: 'Hi', meta: undefined },
      { type: 'text-end', index: 0, meta: undefined },
      { type: 'reasoning-start', index: 1, meta: undefined },
      { type: 'reasoning-delta', index: 1, delta: 'think', meta: undefined },
      { type: 'reasoning-end', index: 1, meta: undefined },
      {
        type: 'tool-call-start',
        index: 2,
        callId: 'call_0',
        name: 'f',
        kind: 'function',
        meta: undefined,
      },
      { type: 'tool-call-delta', index: 2, delta: '{}', meta: undefined },
      { type: 'tool-call-end', index: 2, meta: undefined },
      { type: 'message-end', finishReason: 'tool-calls', meta: undefined },
    ]);
    expect(warnings.map((warning) => warning.message)).toEqual([
      'A streamed tool call had no id; it was given "call_0"',
    ]);
  });

  it('keeps dense indices in order of first appearance when text and tool calls interleave', () => {
    const events = decode([
      chunk({ role: 'assistant', content: 'Hi' }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x"' } },
        ],
      }),
      chunk({ content: ' again' }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({}, 'tool_calls'),
      { data: '[DONE]' },
    ]);
    expect(checkEvents(events)).toEqual([]);
    expect(events).toEqual([
      { type: 'message-start', id: 'chatcmpl-x', model: 'm', createdAt: 9 },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Hi' },
      { type: 'text-end', index: 0 },
      { type: 'tool-call-start', index: 1, callId: 'call_a', name: 'f', kind: 'function' },
      { type: 'tool-call-delta', index: 1, delta: '{"x"' },
      { type: 'text-start', index: 2 },
      { type: 'text-delta', index: 2, delta: ' again' },
      { type: 'tool-call-delta', index: 1, delta: ':1}' },
      { type: 'text-end', index: 2 },
      { type: 'tool-call-end', index: 1 },
      { type: 'message-end', finishReason: 'tool-calls' },
    ]);
  });

  it('groups tool-call deltas by index, not by position in the array', () => {
    const response = accumulateEvents(
      decode([
        chunk({
          tool_calls: [
            { index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '' } },
            { index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '' } },
          ],
        }),
        chunk({
          tool_calls: [
            { index: 0, function: { arguments: '{"a":1}' } },
            { index: 1, function: { arguments: '{"b":2}' } },
          ],
        }),
        chunk({}, 'tool_calls'),
      ]),
    );
    expect(response.content).toEqual([
      { type: 'tool-call', callId: 'call_b', name: 'b', arguments: '{"b":2}', kind: 'function' },
      { type: 'tool-call', callId: 'call_a', name: 'a', arguments: '{"a":1}', kind: 'function' },
    ]);
  });

  it('tells calls apart by id when a server omits the index', () => {
    const call = (id: string | undefined, args: string, name?: string) =>
      chunk({
        tool_calls: [
          {
            ...(id ? { id, type: 'function' } : {}),
            function: { ...(name ? { name } : {}), arguments: args },
          },
        ],
      });
    const response = accumulateEvents(
      decode([
        call('call_1', '{"a":', 'a'),
        call('call_2', '{"b":2}', 'b'),
        call('call_1', '1'),
        call(undefined, '}'),
        chunk({}, 'tool_calls'),
      ]),
    );
    expect(
      response.content.map((part) => part.type === 'tool-call' && [part.callId, part.arguments]),
    ).toEqual([
      ['call_1', '{"a":1}'],
      ['call_2', '{"b":2}'],
    ]);
  });

  it('holds argument pieces until the name arrives, and names a nameless call at the end', () => {
    const warnings: ConversionWarning[] = [];
    const events = decode(
      [
        chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { arguments: '{"q"' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { name: 'search', arguments: ':"x"}' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
        chunk({}, 'tool_calls'),
      ],
      warnings,
    );
    expect(checkEvents(events)).toEqual([]);
    expect(accumulateEvents(events).content).toEqual([
      {
        type: 'tool-call',
        callId: 'call_a',
        name: 'search',
        arguments: '{"q":"x"}',
        kind: 'function',
      },
      { type: 'tool-call', callId: 'call_1', name: '', arguments: '{}', kind: 'function' },
    ]);
    expect(warnings.map((w) => w.message)).toEqual([
      'A streamed tool call never got a name',
      'A streamed tool call had no id; it was given "call_1"',
    ]);
  });

  it('decodes custom tool calls and legacy function calls', () => {
    const response = accumulateEvents(
      decode([
        chunk({
          tool_calls: [
            {
              index: 0,
              id: 'call_p',
              type: 'custom',
              custom: { name: 'apply_patch', input: '*** Be' },
            },
          ],
        }),
        chunk({ tool_calls: [{ index: 0, custom: { input: 'gin Patch' } }] }),
        chunk({ function_call: { name: 'lookup', arguments: '{"id":' } }),
        chunk({ function_call: { arguments: '7}' } }, 'function_call'),
      ]),
    );
    expect(response.content).toEqual([
      {
        type: 'tool-call',
        callId: 'call_p',
        name: 'apply_patch',
        arguments: '*** Begin Patch',
        kind: 'custom',
      },
      {
        type: 'tool-call',
        callId: 'call_legacy',
        name: 'lookup',
        arguments: '{"id":7}',
        kind: 'function',
        meta: { 'openai-chat': { legacy: true } },
      },
    ]);
    expect(response.finishReason).toBe('tool-calls');
    expect(response.meta).toEqual({ 'openai-chat': { finishReason: 'function_call' } });
  });

  it('reads `reasoning` as well as `reasoning_content`, and closes reasoning when text starts', () => {
    const events = decode([
      chunk({ role: 'assistant', reasoning: 'Let me', reasoning_content: null }),
      chunk({ reasoning: ' think.' }),
      chunk({ content: 'Done.' }),
      chunk({}, 'stop'),
    ]);
    expect(events.slice(1)).toEqual([
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, delta: 'Let me' },
      { type: 'reasoning-delta', index: 0, delta: ' think.' },
      { type: 'reasoning-end', index: 0 },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, delta: 'Done.' },
      { type: 'text-end', index: 1 },
      { type: 'message-end', finishReason: 'stop' },
    ]);
  });

  it('turns an error chunk into the last event, even before any content', () => {
    const decoder = createChatStreamDecoder();
    const events = decoder.push(
      data({
        error: {
          message: 'Overloaded',
          type: 'server_error',
          code: 'server_is_overloaded',
          param: null,
        },
      }),
    );
    expect(events).toEqual([
      { type: 'message-start' },
      {
        type: 'error',
        error: {
          code: 'upstream_overloaded',
          message: 'Overloaded',
          upstreamType: 'server_error',
          upstreamCode: 'server_is_overloaded',
        },
      },
    ]);
    expect(decoder.push(chunk({ content: 'late' }))).toEqual([]);
    expect(decoder.end()).toEqual([]);
  });

  it("reads vLLM's error body and an event named error as errors, and ignores a falsy error", () => {
    const vllm = decode([
      chunk({ content: 'a' }),
      data({
        object: 'error',
        message: 'Context length exceeded',
        type: 'BadRequestError',
        param: null,
        code: 400,
      }),
    ]);
    expect(vllm.at(-1)).toEqual({
      type: 'error',
      error: {
        code: 'upstream_error',
        message: 'Context length exceeded',
        upstreamType: 'BadRequestError',
        upstreamCode: '400',
      },
    });
    const named = decode([{ event: 'error', data: '{"message":"Overloaded"}' }]);
    expect(named.at(-1)).toEqual({
      type: 'error',
      error: { code: 'upstream_error', message: 'Overloaded' },
    });
    const falsy = decode([
      data({
        ...envelope,
        error: null,
        choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }],
      }),
    ]);
    expect(falsy.at(-1)).toEqual({ type: 'message-end', finishReason: 'stop' });
  });

  it('accepts a bare string error', () => {
    const events = decode([chunk({ content: 'a' }), data({ error: 'upstream exploded' })]);
    expect(events.at(-1)).toEqual({
      type: 'error',
      error: { code: 'upstream_error', message: 'upstream exploded' },
    });
  });

  it('ends at [DONE] without a finish_reason, with a warning', () => {
    const warnings: ConversionWarning[] = [];
    const events = decode([chunk({ content: 'ok' }), { data: '[DONE]' }], warnings);
    expect(events.at(-1)).toEqual({ type: 'message-end', finishReason: 'stop' });
    expect(warnings.map((w) => w.message)).toEqual([
      'The Chat stream ended without a finish_reason',
    ]);
  });

  it('folds in a usage chunk that follows the finish_reason', () => {
    const events = decode([
      chunk({ content: 'ok' }, 'stop'),
      data({
        ...envelope,
        choices: [],
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      }),
    ]);
    expect(events.slice(-3)).toEqual([
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } },
      { type: 'text-end', index: 0 },
      { type: 'message-end', finishReason: 'stop' },
    ]);
  });

  it('reads usage that a server puts inside the choice', () => {
    const events = decode([
      data({
        ...envelope,
        choices: [
          {
            index: 0,
            delta: { content: 'ok' },
            finish_reason: 'stop',
            usage: { prompt_tokens: 19, completion_tokens: 13, total_tokens: 32 },
          },
        ],
      }),
    ]);
    expect(accumulateEvents(events).usage).toEqual({
      inputTokens: 19,
      outputTokens: 13,
      totalTokens: 32,
    });
  });

  it('ends with message-start and the truncation error when the input is empty', () => {
    expect(decode([])).toEqual([
      { type: 'message-start' },
      { type: 'error', error: TRUNCATED_STREAM_ERROR },
    ]);
  });

  it('reads a whole `message` in place of a delta and keeps unknown finish reasons in meta', () => {
    const response = accumulateEvents(
      decode([
        data({
          ...envelope,
          choices: [
            { index: 0, message: { role: 'assistant', content: 'whole' }, finish_reason: 'eos' },
          ],
        }),
      ]),
    );
    expect(response.content).toEqual([{ type: 'text', text: 'whole' }]);
    expect(response.finishReason).toBe('other');
    expect(response.meta).toEqual({ 'openai-chat': { finishReason: 'eos' } });
  });

  it('reports payloads of another object type and skips them', () => {
    const unknown: string[] = [];
    const decoder = createChatStreamDecoder({ onUnknownEvent: (type) => unknown.push(type) });
    expect(decoder.push(data({ object: 'response.created', id: 'resp_1' }))).toEqual([]);
    expect(unknown).toEqual(['response.created']);
  });

  it('attaches late annotations to the text and keeps envelope extras in message-start meta', () => {
    const events = decode([
      data({
        ...envelope,
        service_tier: 'flex',
        system_fingerprint: null,
        choices: [{ index: 0, delta: { content: 'See x.' } }],
      }),
      chunk({
        annotations: [
          {
            type: 'url_citation',
            url_citation: { url: 'https://x.test', title: 'X', start_index: 4, end_index: 5 },
          },
        ],
      }),
      chunk({}, 'stop'),
    ]);
    expect(events[0]).toEqual({
      type: 'message-start',
      id: 'chatcmpl-x',
      model: 'm',
      createdAt: 9,
      meta: { 'openai-chat': { extra: { service_tier: 'flex', system_fingerprint: null } } },
    });
    expect(events).toContainEqual({
      type: 'text-annotation',
      index: 0,
      annotation: {
        type: 'url-citation',
        url: 'https://x.test',
        title: 'X',
        startIndex: 4,
        endIndex: 5,
      },
    });
  });

  it('reads each annotations delta as the whole list so far, relative to its text block', () => {
    const citation = (url: string, start: number, end: number) => ({
      type: 'url_citation',
      url_citation: { url, title: url, start_index: start, end_index: end },
    });
    const events = decode([
      chunk({ content: 'Alpha.' }),
      chunk({ annotations: [citation('a', 0, 6)] }),
      chunk({
        tool_calls: [
          { index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } },
        ],
      }),
      chunk({ content: 'Beta.' }),
      chunk({ annotations: [citation('a', 0, 6), citation('b', 6, 11)] }),
      chunk({}, 'stop'),
    ]);
    expect(checkEvents(events)).toEqual([]);
    expect(accumulateEvents(events).content).toEqual([
      {
        type: 'text',
        text: 'Alpha.',
        annotations: [{ type: 'url-citation', url: 'a', title: 'a', startIndex: 0, endIndex: 6 }],
      },
      { type: 'tool-call', callId: 'c', name: 'f', arguments: '{}', kind: 'function' },
      {
        type: 'text',
        text: 'Beta.',
        annotations: [{ type: 'url-citation', url: 'b', title: 'b', startIndex: 0, endIndex: 5 }],
      },
    ]);
  });

  it('turns stop into refusal when the turn streamed a refusal', () => {
    const response = accumulateEvents(decode([chunk({ refusal: 'No.' }), chunk({}, 'stop')]));
    expect(response.finishReason).toBe('refusal');
    expect(response.content).toEqual([{ type: 'refusal', text: 'No.' }]);
  });
});

describe('a head-only decoder (the pipeline\u2019s probe of a stream\u2019s head)', () => {
  const judged = withoutStartFields;
  const stepwise = (messages: SseMessage[], options: { headOnly?: boolean }) =>
    stepwiseEvents(createChatStreamDecoder, messages, options);
  const compact = (value: unknown): SseMessage => ({ data: JSON.stringify(value) });
  const role = {
    ...envelope,
    choices: [
      { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
    ],
    usage: null,
  };

  it('gives the events the full decoder gives, message by message, on every transcript cut anywhere', () => {
    const streams: Record<string, SseMessage[]> = {};
    for (const { name } of CHAT_SCENARIOS) streams[name] = parseSse(loadChatStream(name));
    expectHeadOnlyAgrees(createChatStreamDecoder, streams);
  });

  it('does not read the usual first chunk, but reads any other first chunk', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const events = stepwise([compact(role), compact({ ...role, choices: [] })], {
        headOnly: true,
      });
      expect(events[0]).toEqual([{ type: 'message-start' }]);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
    const choice = role.choices[0] as Record<string, unknown>;
    const others = [
      { ...role, choices: [{ ...choice, delta: { role: 'assistant', content: 'Hi' } }] },
      { ...role, choices: [{ ...choice, finish_reason: 'stop' }] },
      { ...role, usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 } },
      { ...role, error: { message: 'boom' } },
    ];
    for (const first of others) {
      const head = [compact(first)];
      expect(stepwise(head, { headOnly: true }).map(judged)).toEqual(
        stepwise(head, {}).map(judged),
      );
    }
  });
});
