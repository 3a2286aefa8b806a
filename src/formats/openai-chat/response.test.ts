/** Chat response bodies: same-format fidelity, mapping into the IR, and encoding from another format. */
import { describe, expect, it } from 'vitest';
import {
  CHAT_SCENARIOS,
  chatTestContext,
  loadChatExpected,
} from '../../../test/helpers/openai-chat-fixtures.js';
import { packOpaque } from '../../ir/opaque.js';
import type { IrResponse } from '../../ir/response.js';
import { decodeChatRequest } from './decode-request.js';
import { decodeChatResponse } from './decode-response.js';
import { encodeChatRequest } from './encode-request.js';
import { encodeChatResponse } from './encode-response.js';

function roundTrip(body: Record<string, unknown>) {
  const decoded = decodeChatResponse(structuredClone(body));
  const encoded = encodeChatResponse(decoded.value, chatTestContext());
  return { decoded, encoded };
}

const envelope = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1767000000,
  model: 'gpt-x',
};

/** Bodies of shapes the transcripts do not have, from OpenAI and compatible servers. */
const BODIES: Record<string, Record<string, unknown>> = {
  'custom tool call, logprobs and extras': {
    ...envelope,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          tool_calls: [
            {
              id: 'call_p',
              type: 'custom',
              custom: { name: 'apply_patch', input: '*** Begin Patch' },
            },
            {
              id: 'call_f',
              type: 'function',
              function: { name: 'f', arguments: '{}' },
              x_index: 3,
            },
            { id: 'mcp_1', type: 'mcp', mcp: { server: 'x' } },
          ],
        },
        logprobs: {
          content: [{ token: 'a', logprob: -0.2, bytes: [97], top_logprobs: [] }],
          refusal: null,
        },
        finish_reason: 'tool_calls',
        content_filter_results: {},
      },
    ],
    usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
    prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }],
    service_tier: null,
    system_fingerprint: null,
  },
  'legacy function_call': {
    ...envelope,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          function_call: { name: 'lookup', arguments: '{"id":7}' },
        },
        logprobs: null,
        finish_reason: 'function_call',
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
  },
  'compatible server: no annotations, no refusal, reasoning field, eos, no usage': {
    id: 'cmpl-9f2',
    object: 'chat.completion',
    created: 1767000001,
    model: 'Qwen/Qwen3-8B',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hi.', reasoning: 'Greeting.', tool_calls: [] },
        finish_reason: 'eos',
        stop_reason: null,
      },
    ],
  },
  'empty answer with content null': {
    ...envelope,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'length',
      },
    ],
    usage: null,
  },
  'DeepSeek usage with cache fields': {
    ...envelope,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: '391', reasoning_content: 'Multiply.' },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: 14,
      completion_tokens: 96,
      total_tokens: 110,
      prompt_tokens_details: { cached_tokens: 8 },
      completion_tokens_details: { reasoning_tokens: 84 },
      prompt_cache_hit_tokens: 8,
      prompt_cache_miss_tokens: 6,
    },
  },
};

describe('decodeResponse → encodeResponse in the same format', () => {
  for (const scenario of CHAT_SCENARIOS) {
    if (scenario.name === 'unknown-fields') continue;
    it(`gives the ${scenario.name} body back unchanged`, () => {
      const body = loadChatExpected(scenario.name);
      const { decoded, encoded } = roundTrip(body);
      expect(decoded.warnings).toEqual([]);
      expect(encoded.value).toEqual(body);
      expect(encoded.warnings).toEqual([]);
    });
  }

  for (const [name, body] of Object.entries(BODIES)) {
    it(`gives a body back unchanged: ${name}`, () => {
      expect(roundTrip(body).encoded.value).toEqual(body);
    });
  }

  it('keeps only the first of several choices, with a warning', () => {
    const { decoded, encoded } = roundTrip(loadChatExpected('unknown-fields'));
    expect(decoded.warnings).toEqual([
      { code: 'dropped', message: 'Only the first of 2 choices is kept', path: 'choices' },
    ]);
    expect(encoded.value.choices).toEqual([
      (loadChatExpected('unknown-fields').choices as unknown[])[0],
    ]);
  });
});

