/** Tests of the Anthropic stream decoder: grammar, equality with the non-streaming decode, drift. */
import { describe, expect, it, vi } from 'vitest';
import {
  ANTHROPIC_SCENARIOS,
  parseSplit,
  scenarioBytes,
  scenarioExpected,
  withParsedArguments,
} from '../../../test/helpers/anthropic-messages-scenarios.js';
import {
  expectHeadOnlyAgrees,
  stepwise as stepwiseEvents,
} from '../../../test/helpers/head-only.js';
import { accumulateEvents } from '../../ir/accumulate.js';
import { checkEvents } from '../../ir/check-events.js';
import type { IrEvent } from '../../ir/events.js';
import { packOpaque } from '../../ir/opaque.js';
import type { IrResponse } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import type { SseMessage } from '../../sse/message.js';
import { runStep } from '../../streams/step.js';
import { decodeAnthropicResponse } from './decode-response.js';
import { createAnthropicStreamDecoder } from './decode-stream.js';

function decode(messages: SseMessage[]): IrEvent[] {
  return runStep(createAnthropicStreamDecoder(), messages);
}

function event(type: string, payload: Record<string, unknown> = {}): SseMessage {
  return { event: type, data: JSON.stringify({ type, ...payload }) };
}

describe('Anthropic stream decoder over the transcripts', () => {
  for (const scenario of ANTHROPIC_SCENARIOS) {
    it(`${scenario.name}: well-formed events that rebuild the expected response`, () => {
      const unknown: string[] = [];
      const events = runStep(
        createAnthropicStreamDecoder({ onUnknownEvent: (type) => unknown.push(type) }),
        parseSplit(scenarioBytes(scenario.name), 17),
      );
      expect(checkEvents(events)).toEqual([]);
      expect(unknown).toEqual(scenario.unknownEvents ?? []);
      const streamed = accumulateEvents(events);
      const expected = decodeAnthropicResponse(scenarioExpected(scenario.name)).value;
      if (scenario.complete) {
        // Everything, meta included, except JSON spacing inside tool arguments.
        expect(withParsedArguments(streamed)).toEqual(withParsedArguments(expected));
      } else {
        expect(streamed.status).toBe('failed');
        expect(streamed.error?.code).toBe(scenario.errorCode);
        const { content, usage } = withParsedArguments(streamed) as IrResponse;
        expect({ id: streamed.id, model: streamed.model, content, usage }).toEqual({
          id: expected.id,
          model: expected.model,
          content: (withParsedArguments(expected) as IrResponse).content,
          usage: expected.usage,
        });
      }
    });
  }

  it('is independent of where the bytes are cut', () => {
    for (const scenario of ANTHROPIC_SCENARIOS) {
      const bytes = scenarioBytes(scenario.name);
      const reference = decode(parseSplit(bytes, 1, 4096));
      for (const seed of [2, 3, 4]) expect(decode(parseSplit(bytes, seed, 7))).toEqual(reference);
    }
  });
});

