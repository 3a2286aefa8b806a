import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseArbitrary } from '../../../test/helpers/ir-arbitraries.js';
import { run, testContext, withoutMeta } from '../../../test/helpers/openai-responses-kit.js';
import { onTheWire } from '../../../test/helpers/sse-wire.js';
import { accumulateEvents } from '../../ir/accumulate.js';
import { checkEvents } from '../../ir/check-events.js';
import type { IrEvent } from '../../ir/events.js';
import { unpackOpaque } from '../../ir/opaque.js';
import type { IrResponse } from '../../ir/response.js';
import { responseToEvents } from '../../ir/response-to-events.js';
import { encodeSse } from '../../sse/encode.js';
import type { SseMessage } from '../../sse/message.js';
import { parseSse } from '../../sse/parse.js';
import { createResponsesStreamDecoder } from './decode-stream.js';
import { createResponsesStreamEncoder } from './encode-stream.js';
import { PUBLIC_EVENT_TYPES } from './stream-event.js';

type Json = Record<string, unknown>;

function encode(events: IrEvent[], context = testContext()): Json[] {
  return onTheWire(run(createResponsesStreamEncoder(context), events)).map(
    (message: SseMessage) => {
      const data = JSON.parse(message.data) as Json;
      expect(message.event).toBe(data.type);
      return data;
    },
  );
}

function lastResponse(events: Json[]): Json {
  return (events[events.length - 1]?.response ?? {}) as Json;
}

const start: IrEvent = { type: 'message-start', id: 'msg_01Anthropic', model: 'claude-sonnet-4-6' };

/**
 * What a Responses round trip keeps of an IR response, stated explicitly:
 * - `createdAt` comes from the context when the IR has none;
 * - a completed response's finish reason is `tool-calls` exactly when it holds tool calls
 *   (Responses has no finish reason; `refusal` and `stop` are both "completed");
 * - usage is always complete (zeros filled in, total computed);
 * - url citations get the indices Responses requires (0 when unknown);
 * - a reasoning part gets an item id, and keeps either its encrypted content or its
 *   signature (packed), not both: Responses has one opaque field.
 */
function normalise(response: IrResponse, context: { createdAt: number }): IrResponse {
  const hasToolCalls = response.content.some((part) => part.type === 'tool-call');
  const usage = response.usage;
  return {
    ...response,
    createdAt: response.createdAt ?? context.createdAt,
    finishReason:
      response.status === 'completed'
        ? hasToolCalls
          ? 'tool-calls'
          : 'stop'
        : response.finishReason,
    usage: {
      inputTokens: usage.inputTokens ?? 0,
      outputTokens: usage.outputTokens ?? 0,
      cachedInputTokens: usage.cachedInputTokens ?? 0,
      reasoningTokens: usage.reasoningTokens ?? 0,
      totalTokens: (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0),
    },
    content: response.content.map((part) => {
      if (part.type === 'text' && part.annotations) {
        return {
          ...part,
          annotations: part.annotations.map((annotation) =>
            annotation.type === 'url-citation'
              ? {
                  ...annotation,
                  startIndex: annotation.startIndex ?? 0,
                  endIndex: annotation.endIndex ?? 0,
                }
              : annotation,
          ),
        };
      }
      if (part.type !== 'reasoning') return part;
      const { signature, ...rest } = part;
      return {
        ...rest,
        id: part.id ?? 'generated',
        ...(part.encryptedContent === undefined && signature !== undefined ? { signature } : {}),
      };
    }),
  };
}

function generatedIds(response: IrResponse): IrResponse {
  return {
    ...response,
    content: response.content.map((part) =>
      part.type === 'reasoning' && part.id?.startsWith('rs_test_')
        ? { ...part, id: 'generated' }
        : part,
    ),
  };
}

