/** Tests of the Anthropic stream encoder: block sequencing, terminal frames, round trips. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseThroughAnthropic } from '../../../test/helpers/anthropic-messages-normalise.js';
import {
  ANTHROPIC_SCENARIOS,
  parseSplit,
  scenarioBytes,
  withParsedArguments,
} from '../../../test/helpers/anthropic-messages-scenarios.js';
import { responseArbitrary } from '../../../test/helpers/ir-arbitraries.js';
import { accumulateEvents } from '../../ir/accumulate.js';
import { checkEvents } from '../../ir/check-events.js';
import type { IrEvent } from '../../ir/events.js';
import { unpackOpaque } from '../../ir/opaque.js';
import { responseToEvents } from '../../ir/response-to-events.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { encodeSse } from '../../sse/encode.js';
import type { SseMessage } from '../../sse/message.js';
import { parseSse } from '../../sse/parse.js';
import { runStep } from '../../streams/step.js';
import type { EncodeContext } from '../format.js';
import { createAnthropicStreamDecoder } from './decode-stream.js';
import { createAnthropicStreamEncoder } from './encode-stream.js';

function context(overrides: Partial<EncodeContext> = {}): EncodeContext {
  let counter = 0;
  return {
    createdAt: 1_760_000_000,
    createId: (prefix) => `${prefix}gen${++counter}`,
    ...overrides,
  };
}

function encode(events: IrEvent[], overrides: Partial<EncodeContext> = {}) {
  const warnings: ConversionWarning[] = [];
  // Read as a client reads them: some events are written whole (`SseMessage.raw`).
  const messages = parseSse(
    encodeSse(
      runStep(
        createAnthropicStreamEncoder(
          context({ onWarning: (warning) => warnings.push(warning), ...overrides }),
        ),
        events,
      ),
    ),
  );
  return { messages, warnings, payloads: messages.map((message) => JSON.parse(message.data)) };
}

/** Encoded SSE text, parsed and decoded again. */
function roundTrip(events: IrEvent[]): IrEvent[] {
  const text = encodeSse(encode(events).messages);
  return runStep(createAnthropicStreamDecoder(), parseSse(text));
}