describe('Anthropic stream decoder events', () => {
  it('reads a field of the wrong type as absent without losing what is around it', () => {
    const events = decode([
      event('message_start', { message: { id: 5, model: 'claude-x', content: [], usage: 'n/a' } }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: 3, id: 9 } }),
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hi' } }),
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: [] } }),
      event('content_block_stop', { index: 'zero' }),
      event('content_block_stop', { index: 0 }),
      event('message_delta', { delta: { stop_reason: 'end_turn' }, usage: 7 }),
      event('message_stop'),
    ]);
    expect(events).toEqual([
      { type: 'message-start', model: 'claude-x' },
      { type: 'text-start', index: 0, meta: { 'anthropic-messages': { extra: { id: 9 } } } },
      { type: 'text-delta', index: 0, delta: 'Hi' },
      { type: 'text-end', index: 0 },
      { type: 'message-end', finishReason: 'stop', meta: expect.any(Object) },
    ]);
  });

  it('streams tool input pieces (skipping the empty first one) and the usage snapshots', () => {
    expect(decode(parseSplit(scenarioBytes('tool-use'), 1))).toEqual([
      {
        type: 'message-start',
        id: 'msg_01Q7nVw3XkP2bRtZr8kYc4Hd',
        model: 'claude-sonnet-4-5-20250929',
        meta: expect.any(Object),
      },
      {
        type: 'usage',
        usage: {
          inputTokens: 412,
          outputTokens: 1,
          cachedInputTokens: 0,
          cacheWriteInputTokens: 0,
        },
      },
      {
        type: 'tool-call-start',
        index: 0,
        callId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
        kind: 'function',
        meta: { 'anthropic-messages': { extra: { caller: { type: 'direct' } } } },
      },
      { type: 'tool-call-delta', index: 0, delta: '{"location": "San Fra' },
      { type: 'tool-call-delta', index: 0, delta: 'ncisco, CA"' },
      { type: 'tool-call-delta', index: 0, delta: ', "unit": "fah' },
      { type: 'tool-call-delta', index: 0, delta: 'renheit"}' },
      { type: 'tool-call-end', index: 0 },
      {
        type: 'usage',
        usage: {
          inputTokens: 412,
          outputTokens: 72,
          cachedInputTokens: 0,
          cacheWriteInputTokens: 0,
        },
      },
      {
        type: 'message-end',
        finishReason: 'tool-calls',
        meta: { 'anthropic-messages': { stopReason: 'tool_use', usage: expect.any(Object) } },
      },
    ]);
  });

  it('gives a tool call without input pieces the arguments {}', () => {
    const events = decode(parseSplit(scenarioBytes('tool-no-args'), 1));
    expect(events.filter((item) => item.type === 'tool-call-delta')).toEqual([
      { type: 'tool-call-delta', index: 0, delta: '{}' },
    ]);
  });

  it('puts the signature (set by signature_delta) on reasoning-end', () => {
    const events = decode(parseSplit(scenarioBytes('thinking-text-tool'), 1));
    const end = events.find((item) => item.type === 'reasoning-end');
    expect(end).toMatchObject({
      type: 'reasoning-end',
      index: 0,
      signature: expect.stringMatching(/^EqQBCkgI/),
    });
    expect(events.filter((item) => item.type === 'reasoning-delta')).toHaveLength(3);
  });

  it('turns redacted_thinking into reasoning with redactedData', () => {
    const events = decode(parseSplit(scenarioBytes('redacted-thinking'), 1));
    expect(events.slice(2, 4)).toEqual([
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-end', index: 0, redactedData: expect.stringMatching(/^EmwKAhgB/) },
    ]);
  });

  it('emits server tool blocks whole at their stop, with the input assembled', () => {
    const events = decode(parseSplit(scenarioBytes('web-search-citations'), 1));
    const opaque = events.filter((item) => item.type === 'opaque');
    expect(opaque.map((item) => item.type === 'opaque' && item.index)).toEqual([1, 2]);
    expect(opaque[0]).toEqual({
      type: 'opaque',
      index: 1,
      format: 'anthropic-messages',
      value: {
        type: 'server_tool_use',
        id: 'srvtoolu_01Pq2Rs3Tu4Vw5Xy6Za7Bc8D',
        name: 'web_search',
        input: { query: 'Brest tide times today' },
      },
    });
    const annotation = events.find((item) => item.type === 'text-annotation');
    expect(annotation).toMatchObject({
      index: 4,
      annotation: {
        type: 'url-citation',
        url: 'https://maree.example.fr/brest',
        title: 'Marées Brest – horaires du jour',
        citedText: expect.stringMatching(/^Brest tides today/),
      },
    });
  });

  it('lets later message_delta usage win and adds cache tokens into inputTokens', () => {
    const usage = (name: string) =>
      accumulateEvents(decode(parseSplit(scenarioBytes(name), 1))).usage;
    expect(usage('message-delta-input-tokens')).toEqual({
      inputTokens: 61,
      outputTokens: 12,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
    });
    expect(usage('cache-usage')).toEqual({
      inputTokens: 12 + 2051 + 18432,
      outputTokens: 87,
      cachedInputTokens: 18432,
      cacheWriteInputTokens: 2051,
    });
    expect(usage('thinking-text-tool')).toMatchObject({ reasoningTokens: 57, outputTokens: 214 });
  });

  it('maps stop reasons, keeping the raw value and stop_details in meta', () => {
    const end = (name: string) => decode(parseSplit(scenarioBytes(name), 1)).at(-1);
    expect(end('refusal')).toEqual({
      type: 'message-end',
      finishReason: 'refusal',
      meta: {
        'anthropic-messages': {
          stopReason: 'refusal',
          usage: { cache_creation: expect.any(Object), service_tier: 'standard' },
          extra: {
            stop_details: {
              type: 'refusal',
              category: 'cyber',
              explanation: 'The request asks for working malware.',
            },
          },
        },
      },
    });
    expect(end('max-tokens')).toMatchObject({ finishReason: 'length' });
    expect(end('pause-turn')).toMatchObject({
      finishReason: 'other',
      meta: { 'anthropic-messages': { stopReason: 'pause_turn' } },
    });
  });

  it('ends with the upstream error after closing the open block', () => {
    const events = decode(parseSplit(scenarioBytes('error-mid-stream'), 1));
    expect(events.slice(-2)).toEqual([
      { type: 'text-end', index: 0 },
      {
        type: 'error',
        error: {
          code: 'upstream_overloaded',
          message: 'Overloaded',
          upstreamType: 'overloaded_error',
        },
      },
    ]);
  });

  it('maps the error types of stream error events', () => {
    const codeOf = (type: string) => {
      const events = decode([
        event('message_start', { message: {} }),
        event('error', { error: { type, message: 'x' } }),
      ]);
      const last = events.at(-1);
      return last?.type === 'error' ? last.error.code : undefined;
    };
    expect(codeOf('overloaded_error')).toBe('upstream_overloaded');
    expect(codeOf('rate_limit_error')).toBe('upstream_rate_limited');
    expect(codeOf('api_error')).toBe('upstream_error');
    expect(codeOf('invalid_request_error')).toBe('invalid_request');
    expect(codeOf('brand_new_error')).toBe('upstream_error');
  });

  it('ends a truncated stream with the truncation error, closing open blocks', () => {
    const events = decode(parseSplit(scenarioBytes('truncated'), 1));
    expect(events.slice(-3)).toEqual([
      { type: 'tool-call-delta', index: 1, delta: '{"location": "Qui' },
      { type: 'tool-call-end', index: 1 },
      { type: 'error', error: TRUNCATED_STREAM_ERROR },
    ]);
    expect(decode([])).toEqual([
      { type: 'message-start' },
      { type: 'error', error: TRUNCATED_STREAM_ERROR },
    ]);
  });

  it('tolerates drift: invalid JSON, missing types, [DONE], events after the end', () => {
    const warnings: ConversionWarning[] = [];
    const unknown: string[] = [];
    const decoder = createAnthropicStreamDecoder({
      onWarning: (warning) => warnings.push(warning),
      onUnknownEvent: (type) => unknown.push(type),
    });
    const events = runStep(decoder, [
      { data: '{"type":"message_start","message":{"id":"m1","model":"x"}}' },
      {
        event: 'content_block_start',
        data: '{"index":0,"content_block":{"type":"text","text":"a"}}',
      },
      { event: 'content_block_delta', data: '{"type":"content_block_delta","index":0,"delta":' },
      { data: '{"no":"type"}' },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":9,"delta":{"type":"text_delta","text":"?"}}',
      },
      event('content_block_stop', { index: 0 }),
      event('future_event', { payload: 1 }),
      { data: '[DONE]' },
      event('message_stop'),
      event('content_block_start', { index: 1, content_block: { type: 'text', text: 'late' } }),
    ]);
    expect(checkEvents(events)).toEqual([]);
    expect(accumulateEvents(events).content).toEqual([{ type: 'text', text: 'a' }]);
    expect(unknown).toEqual(['future_event']);
    expect(warnings.map((warning) => warning.message)).toEqual([
      'Skipped an Anthropic stream event "content_block_delta" whose data is not a JSON object',
      'Skipped an Anthropic stream event without a type',
      'Skipped an Anthropic "content_block_delta" for no open block',
    ]);
  });

  it('restores another provider encrypted reasoning from a packed signature', () => {
    const signature = packOpaque({ encryptedContent: 'gAAAA-enc', id: 'rs_1' });
    const events = decode([
      event('message_start', { message: { id: 'm' } }),
      event('content_block_start', {
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      }),
      event('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature } }),
      event('content_block_stop', { index: 0 }),
      event('message_stop'),
    ]);
    expect(events[2]).toEqual({
      type: 'reasoning-end',
      index: 0,
      encryptedContent: 'gAAAA-enc',
      id: 'rs_1',
    });
  });

  it('decodes blocks a relay put inside message_start, like the SDK keeps them', () => {
    const messages: SseMessage[] = [
      event('message_start', {
        message: {
          id: 'm',
          content: [{ type: 'text', text: 'Already here. ' }],
          usage: { input_tokens: 3, output_tokens: 0 },
        },
      }),
      event('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
      event('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'Then more.' } }),
      event('content_block_stop', { index: 1 }),
      event('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 4 } }),
      event('message_stop'),
    ];
    const events = decode(messages);
    expect(checkEvents(events)).toEqual([]);
    expect(accumulateEvents(events).content).toEqual([
      { type: 'text', text: 'Already here. ' },
      { type: 'text', text: 'Then more.' },
    ]);
  });
});

describe('a head-only decoder (the pipeline\u2019s probe of a stream\u2019s head)', () => {
  /**
   * What the probe may leave out: what message_start holds, which only the envelope reads
   * (message-start's fields, the usage it starts, the message's meta at its end). The probe
   * judges blocks, errors and the end (`verdictOf`), all kept.
   */
  const judged = (events: IrEvent[]) =>
    events
      .filter((event) => event.type !== 'usage')
      .map((event) => {
        if (event.type === 'message-start') return { type: event.type };
        if (event.type === 'message-end') return { type: event.type, finish: event.finishReason };
        return event;
      });
  const stepwise = (messages: SseMessage[], options: { headOnly?: boolean }) =>
    stepwiseEvents(createAnthropicStreamDecoder, messages, options);
  const start = (content: unknown[]) =>
    event('message_start', {
      message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content },
    });

  it('gives the events the full decoder gives, message by message, on every transcript cut anywhere', () => {
    const streams: Record<string, SseMessage[]> = {};
    for (const { name } of ANTHROPIC_SCENARIOS) streams[name] = parseSplit(scenarioBytes(name), 1);
    expectHeadOnlyAgrees(createAnthropicStreamDecoder, streams, judged);
  });

  it('does not read a message_start without content, but reads one that has content', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(stepwise([start([])], { headOnly: true })[0]).toEqual([{ type: 'message-start' }]);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    // A relay's message_start that carries a block: its content is what decides.
    const withText = start([{ type: 'text', text: 'Hi' }]);
    expect(stepwise([withText], { headOnly: true }).map(judged)).toEqual(
      stepwise([withText], {}).map(judged),
    );
    expect(stepwise([withText], { headOnly: true })[0]).toContainEqual(
      expect.objectContaining({ type: 'text-start' }),
    );
    // An escaped key could be a second `content` (the last one counts): read in full.
    const escaped = {
      event: 'message_start',
      data: withText.data.replace('"content":[{', '"content":[],"\\u0063ontent":[{'),
    };
    expect(stepwise([escaped], { headOnly: true })[0]).toContainEqual(
      expect.objectContaining({ type: 'text-start' }),
    );
  });
});