describe('decodeResponse mapping', () => {
  it('maps a body with reasoning, citations and usage into the IR', () => {
    expect(decodeChatResponse(loadChatExpected('annotations')).value.content).toEqual([
      {
        type: 'text',
        text: 'The Louvre opens at 9 a.m. ([louvre.fr](https://www.louvre.fr/en/visit)).',
        annotations: [
          {
            type: 'url-citation',
            url: 'https://www.louvre.fr/en/visit',
            title: 'Visit - Louvre Museum',
            startIndex: 27,
            endIndex: 72,
          },
        ],
      },
    ]);
    const deepseek = decodeChatResponse(BODIES['DeepSeek usage with cache fields']).value;
    expect(deepseek).toMatchObject({
      content: [
        { type: 'reasoning', text: 'Multiply.' },
        { type: 'text', text: '391' },
      ],
      finishReason: 'stop',
      status: 'completed',
      usage: {
        inputTokens: 14,
        outputTokens: 96,
        cachedInputTokens: 8,
        reasoningTokens: 84,
        totalTokens: 110,
      },
    });
  });

  it('reads a refusal as finish reason refusal, length as incomplete, legacy calls as tool calls', () => {
    expect(decodeChatResponse(loadChatExpected('refusal')).value).toMatchObject({
      content: [{ type: 'refusal', text: "I'm sorry, but I can't help with that request." }],
      finishReason: 'refusal',
      status: 'completed',
    });
    expect(decodeChatResponse(loadChatExpected('length')).value).toMatchObject({
      finishReason: 'length',
      status: 'incomplete',
    });
    expect(decodeChatResponse(loadChatExpected('content-filter')).value.finishReason).toBe(
      'content-filter',
    );
    expect(decodeChatResponse(BODIES['legacy function_call']).value).toMatchObject({
      content: [{ type: 'tool-call', name: 'lookup', arguments: '{"id":7}', kind: 'function' }],
      finishReason: 'tool-calls',
    });
  });

  it('reads envelope fields of the wrong type as absent, keeping the answer around them', () => {
    const { value } = decodeChatResponse({
      id: 7,
      object: 'chat.completion',
      created: 'yesterday',
      model: 'm',
      choices: [
        {
          index: 'first',
          message: { role: 'assistant', content: 'Hello' },
          finish_reason: 'stop',
          rank: 1,
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    });
    expect(value).toMatchObject({
      id: '',
      model: 'm',
      content: [{ type: 'text', text: 'Hello' }],
      finishReason: 'stop',
      usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 },
    });
    expect(value.createdAt).toBeUndefined();
    // Fields the decoder does not map come back as they came.
    expect(value.meta?.['openai-chat']).toMatchObject({ choiceExtra: { rank: 1 } });
  });

  it('tolerates a body that is not an object', () => {
    const { value, warnings } = decodeChatResponse('Bad Gateway');
    expect(value).toMatchObject({
      id: '',
      model: '',
      content: [],
      finishReason: 'other',
      usage: {},
    });
    expect(warnings).toEqual([
      { code: 'unexpected', message: 'The Chat response body is not an object' },
    ]);
  });
});

describe('encodeResponse from another format', () => {
  const anthropic: IrResponse = {
    id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
    model: 'claude-sonnet-4-5-20250929',
    content: [
      { type: 'reasoning', text: 'Check the docs.', signature: 'EqQBCkYIBxgCKkDs' },
      { type: 'reasoning', text: 'Then answer.' },
      { type: 'text', text: 'According to the docs, ' },
      {
        type: 'text',
        text: 'the limit is 100.',
        annotations: [
          {
            type: 'url-citation',
            url: 'https://docs.example.com/limits',
            title: 'Limits',
            citedText: 'limit is 100',
          },
          {
            type: 'opaque',
            format: 'anthropic-messages',
            value: { type: 'search_result_location' },
          },
        ],
      },
      {
        type: 'tool-call',
        callId: 'toolu_01A',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        kind: 'function',
      },
      { type: 'opaque', format: 'anthropic-messages', value: { type: 'server_tool_use' } },
    ],
    finishReason: 'stop',
    status: 'completed',
    usage: {
      inputTokens: 120,
      outputTokens: 40,
      cachedInputTokens: 100,
      cacheWriteInputTokens: 10,
      reasoningTokens: 12,
    },
  };

  it('writes one choice with joined text, shifted citations, reasoning_content and tool calls', () => {
    const context = chatTestContext({ model: 'my-alias' });
    const { value, warnings } = encodeChatResponse(anthropic, context);
    expect(value).toEqual({
      id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      object: 'chat.completion',
      created: 1767400000,
      model: 'my-alias',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'According to the docs, the limit is 100.',
            refusal: null,
            annotations: [
              {
                type: 'url_citation',
                url_citation: {
                  url: 'https://docs.example.com/limits',
                  title: 'Limits',
                  start_index: 23,
                  end_index: 40,
                },
              },
            ],
            tool_calls: [
              {
                id: 'toolu_01A',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
            reasoning_content: 'Check the docs.\n\nThen answer.',
            reasoning_opaque: packOpaque({
              reasoning: [
                { text: 'Check the docs.', signature: 'EqQBCkYIBxgCKkDs' },
                { text: 'Then answer.' },
              ],
            }),
          },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: {
        prompt_tokens: 120,
        completion_tokens: 40,
        total_tokens: 160,
        prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 10 },
        completion_tokens_details: { reasoning_tokens: 12 },
      },
    });
    expect(warnings.map((warning) => warning.message)).toEqual([
      'A citation of another format was left out',
      'A "anthropic-messages" block cannot be expressed in a Chat completion',
    ]);
  });

  it('gets reasoning signatures back when the client returns the message on its next turn', () => {
    const { value } = encodeChatResponse(anthropic, chatTestContext());
    const message = (value.choices as Array<{ message: Record<string, unknown> }>)[0]?.message;
    const next = decodeChatRequest({
      model: 'claude-sonnet-4-6',
      messages: [
        { role: 'user', content: 'Limits?' },
        message,
        { role: 'tool', tool_call_id: 'toolu_01A', content: '18C' },
      ],
    });
    expect(next.warnings).toEqual([]);
    expect(next.value.messages[1]?.content.slice(0, 2)).toEqual([
      {
        type: 'reasoning',
        text: 'Check the docs.',
        signature: 'EqQBCkYIBxgCKkDs',
        meta: { 'openai-chat': { field: 'reasoning_content' } },
      },
      {
        type: 'reasoning',
        text: 'Then answer.',
        meta: { 'openai-chat': { field: 'reasoning_content' } },
      },
    ]);
    // Never forwarded to a Chat upstream: it holds another provider's values.
    const upstream = encodeChatRequest(next.value).value;
    expect(JSON.stringify(upstream)).not.toContain('reasoning_opaque');
    expect((upstream.messages as Array<Record<string, unknown>>)[1]?.reasoning_content).toBe(
      'Check the docs.\n\nThen answer.',
    );
  });

  it('drops an unreadable packed value with a warning', () => {
    const { value, warnings } = decodeChatRequest({
      model: 'm',
      messages: [{ role: 'assistant', content: 'x', reasoning_opaque: 'ccpx1.%%%' }],
    });
    expect(value.messages[0]?.content).toEqual([{ type: 'text', text: 'x' }]);
    expect(warnings).toEqual([
      {
        code: 'dropped',
        message: 'An unreadable "reasoning_opaque" value was left out',
        path: 'messages[0].reasoning_opaque',
      },
    ]);
  });

  it('gives a fresh chatcmpl id when the response has none, and null content for tool calls only', () => {
    const { value } = encodeChatResponse(
      {
        id: '',
        model: 'm',
        createdAt: 1700000000,
        content: [{ type: 'tool-call', callId: 'c', name: 'f', arguments: '', kind: 'function' }],
        finishReason: 'tool-calls',
        status: 'completed',
        usage: {},
      },
      chatTestContext(),
    );
    expect(value).toMatchObject({ id: 'chatcmpl-test1', created: 1700000000, model: 'm' });
    expect(value.choices).toMatchObject([
      { message: { content: null }, finish_reason: 'tool_calls' },
    ]);
    expect(value.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('still answers a failed response with what was gathered, reporting the error', () => {
    const { value, warnings } = encodeChatResponse(
      {
        id: 'resp_1',
        model: 'gpt-5-codex',
        content: [{ type: 'text', text: 'Partial' }],
        finishReason: 'error',
        status: 'failed',
        usage: { inputTokens: 3 },
        error: {
          code: 'upstream_protocol',
          message: 'Upstream stream ended before its final event',
        },
      },
      chatTestContext(),
    );
    expect(value.choices).toMatchObject([
      { message: { content: 'Partial' }, finish_reason: 'stop' },
    ]);
    expect(warnings).toEqual([
      {
        code: 'dropped',
        message:
          'A Chat completion cannot carry the error "Upstream stream ended before its final event"; the content gathered is sent',
      },
    ]);
  });

  it('writes a refusal with content null and finish reason stop', () => {
    const { value } = encodeChatResponse(
      {
        id: 'msg_1',
        model: 'm',
        content: [{ type: 'refusal', text: 'I cannot help with that.' }],
        finishReason: 'refusal',
        status: 'completed',
        usage: {},
      },
      chatTestContext(),
    );
    expect(value.choices).toMatchObject([
      { message: { content: null, refusal: 'I cannot help with that.' }, finish_reason: 'stop' },
    ]);
  });
});