describe('Anthropic stream encoder', () => {
  it('writes sequential blocks with dense indices, buffering overlapping IR blocks', () => {
    const { messages, payloads } = encode(
      [
        { type: 'message-start', id: 'resp_1', model: 'gpt-5-codex' },
        { type: 'reasoning-start', index: 0 },
        { type: 'text-start', index: 1 },
        { type: 'text-delta', index: 1, delta: 'Hello' },
        { type: 'reasoning-delta', index: 0, delta: 'think' },
        { type: 'reasoning-end', index: 0, encryptedContent: 'gAAAA-enc', id: 'rs_1' },
        { type: 'tool-call-start', index: 2, callId: 'call_1', name: 'f', kind: 'function' },
        { type: 'tool-call-delta', index: 2, delta: '{"a":' },
        { type: 'text-delta', index: 1, delta: ' world' },
        { type: 'tool-call-delta', index: 2, delta: '1}' },
        { type: 'tool-call-end', index: 2 },
        { type: 'text-end', index: 1 },
        { type: 'usage', usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 40 } },
        { type: 'message-end', finishReason: 'stop' },
      ],
      { model: 'claude-sonnet-4-6' },
    );
    for (const message of messages) expect(message.event).toBe(JSON.parse(message.data).type);
    expect(payloads).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'resp_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-6',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 0,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: 0,
          },
        },
      },
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'think' },
      },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'signature_delta', signature: expect.stringMatching(/^ccpx2\./) },
      },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hello' } },
      { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: ' world' } },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'call_1', name: 'f', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: '{"a":' },
      },
      {
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: '1}' },
      },
      { type: 'content_block_stop', index: 2 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: {
          input_tokens: 60,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 40,
          output_tokens: 20,
        },
      },
      { type: 'message_stop' },
    ]);
    const signature = payloads[3].delta.signature as string;
    expect(unpackOpaque(signature)).toEqual({ encryptedContent: 'gAAAA-enc', id: 'rs_1' });
  });

  it('puts usage known before the first block into message_start, and always into message_delta', () => {
    const { payloads } = encode([
      { type: 'message-start', id: 'msg_1', model: 'm' },
      { type: 'usage', usage: { inputTokens: 30, cacheWriteInputTokens: 10, outputTokens: 1 } },
      { type: 'text-start', index: 0 },
      { type: 'text-end', index: 0 },
      { type: 'usage', usage: { outputTokens: 5, reasoningTokens: 2 } },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(payloads[0].message.usage).toEqual({
      input_tokens: 20,
      cache_creation_input_tokens: 10,
      cache_read_input_tokens: 0,
      output_tokens: 1,
    });
    expect(payloads.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: {
        input_tokens: 20,
        cache_creation_input_tokens: 10,
        cache_read_input_tokens: 0,
        output_tokens: 5,
        output_tokens_details: { thinking_tokens: 2 },
      },
    });
  });

  it('writes redacted reasoning as a redacted_thinking block and skips empty reasoning', () => {
    const { payloads } = encode([
      { type: 'message-start' },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-end', index: 0, redactedData: 'EmwKAh' },
      { type: 'reasoning-start', index: 1 },
      { type: 'reasoning-end', index: 1 },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(payloads.slice(1, 3)).toEqual([
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'redacted_thinking', data: 'EmwKAh' },
      },
      { type: 'content_block_stop', index: 0 },
    ]);
    expect(payloads[3].type).toBe('message_delta');
  });

  it('sends a custom tool call whole, wrapped in {"input": ...}, with a warning', () => {
    const { payloads, warnings } = encode([
      { type: 'message-start' },
      { type: 'tool-call-start', index: 0, callId: 'call_p', name: 'apply_patch', kind: 'custom' },
      { type: 'tool-call-delta', index: 0, delta: '*** Begin Patch\n' },
      { type: 'tool-call-delta', index: 0, delta: '*** End Patch' },
      { type: 'tool-call-end', index: 0 },
      { type: 'message-end', finishReason: 'tool-calls' },
    ]);
    expect(payloads[2]).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: {
        type: 'input_json_delta',
        partial_json: JSON.stringify({ input: '*** Begin Patch\n*** End Patch' }),
      },
    });
    expect(warnings.map((warning) => warning.code)).toEqual(['lossy']);
  });

  it('closes the open block, then writes the error event and nothing after', () => {
    const encoder = createAnthropicStreamEncoder(context());
    const input: IrEvent[] = [
      { type: 'message-start', id: 'msg_e' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'partial' },
      { type: 'tool-call-start', index: 1, callId: 'c', name: 'f', kind: 'function' },
      { type: 'error', error: { code: 'upstream_overloaded', message: 'Codex is overloaded' } },
      { type: 'text-delta', index: 0, delta: 'late' },
    ];
    const out = parseSse(encodeSse(input.flatMap((event) => encoder.push(event))));
    expect(out.map((message) => message.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'error',
    ]);
    expect(JSON.parse(out.at(-1)!.data)).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Codex is overloaded' },
    });
    expect(encoder.end()).toEqual([]);
  });

  it('finishes a stream that stops without message-end (tool_use when it called tools)', () => {
    const { payloads } = encode([
      { type: 'message-start', id: 'msg_t' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'a' },
      { type: 'tool-call-start', index: 1, callId: 'c', name: 'f', kind: 'function' },
      { type: 'usage', usage: { inputTokens: 7, outputTokens: 3 } },
    ]);
    expect(payloads.map((payload) => payload.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(payloads[6].delta.stop_reason).toBe('tool_use');
    expect(payloads[6].usage).toMatchObject({ input_tokens: 7, output_tokens: 3 });
    expect(encode([]).payloads).toEqual([
      {
        type: 'message_start',
        message: expect.objectContaining({ id: 'msg_gen1', content: [] }),
      },
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: expect.any(Object),
      },
      { type: 'message_stop' },
    ]);
  });

  it('writes its own opaque blocks whole and drops other formats ones with a warning', () => {
    const { payloads, warnings } = encode([
      { type: 'message-start' },
      { type: 'opaque', index: 0, format: 'openai-responses', value: { type: 'web_search_call' } },
      {
        type: 'opaque',
        index: 1,
        format: 'anthropic-messages',
        value: {
          type: 'server_tool_use',
          id: 'srvtoolu_1',
          name: 'web_search',
          input: { query: 'q' },
        },
      },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(payloads.slice(1, 3)).toEqual([
      {
        type: 'content_block_start',
        index: 0,
        content_block: {
          type: 'server_tool_use',
          id: 'srvtoolu_1',
          name: 'web_search',
          input: { query: 'q' },
        },
      },
      { type: 'content_block_stop', index: 0 },
    ]);
    expect(warnings).toEqual([
      { code: 'dropped', message: 'A "openai-responses" block has no Anthropic equivalent' },
    ]);
  });

  it('writes refusals as text with stop_reason refusal, and URL citations as citations_delta', () => {
    const { payloads } = encode([
      { type: 'message-start' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'See docs.' },
      {
        type: 'text-annotation',
        index: 0,
        annotation: {
          type: 'url-citation',
          url: 'https://x.test/',
          title: 'X',
          startIndex: 0,
          endIndex: 3,
        },
      },
      { type: 'text-end', index: 0 },
      { type: 'refusal-start', index: 1 },
      { type: 'refusal-delta', index: 1, delta: 'I cannot help with that.' },
      { type: 'refusal-end', index: 1 },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(payloads[3]).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: {
        type: 'citations_delta',
        citation: {
          type: 'web_search_result_location',
          cited_text: '',
          url: 'https://x.test/',
          title: 'X',
          encrypted_index: '',
        },
      },
    });
    expect(payloads[6].delta).toEqual({ type: 'text_delta', text: 'I cannot help with that.' });
    expect(payloads.at(-2).delta.stop_reason).toBe('refusal');
  });
});

describe('Anthropic stream re-encoding of the transcripts', () => {
  for (const scenario of ANTHROPIC_SCENARIOS) {
    it(`${scenario.name}: decode, encode and decode again gives the same response`, () => {
      const events = runStep(
        createAnthropicStreamDecoder(),
        parseSplit(scenarioBytes(scenario.name), 3),
      );
      const again = roundTrip(events);
      expect(checkEvents(again)).toEqual([]);
      const first = accumulateEvents(events);
      const second = accumulateEvents(again);
      if (scenario.errorCode === 'upstream_protocol') {
        // Anthropic has no error type for a cut stream: it travels as an api_error.
        expect(second.error).toEqual({
          code: 'upstream_error',
          message: first.error?.message,
          upstreamType: 'api_error',
        });
        expect(withParsedArguments({ ...second, error: first.error })).toEqual(
          withParsedArguments(first),
        );
      } else {
        expect(withParsedArguments(second)).toEqual(withParsedArguments(first));
      }
    });
  }
});

describe('Anthropic stream encoder properties', () => {
  it('responseToEvents -> encoder -> SSE -> decoder -> accumulator gives the response back', () => {
    fc.assert(
      fc.property(responseArbitrary, (response) => {
        const events = roundTrip(responseToEvents(response));
        expect(checkEvents(events)).toEqual([]);
        const back = accumulateEvents(events);
        const expected = normaliseThroughAnthropic(response, true);
        // A failed stream carries no usage after the error: compare it only when completed.
        const { meta: _meta, ...rest } = back;
        if (response.status === 'failed') {
          expect(withParsedArguments({ ...rest, usage: expected.usage })).toEqual(
            withParsedArguments(expected),
          );
        } else {
          expect(withParsedArguments(rest)).toEqual(withParsedArguments(expected));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every SSE message carries an event name equal to its JSON type', () => {
    fc.assert(
      fc.property(responseArbitrary, (response) => {
        const { messages } = encode(responseToEvents(response));
        for (const message of messages as SseMessage[]) {
          expect(message.event).toBe(JSON.parse(message.data).type);
        }
        expect(messages.at(-1)?.event).toMatch(/^(message_stop|error)$/);
      }),
      { numRuns: 100 },
    );
  });
});
