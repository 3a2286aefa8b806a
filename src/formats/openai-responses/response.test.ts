import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseArbitrary } from '../../../test/helpers/ir-arbitraries.js';
import {
  loadTranscript,
  testContext,
  transcriptNames,
  withoutMeta,
} from '../../../test/helpers/openai-responses-kit.js';
import { ProxyError } from '../../errors.js';
import { unpackOpaque } from '../../ir/opaque.js';
import type { IrResponse } from '../../ir/response.js';
import { decodeResponsesResponse, IR_ENVELOPE_KEYS } from './decode-response.js';
import { encodeResponsesResponse } from './encode-response.js';

type Json = Record<string, unknown>;

const foreign: IrResponse = {
  id: 'msg_01AnthropicId',
  model: 'claude-sonnet-4-6',
  content: [
    { type: 'reasoning', text: 'Considering tides.', signature: 'EqQBCkgIAxAC' },
    {
      type: 'text',
      text: 'High tide ',
      annotations: [
        { type: 'url-citation', url: 'https://noaa.gov', title: 'NOAA', citedText: 'tide' },
      ],
    },
    { type: 'text', text: 'is at 06:42.' },
    {
      type: 'opaque',
      format: 'anthropic-messages',
      value: { type: 'server_tool_use', id: 'srvtoolu_1' },
    },
    {
      type: 'tool-call',
      callId: 'toolu_01',
      name: 'get_tide_times',
      arguments: '{"station":"Monterey"}',
      kind: 'function',
    },
  ],
  finishReason: 'tool-calls',
  status: 'completed',
  usage: {
    inputTokens: 100,
    outputTokens: 40,
    cachedInputTokens: 60,
    cacheWriteInputTokens: 20,
    reasoningTokens: 10,
  },
};

describe('IR_ENVELOPE_KEYS', () => {
  /** The IR of a body but its own meta, where every other envelope field rides. */
  const irOf = (body: Json) => {
    const { meta: _meta, ...ir } = decodeResponsesResponse(body).value;
    return ir;
  };

  it('names every envelope field the IR reads: without any other, the IR is the same', () => {
    for (const name of transcriptNames()) {
      const { expected } = loadTranscript(name);
      const body: Json = {
        ...expected,
        instructions: 'Be brief.',
        tools: [{ type: 'function', name: 'f', parameters: {} }],
        service_tier: 'default',
        metadata: { a: '1' },
      };
      const read = new Set([...IR_ENVELOPE_KEYS, 'output']);
      const others = Object.keys(body).filter((key) => !read.has(key));
      expect(others.length).toBeGreaterThan(3);
      const kept = Object.fromEntries(Object.entries(body).filter(([key]) => read.has(key)));
      expect(irOf(kept)).toEqual(irOf(body));
    }
  });
});

