/** Chat request encoding from another format: what is written and every warning raised. */
import { describe, expect, it } from 'vitest';
import type { IrRequest } from '../../ir/request.js';
import { encodeChatRequest } from './encode-request.js';

/** A request as another format's decoder (Anthropic Messages here) would build it. */
const foreign: IrRequest = {
  model: 'claude-sonnet-4-6',
  system: [
    {
      type: 'text',
      text: 'You are a helpful agent.',
      meta: { 'anthropic-messages': { cache_control: { type: 'ephemeral' } } },
    },
    { type: 'text', text: 'Use tools when useful.' },
  ],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is on this page?' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
        { type: 'image', source: { kind: 'file-id', fileId: 'file_011' } },
        { type: 'file', source: { kind: 'url', url: 'https://example.com/a.pdf' } },
        {
          type: 'file',
          source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0x' },
          filename: 'a.pdf',
        },
        { type: 'opaque', format: 'anthropic-messages', value: { type: 'search_result' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'I should look.', signature: 'EqQBCkYIBxgCKkDs' },
        { type: 'text', text: 'Let me check. ' },
        { type: 'text', text: 'One moment.' },
        {
          type: 'tool-call',
          callId: 'toolu_01A',
          name: 'fetch_page',
          arguments: '{"url":"https://example.com"}',
          kind: 'function',
        },
        { type: 'opaque', format: 'anthropic-messages', value: { type: 'server_tool_use' } },
      ],
    },
    {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          callId: 'toolu_01A',
          isError: true,
          content: [
            { type: 'text', text: 'Timeout after' },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/shot.png' } },
            { type: 'text', text: '30 s' },
          ],
        },
      ],
    },
    {
      role: 'assistant',
      content: [
        {
          type: 'tool-call',
          callId: 'toolu_01B',
          name: 'apply_patch',
          arguments: 'diff',
          kind: 'custom',
        },
      ],
    },
    {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          callId: 'toolu_01B',
          content: [{ type: 'text', text: 'ok' }],
          kind: 'custom',
        },
      ],
    },
  ],
  tools: [
    {
      kind: 'function',
      name: 'fetch_page',
      description: 'Fetch a page',
      parameters: { type: 'object' },
    },
    { kind: 'custom', name: 'apply_patch', format: { type: 'text' } },
    {
      kind: 'builtin',
      format: 'anthropic-messages',
      value: { type: 'web_search_20250305', name: 'web_search' },
    },
  ],
  toolChoice: { type: 'tool', name: 'apply_patch' },
  parallelToolCalls: true,
  maxOutputTokens: 4096,
  temperature: 1,
  stop: ['\n\nHuman:'],
  reasoning: { budgetTokens: 10000, summary: 'auto' },
  user: 'user-7',
  stream: true,
};

describe('encodeRequest from another format', () => {
  const { value, warnings } = encodeChatRequest(foreign);

  it('writes a Chat request a Chat upstream accepts', () => {
    expect(value).toEqual({
      model: 'claude-sonnet-4-6',
      messages: [
        { role: 'system', content: 'You are a helpful agent.\n\nUse tools when useful.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is on this page?' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
            {
              type: 'file',
              file: { file_data: 'data:application/pdf;base64,JVBERi0x', filename: 'a.pdf' },
            },
          ],
        },
        {
          role: 'assistant',
          content: 'Let me check. One moment.',
          tool_calls: [
            {
              id: 'toolu_01A',
              type: 'function',
              function: { name: 'fetch_page', arguments: '{"url":"https://example.com"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_01A', content: 'Timeout after\n30 s' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'toolu_01B', type: 'custom', custom: { name: 'apply_patch', input: 'diff' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_01B', content: 'ok' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'fetch_page',
            description: 'Fetch a page',
            parameters: { type: 'object' },
          },
        },
        { type: 'custom', custom: { name: 'apply_patch', format: { type: 'text' } } },
      ],
      tool_choice: { type: 'custom', custom: { name: 'apply_patch' } },
      parallel_tool_calls: true,
      max_completion_tokens: 4096,
      temperature: 1,
      stop: ['\n\nHuman:'],
      reasoning_effort: 'medium',
      user: 'user-7',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('reports everything it left out or changed', () => {
    expect(warnings).toEqual([
      {
        code: 'dropped',
        message: 'An image given by file id cannot be sent in Chat (it needs a URL)',
        path: 'messages[0].content[2]',
      },
      {
        code: 'dropped',
        message: 'A file given by URL cannot be sent in Chat (it needs inline data or a file id)',
        path: 'messages[0].content[3]',
      },
      {
        code: 'dropped',
        message: 'A "anthropic-messages" content part cannot be sent in Chat',
        path: 'messages[0].content[5]',
      },
      {
        code: 'dropped',
        message: 'Reasoning from another format cannot be sent back to a Chat upstream',
        path: 'messages[1].content[0]',
      },
      {
        code: 'dropped',
        message: 'A "anthropic-messages" block cannot be sent in a Chat assistant message',
        path: 'messages[1].content[4]',
      },
      {
        code: 'lossy',
        message: 'Chat tool messages have no error flag; the result is sent as plain content',
        path: 'messages[2].content[0]',
      },
      {
        code: 'dropped',
        message: 'Chat tool messages carry text only: a "image" part was left out',
        path: 'messages[2].content[0].content[1]',
      },
      {
        code: 'dropped',
        message: 'A "anthropic-messages" hosted tool cannot be offered to a Chat upstream',
        path: 'tools',
      },
      {
        code: 'lossy',
        message: 'A reasoning budget of 10000 tokens is sent as effort "medium"',
        path: 'reasoning_effort',
      },
      {
        code: 'dropped',
        message: 'Chat cannot ask for a reasoning summary',
        path: 'reasoning.summary',
      },
    ]);
  });

  it('honours a developer role and max_tokens named by the provider in meta', () => {
    const request: IrRequest = {
      model: 'o3-mini',
      system: [{ type: 'text', text: 'Rules.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      tools: [],
      maxOutputTokens: 10,
      reasoning: { enabled: false },
      stream: false,
      meta: { 'openai-chat': { systemRole: 'developer', maxTokensField: 'max_tokens' } },
    };
    const { value: body, warnings: dropped } = encodeChatRequest(request);
    expect(body).toEqual({
      model: 'o3-mini',
      messages: [
        { role: 'developer', content: 'Rules.' },
        { role: 'user', content: 'hi' },
      ],
      max_tokens: 10,
    });
    expect(dropped.map((warning) => warning.message)).toEqual([
      'Chat has no switch to turn reasoning off; the model default applies',
    ]);
  });

  it('maps response formats and plain tool choices', () => {
    const base: IrRequest = { model: 'm', system: [], messages: [], tools: [], stream: false };
    expect(
      encodeChatRequest({
        ...base,
        toolChoice: { type: 'required' },
        responseFormat: { type: 'json-object' },
      }).value,
    ).toEqual({
      model: 'm',
      messages: [],
      tool_choice: 'required',
      response_format: { type: 'json_object' },
    });
    expect(
      encodeChatRequest({
        ...base,
        toolChoice: { type: 'tool', name: 'f' },
        responseFormat: {
          type: 'json-schema',
          name: 's',
          schema: { type: 'object' },
          strict: true,
          description: 'd',
        },
      }).value,
    ).toMatchObject({
      tool_choice: { type: 'function', function: { name: 'f' } },
      response_format: {
        type: 'json_schema',
        json_schema: { name: 's', schema: { type: 'object' }, strict: true, description: 'd' },
      },
    });
  });
});
