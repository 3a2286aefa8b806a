import { describe, expect, it } from 'vitest';
import type { IrRequest } from '../../ir/request.js';
import { decodeResponsesRequest } from './decode-request.js';
import { encodeResponsesRequest } from './encode-request.js';

/** A request as another format (Anthropic Messages) decodes it: no Responses meta anywhere. */
const foreign: IrRequest = {
  model: 'gpt-5.1-codex-max',
  system: [
    { type: 'text', text: 'You are a tide assistant.' },
    { type: 'text', text: 'Answer in metres.' },
  ],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What does this chart say?' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
        {
          type: 'image',
          source: { kind: 'url', url: 'https://example.com/chart.png' },
          detail: 'high',
        },
        {
          type: 'file',
          source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' },
        },
        { type: 'opaque', format: 'anthropic-messages', value: { type: 'document', source: {} } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'Anthropic thinking.', signature: 'EqQBCkgIAxAC' },
        { type: 'reasoning', text: 'Codex reasoning.', encryptedContent: 'gAAAAABpEnc==' },
        { type: 'text', text: 'Let me check ' },
        { type: 'text', text: 'the station.' },
        {
          type: 'tool-call',
          callId: 'toolu_01',
          name: 'get_tide_times',
          arguments: '{"station":"Monterey"}',
          kind: 'function',
        },
        {
          type: 'tool-call',
          callId: 'toolu_02',
          name: 'apply_patch',
          arguments: '*** Begin Patch',
          kind: 'custom',
        },
      ],
    },
    {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          callId: 'toolu_01',
          content: [
            { type: 'text', text: 'High 06:42' },
            { type: 'text', text: 'Low 12:58' },
          ],
        },
        {
          type: 'tool-result',
          callId: 'toolu_02',
          kind: 'custom',
          content: [
            { type: 'text', text: 'Patch failed' },
            { type: 'image', source: { kind: 'file-id', fileId: 'file-1' } },
          ],
          isError: true,
        },
      ],
    },
  ],
  tools: [
    {
      kind: 'function',
      name: 'get_tide_times',
      description: 'Tides.',
      parameters: { type: 'object' },
    },
    { kind: 'function', name: 'strict_one', parameters: { type: 'object' }, strict: true },
    {
      kind: 'custom',
      name: 'apply_patch',
      format: { type: 'grammar', syntax: 'lark', definition: 'x' },
    },
    { kind: 'builtin', format: 'anthropic-messages', value: { type: 'web_search_20250305' } },
  ],
  toolChoice: { type: 'tool', name: 'apply_patch' },
  parallelToolCalls: true,
  maxOutputTokens: 4096,
  temperature: 0.5,
  stop: ['\n\nHuman:'],
  reasoning: { budgetTokens: 8000 },
  responseFormat: { type: 'json-object' },
  user: 'user-7',
  stream: true,
};

describe('Responses request encoding from another format', () => {
  const { value, warnings } = encodeResponsesRequest(foreign);

  it('writes the conversation the way the Codex CLI does', () => {
    expect(value.instructions).toBe('You are a tide assistant.\n\nAnswer in metres.');
    expect(value.input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'What does this chart say?' },
          { type: 'input_image', detail: 'auto', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
          { type: 'input_image', detail: 'high', image_url: 'https://example.com/chart.png' },
          {
            type: 'input_file',
            file_data: 'data:application/pdf;base64,JVBERi0=',
            filename: 'document.pdf',
          },
        ],
      },
      {
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Codex reasoning.' }],
        encrypted_content: 'gAAAAABpEnc==',
      },
      {
        type: 'message',
        role: 'assistant',
        content: [
          { type: 'output_text', text: 'Let me check ' },
          { type: 'output_text', text: 'the station.' },
        ],
      },
      {
        type: 'function_call',
        call_id: 'toolu_01',
        name: 'get_tide_times',
        arguments: '{"station":"Monterey"}',
      },
      {
        type: 'custom_tool_call',
        call_id: 'toolu_02',
        name: 'apply_patch',
        input: '*** Begin Patch',
      },
      { type: 'function_call_output', call_id: 'toolu_01', output: 'High 06:42\nLow 12:58' },
      {
        type: 'custom_tool_call_output',
        call_id: 'toolu_02',
        output: [
          { type: 'input_text', text: 'Patch failed' },
          { type: 'input_image', detail: 'auto', file_id: 'file-1' },
        ],
      },
    ]);
  });

  it('writes the options, tools and tool choice', () => {
    expect(value).toMatchObject({
      model: 'gpt-5.1-codex-max',
      tool_choice: { type: 'custom', name: 'apply_patch' },
      parallel_tool_calls: true,
      max_output_tokens: 4096,
      temperature: 0.5,
      reasoning: { effort: 'medium' },
      text: { format: { type: 'json_object' } },
      user: 'user-7',
      stream: true,
    });
    expect(value.tools).toEqual([
      {
        type: 'function',
        name: 'get_tide_times',
        description: 'Tides.',
        parameters: { type: 'object' },
        strict: false,
      },
      { type: 'function', name: 'strict_one', parameters: { type: 'object' }, strict: true },
      {
        type: 'custom',
        name: 'apply_patch',
        format: { type: 'grammar', syntax: 'lark', definition: 'x' },
      },
    ]);
  });

  it('reports everything it could not send', () => {
    expect(warnings.map((warning) => [warning.code, warning.path])).toEqual([
      ['dropped', 'messages[0].content[4]'],
      ['dropped', 'messages[1].content[0]'],
      ['lossy', 'messages[2].content[1]'],
      ['dropped', 'tools[3]'],
      ['dropped', 'stop'],
      ['lossy', 'reasoning'],
    ]);
  });

  it('round-trips a minimal client request and adds nothing to it', () => {
    const body = { model: 'gpt-5.1', input: 'hi' };
    expect(encodeResponsesRequest(decodeResponsesRequest(body).value).value).toEqual(body);
  });

  it('writes a string input as a message once the conversation goes on', () => {
    const request = decodeResponsesRequest({ model: 'gpt-5.1', input: 'hi' }).value;
    request.messages.push({ role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] });
    expect(encodeResponsesRequest(request).value.input).toEqual([
      { role: 'user', content: 'hi' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello!' }] },
    ]);
  });
});