describe('Responses body decoding and encoding', () => {
  for (const name of transcriptNames()) {
    it(`${name}: decode then encode gives the body back`, () => {
      const { expected } = loadTranscript(name);
      const decoded = decodeResponsesResponse(expected);
      expect(decoded.warnings).toEqual([]);
      const encoded = encodeResponsesResponse(decoded.value, testContext());
      expect(encoded.value).toEqual(expected);
      expect(encoded.warnings).toEqual([]);
    });
  }

  it('decodes items, finish reasons and usage', () => {
    const annotations = decodeResponsesResponse(loadTranscript('annotations').expected).value;
    expect(annotations.content.map((part) => part.type)).toEqual(['opaque', 'text']);
    expect(annotations.finishReason).toBe('stop');
    const calls = decodeResponsesResponse(loadTranscript('custom-tool-call').expected).value;
    expect(withoutMeta(calls).content).toEqual([
      {
        type: 'tool-call',
        callId: 'call_Jr8mT3xQa1Vb',
        name: 'apply_patch',
        arguments: expect.stringContaining('*** Begin Patch'),
        kind: 'custom',
      },
    ]);
    expect(calls).toMatchObject({
      finishReason: 'tool-calls',
      usage: {
        inputTokens: 3120,
        cachedInputTokens: 2944,
        outputTokens: 96,
        reasoningTokens: 30,
        totalTokens: 3216,
      },
    });
    const incomplete = decodeResponsesResponse(
      loadTranscript('incomplete-max-tokens').expected,
    ).value;
    expect(incomplete).toMatchObject({ finishReason: 'length', status: 'incomplete' });
    const failed = decodeResponsesResponse(loadTranscript('error-failed').expected).value;
    expect(failed).toMatchObject({
      finishReason: 'error',
      status: 'failed',
      error: { code: 'upstream_rate_limited', upstreamCode: 'insufficient_quota' },
    });
  });

  it('tolerates a body without output and refuses one that is not an object', () => {
    const decoded = decodeResponsesResponse({ id: 'resp_1', status: 'completed', output: null });
    expect(decoded.value.content).toEqual([]);
    expect(() => decodeResponsesResponse('oops')).toThrow(ProxyError);
  });

  it('writes a complete body for a response from another format', () => {
    const context = testContext({ model: 'gpt-5-client-name' });
    const { value, warnings } = encodeResponsesResponse(foreign, context);
    for (const key of [
      'id',
      'object',
      'created_at',
      'status',
      'error',
      'incomplete_details',
      'output',
      'usage',
      'model',
      'tools',
      'tool_choice',
      'parallel_tool_calls',
      'instructions',
      'text',
      'reasoning',
      'metadata',
    ]) {
      expect(value).toHaveProperty(key);
    }
    expect(value).toMatchObject({
      id: 'resp_test_1',
      object: 'response',
      created_at: 1767300000,
      model: 'gpt-5-client-name',
      status: 'completed',
      error: null,
      incomplete_details: null,
      usage: {
        input_tokens: 100,
        input_tokens_details: { cached_tokens: 60, cache_write_tokens: 20 },
        output_tokens: 40,
        output_tokens_details: { reasoning_tokens: 10 },
        total_tokens: 140,
      },
    });
    const output = value.output as Json[];
    expect(output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(unpackOpaque(String(output[0]?.encrypted_content))).toEqual({
      signature: 'EqQBCkgIAxAC',
    });
    expect(output[1]).toEqual({
      id: 'msg_test_3',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [
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
          text: 'High tide ',
        },
        { type: 'output_text', annotations: [], logprobs: [], text: 'is at 06:42.' },
      ],
    });
    expect(output[2]).toEqual({
      id: 'fc_test_4',
      type: 'function_call',
      status: 'completed',
      call_id: 'toolu_01',
      name: 'get_tide_times',
      arguments: '{"station":"Monterey"}',
    });
    expect(warnings).toEqual([expect.objectContaining({ code: 'dropped', path: 'content[3]' })]);
  });

  it('marks a cut-off response incomplete and a failed one with its error', () => {
    const context = testContext();
    const cut = encodeResponsesResponse(
      {
        ...foreign,
        content: [{ type: 'text', text: 'Cut' }],
        finishReason: 'length',
        status: 'incomplete',
      },
      context,
    ).value;
    expect(cut).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ type: 'message', status: 'incomplete' }],
    });
    const failed = encodeResponsesResponse(
      {
        ...foreign,
        content: [],
        finishReason: 'error',
        status: 'failed',
        error: {
          code: 'upstream_overloaded',
          message: 'Overloaded',
          upstreamType: 'overloaded_error',
        },
      },
      context,
    ).value;
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'overloaded_error', message: 'Overloaded' },
    });
  });

  it('round-trips any IR response through a body (modulo what Responses cannot express)', () => {
    fc.assert(
      fc.property(responseArbitrary, (response) => {
        const context = testContext();
        const body = encodeResponsesResponse(response, context).value;
        const back = withoutMeta(decodeResponsesResponse(body).value);
        const hasToolCalls = response.content.some((part) => part.type === 'tool-call');
        const usage = response.usage;
        // Same normalisations as the stream round trip (see encode-stream.test.ts): fresh
        // created_at, finish reason from status and tool calls, complete usage, citation
        // indices, reasoning ids, and one opaque reasoning field.
        expect(back).toEqual({
          ...response,
          createdAt: context.createdAt,
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
              id: part.id ?? expect.stringMatching(/^rs_test_/),
              ...(part.encryptedContent === undefined && signature !== undefined
                ? { signature }
                : {}),
            };
          }),
        });
      }),
      { numRuns: 200 },
    );
  });
});
