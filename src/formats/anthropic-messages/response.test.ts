/** Tests of Anthropic non-streaming responses: same-format fidelity, cross-format encoding, round trip. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseThroughAnthropic } from '../../../test/helpers/anthropic-messages-normalise.js';
import {
  ANTHROPIC_SCENARIOS,
  scenarioExpected,
  withParsedArguments,
} from '../../../test/helpers/anthropic-messages-scenarios.js';
import { loadFixtureJson } from '../../../test/helpers/fixtures.js';
import { responseArbitrary } from '../../../test/helpers/ir-arbitraries.js';
import { unpackOpaque } from '../../ir/opaque.js';
import type { IrResponse } from '../../ir/response.js';
import type { EncodeContext } from '../format.js';
import { decodeAnthropicResponse } from './decode-response.js';
import { encodeAnthropicResponse } from './encode-response.js';

function context(overrides: Partial<EncodeContext> = {}): EncodeContext {
  let counter = 0;
  return {
    createdAt: 1_760_000_000,
    createId: (prefix) => `${prefix}ctx${++counter}`,
    ...overrides,
  };
}

function base(overrides: Partial<IrResponse> = {}): IrResponse {
  return {
    id: 'resp_1',
    model: 'gpt-5',
    content: [],
    finishReason: 'stop',
    status: 'completed',
    usage: {},
    ...overrides,
  };
}

describe('Anthropic response decoding and re-encoding (same format)', () => {
  const bodies: Array<[string, Record<string, unknown>]> = [
    [
      'a rich message (citations, server blocks, container, null counters)',
      loadFixtureJson('anthropic-messages', 'response-rich.json'),
    ],
    ...ANTHROPIC_SCENARIOS.map((scenario): [string, Record<string, unknown>] => [
      `the ${scenario.name} transcript's final message`,
      scenarioExpected(scenario.name),
    ]),
  ];
  for (const [name, body] of bodies) {
    it(`gives back ${name} exactly`, () => {
      const decoded = decodeAnthropicResponse(body);
      expect(decoded.warnings).toEqual([]);
      const encoded = encodeAnthropicResponse(decoded.value, context());
      expect(encoded.value).toEqual(body);
      expect(encoded.warnings).toEqual([]);
    });
  }

  it('decodes blocks, usage and stop reason into neutral fields', () => {
    const { value } = decodeAnthropicResponse(
      loadFixtureJson('anthropic-messages', 'response-rich.json'),
    );
    expect(value.finishReason).toBe('tool-calls');
    expect(value.status).toBe('completed');
    expect(value.usage).toEqual({
      inputTokens: 2400,
      outputTokens: 310,
      cachedInputTokens: 900,
      reasoningTokens: 120,
    });
    expect(value.content.map((part) => part.type)).toEqual([
      'reasoning',
      'reasoning',
      'text',
      'tool-call',
      'opaque',
      'opaque',
    ]);
    expect(value.content[1]).toEqual({
      type: 'reasoning',
      text: '',
      redactedData: 'EmwKAhgBEgy3va3pzix',
    });
    expect(value.content[2]).toMatchObject({
      annotations: [
        { type: 'opaque', format: 'anthropic-messages' },
        {
          type: 'url-citation',
          url: 'https://maree.example.fr/brest',
          citedText: 'low tide at 14:12',
        },
      ],
    });
    const parsed = withParsedArguments(value) as IrResponse;
    expect(parsed.content[3]).toEqual({
      type: 'tool-call',
      callId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      name: 'get_weather',
      arguments: { location: 'Brest', days: [1, 2], metric: true, nested: { a: null } },
      kind: 'function',
      meta: { 'anthropic-messages': { extra: { caller: { type: 'direct' } } } },
    });
  });

  it('drops an empty or null citations list (documented normalisation)', () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [
        { type: 'text', text: 'a', citations: [] },
        { type: 'text', text: 'b', citations: null },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 1,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    };
    expect(
      encodeAnthropicResponse(decodeAnthropicResponse(body).value, context()).value.content,
    ).toEqual([
      { type: 'text', text: 'a' },
      { type: 'text', text: 'b' },
    ]);
  });

  it('tolerates a body that is not a message', () => {
    const { value, warnings } = decodeAnthropicResponse({
      content: ['junk', { type: 'text', text: 'ok' }],
      usage: 'none',
    });
    expect(value.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(warnings.map((warning) => warning.path)).toEqual(['content[0]']);
    expect(decodeAnthropicResponse(null).warnings.map((warning) => warning.code)).toEqual([
      'unexpected',
    ]);
  });
});

describe('Anthropic response encoding from another format', () => {
  it('writes the envelope with a fresh msg_ id, the client model and the usage split back', () => {
    const { value } = encodeAnthropicResponse(
      base({
        id: '',
        content: [{ type: 'text', text: 'Hi' }],
        usage: {
          inputTokens: 1000,
          cachedInputTokens: 800,
          cacheWriteInputTokens: 50,
          outputTokens: 40,
          reasoningTokens: 12,
          totalTokens: 1040,
        },
      }),
      context({ model: 'claude-sonnet-4-6' }),
    );
    expect(value).toEqual({
      id: 'msg_ctx1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'Hi' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 150,
        cache_creation_input_tokens: 50,
        cache_read_input_tokens: 800,
        output_tokens: 40,
        output_tokens_details: { thinking_tokens: 12 },
      },
    });
  });

  it('maps finish reasons, refusals and tool calls to stop_reason', () => {
    const stop = (response: Partial<IrResponse>) =>
      encodeAnthropicResponse(base(response), context()).value.stop_reason;
    expect(stop({ finishReason: 'length' })).toBe('max_tokens');
    expect(stop({ finishReason: 'content-filter' })).toBe('refusal');
    expect(stop({ finishReason: 'tool-calls' })).toBe('tool_use');
    expect(stop({ finishReason: 'stop', stopSequence: '###' })).toBe('stop_sequence');
    expect(
      stop({
        finishReason: 'stop',
        content: [{ type: 'tool-call', callId: 'c', name: 'f', arguments: '{}', kind: 'function' }],
      }),
    ).toBe('tool_use');
    const refusal = encodeAnthropicResponse(
      base({ content: [{ type: 'refusal', text: 'I cannot help.' }] }),
      context(),
    ).value;
    expect(refusal.content).toEqual([{ type: 'text', text: 'I cannot help.' }]);
    expect(refusal.stop_reason).toBe('refusal');
  });

  it('packs encrypted reasoning into the signature and drops foreign opaque parts', () => {
    const { value, warnings } = encodeAnthropicResponse(
      base({
        content: [
          { type: 'reasoning', text: 'Summary', encryptedContent: 'gAAAA', id: 'rs_7' },
          { type: 'reasoning', text: '' },
          { type: 'opaque', format: 'openai-responses', value: { type: 'web_search_call' } },
          { type: 'tool-call', callId: '', name: 'f', arguments: 'not json', kind: 'function' },
        ],
      }),
      context(),
    );
    const content = value.content as Array<Record<string, unknown>>;
    expect(content[0]).toEqual({
      type: 'thinking',
      thinking: 'Summary',
      signature: expect.any(String),
    });
    expect(unpackOpaque(content[0]?.signature as string)).toEqual({
      encryptedContent: 'gAAAA',
      id: 'rs_7',
    });
    expect(content[1]).toEqual({ type: 'tool_use', id: 'toolu_ctx1', name: 'f', input: {} });
    expect(warnings.map((warning) => `${warning.code} ${warning.path}`)).toEqual([
      'dropped content[2]',
      'lossy content[3]',
    ]);
  });

  it('encodeAnthropicResponse then decodeAnthropicResponse gives any neutral response back, modulo the format', () => {
    fc.assert(
      fc.property(responseArbitrary, (response) => {
        const encoded = encodeAnthropicResponse(response, context()).value;
        const { meta: _meta, ...decoded } = decodeAnthropicResponse(encoded).value;
        expect(withParsedArguments(decoded)).toEqual(
          withParsedArguments(normaliseThroughAnthropic(response, false)),
        );
      }),
      { numRuns: 300 },
    );
  });
});