describe('Responses stream encoder', () => {
  it('writes the documented event sequence with consecutive sequence numbers', () => {
    const events = encode([
      start,
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Hi' },
      { type: 'text-end', index: 0 },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 1 } },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const completed = events.at(-1)?.response as Json;
    expect(completed).toMatchObject({
      id: 'resp_test_1',
      object: 'response',
      created_at: 1767300000,
      model: 'claude-sonnet-4-6',
      status: 'completed',
      error: null,
      incomplete_details: null,
      usage: {
        input_tokens: 5,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 1,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 6,
      },
      output: [
        {
          id: 'msg_test_2',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Hi' }],
        },
      ],
    });
    const delta = events[4];
    expect(delta).toEqual({
      type: 'response.output_text.delta',
      sequence_number: 4,
      item_id: 'msg_test_2',
      output_index: 0,
      content_index: 0,
      delta: 'Hi',
      logprobs: [],
    });
  });

  it('shows the context model and echoes the client request in the envelope', () => {
    const context = testContext({
      model: 'gpt-5-via-proxy',
      request: {
        model: 'gpt-5-via-proxy',
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [],
        tools: [{ kind: 'function', name: 'lookup', parameters: { type: 'object' } }],
        toolChoice: { type: 'required' },
        temperature: 0.2,
        stream: true,
      },
    });
    const created = encode([start], context)[0]?.response as Json;
    expect(created).toMatchObject({
      model: 'gpt-5-via-proxy',
      status: 'in_progress',
      instructions: 'Be brief.',
      tool_choice: 'required',
      temperature: 0.2,
      tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' }, strict: false }],
      output: [],
      usage: null,
    });
  });

  it('buffers a block that starts while another item is open', () => {
    const events = encode([
      start,
      { type: 'text-start', index: 0 },
      { type: 'tool-call-start', index: 1, callId: 'call_a', name: 'f', kind: 'function' },
      { type: 'text-delta', index: 0, delta: 'Hel' },
      { type: 'tool-call-delta', index: 1, delta: '{"a"' },
      { type: 'tool-call-start', index: 2, callId: 'call_b', name: 'g', kind: 'function' },
      { type: 'text-delta', index: 0, delta: 'lo' },
      { type: 'tool-call-delta', index: 1, delta: ':1}' },
      { type: 'tool-call-end', index: 1 },
      { type: 'text-end', index: 0 },
      { type: 'tool-call-delta', index: 2, delta: '{}' },
      { type: 'tool-call-end', index: 2 },
      { type: 'message-end', finishReason: 'tool-calls' },
    ]);
    const indices = events
      .filter((event) => 'output_index' in event)
      .map(
        (event) => `${String(event.type).replace('response.', '')}@${String(event.output_index)}`,
      );
    expect(indices).toEqual([
      'output_item.added@0',
      'content_part.added@0',
      'output_text.delta@0',
      'output_text.delta@0',
      'output_text.done@0',
      'content_part.done@0',
      'output_item.done@0',
      'output_item.added@1',
      'function_call_arguments.delta@1',
      'function_call_arguments.delta@1',
      'function_call_arguments.done@1',
      'output_item.done@1',
      'output_item.added@2',
      'function_call_arguments.delta@2',
      'function_call_arguments.done@2',
      'output_item.done@2',
    ]);
    const output = lastResponse(events).output as Json[];
    expect(output.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call']);
    expect(output[1]).toMatchObject({
      call_id: 'call_a',
      arguments: '{"a":1}',
      status: 'completed',
    });
  });

  it('keeps consecutive text blocks in one message and writes annotations after the text', () => {
    const events = encode([
      start,
      { type: 'text-start', index: 0 },
      {
        type: 'text-annotation',
        index: 0,
        annotation: {
          type: 'url-citation',
          url: 'https://noaa.gov',
          title: 'NOAA',
          citedText: 'tides',
        },
      },
      { type: 'text-delta', index: 0, delta: 'Tides' },
      { type: 'text-end', index: 0 },
      { type: 'refusal-start', index: 1 },
      { type: 'refusal-delta', index: 1, delta: 'No.' },
      { type: 'refusal-end', index: 1 },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    const types = events.map((event) => event.type);
    expect(types.indexOf('response.output_text.annotation.added')).toBeGreaterThan(
      types.indexOf('response.output_text.delta'),
    );
    const output = lastResponse(events).output as Json[];
    expect(output).toHaveLength(1);
    expect(output[0]?.content).toEqual([
      {
        type: 'output_text',
        annotations: [
          {
            type: 'url_citation',
            url: 'https://noaa.gov',
            title: 'NOAA',
            start_index: 0,
            end_index: 0,
          },
        ],
        logprobs: [],
        text: 'Tides',
      },
      { type: 'refusal', refusal: 'No.' },
    ]);
  });

  it('packs an Anthropic signature into encrypted_content', () => {
    const events = encode([
      start,
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, delta: 'Thinking.' },
      { type: 'reasoning-end', index: 0, signature: 'sig-EqQBCkgIAxAC' },
      { type: 'reasoning-start', index: 1 },
      { type: 'reasoning-end', index: 1, redactedData: 'EmwKAhgBEgy3va3p' },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    const output = lastResponse(events).output as Json[];
    expect(output[0]).toMatchObject({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Thinking.' }],
    });
    expect(unpackOpaque(String(output[0]?.encrypted_content))).toEqual({
      signature: 'sig-EqQBCkgIAxAC',
    });
    expect(output[1]).toMatchObject({ type: 'reasoning', summary: [] });
    expect(unpackOpaque(String(output[1]?.encrypted_content))).toEqual({
      redactedData: 'EmwKAhgBEgy3va3p',
    });
  });

  it('ends an IR error with an error event and response.failed holding the output so far', () => {
    const events = encode([
      start,
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'partial' },
      {
        type: 'error',
        error: {
          code: 'upstream_overloaded',
          message: 'Overloaded',
          upstreamType: 'overloaded_error',
        },
      },
      { type: 'text-delta', index: 0, delta: 'ignored' },
    ]);
    const types = events.map((event) => event.type);
    expect(types.slice(-3)).toEqual(['response.output_item.done', 'error', 'response.failed']);
    expect(events.at(-2)).toMatchObject({
      type: 'error',
      code: 'overloaded_error',
      message: 'Overloaded',
      param: null,
      error: {
        type: 'overloaded_error',
        code: 'overloaded_error',
        message: 'Overloaded',
        param: null,
      },
    });
    expect(events.at(-1)?.response).toMatchObject({
      status: 'failed',
      error: { code: 'overloaded_error', message: 'Overloaded' },
      output: [{ type: 'message', status: 'incomplete', content: [{ text: 'partial' }] }],
    });
  });

  it('ends properly when the IR stops without message-end', () => {
    const events = encode([
      start,
      { type: 'tool-call-start', index: 0, callId: 'call_1', name: 'f', kind: 'function' },
      { type: 'tool-call-delta', index: 0, delta: '{"x"' },
    ]);
    expect(events.slice(-4).map((event) => event.type)).toEqual([
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.incomplete',
    ]);
    expect(events.at(-1)?.response).toMatchObject({
      status: 'incomplete',
      output: [{ type: 'function_call', status: 'incomplete', arguments: '{"x"' }],
    });
  });

  it('writes created first even when the IR has no message-start, and nothing after the end', () => {
    const encoder = createResponsesStreamEncoder(testContext());
    const first = encoder.push({ type: 'text-start', index: 0 });
    expect(onTheWire(first).map((message) => message.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    encoder.push({ type: 'message-end', finishReason: 'stop' });
    expect(encoder.push({ type: 'text-delta', index: 0, delta: 'late' })).toEqual([]);
    expect(encoder.end()).toEqual([]);
  });

  it('drops another format opaque block with a warning, keeps its own', () => {
    const context = testContext();
    const own = { id: 'ws_1', type: 'web_search_call', status: 'completed' };
    const events = encode(
      [
        start,
        {
          type: 'opaque',
          index: 0,
          format: 'anthropic-messages',
          value: { type: 'server_tool_use' },
        },
        { type: 'opaque', index: 1, format: 'openai-responses', value: own },
        { type: 'message-end', finishReason: 'stop' },
      ],
      context,
    );
    expect(lastResponse(events).output).toEqual([own]);
    expect(context.warnings).toEqual([expect.objectContaining({ code: 'dropped' })]);
  });

  it('only ever writes event types openai-node knows', () => {
    fc.assert(
      fc.property(responseArbitrary, (response) => {
        for (const event of encode(responseToEvents(response))) {
          expect(PUBLIC_EVENT_TYPES.has(String(event.type))).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('round-trips any IR response through SSE text (modulo what Responses cannot express)', () => {
    fc.assert(
      fc.property(responseArbitrary, (response) => {
        const context = testContext();
        const text = encodeSse(
          run(createResponsesStreamEncoder(context), responseToEvents(response)),
        );
        const events = run(createResponsesStreamDecoder(), parseSse(text));
        expect(checkEvents(events)).toEqual([]);
        const back = generatedIds(withoutMeta(accumulateEvents(events)));
        expect(back).toEqual(normalise(response, context));
      }),
      { numRuns: 200 },
    );
  });
});
