import { describe, expect, it } from 'vitest';
import { loadFixtureJson } from '../../../test/helpers/fixtures.js';
import { ProxyError } from '../../errors.js';
import { packOpaque } from '../../ir/opaque.js';
import type { IrRequest } from '../../ir/request.js';
import { decodeResponsesRequest } from './decode-request.js';
import { encodeResponsesRequest } from './encode-request.js';

/** A request as the Codex CLI sends it (shapes from codex-rs requests/responses.rs). */
const codexRequest = loadFixtureJson('openai-responses', 'codex-request.json');

/** A request as a public-API client sends it. */
const publicRequest = loadFixtureJson('openai-responses', 'public-request.json');

function decode(body: unknown): IrRequest {
  return decodeResponsesRequest(body).value;
}

function invalid(body: unknown): ProxyError {
  try {
    decodeResponsesRequest(body);
  } catch (error) {
    if (error instanceof ProxyError) return error;
    throw error;
  }
  throw new Error('expected the request to be rejected');
}

describe('Responses request decoding', () => {
  it('gives the same request back when encoded again (Codex CLI and public shapes)', () => {
    for (const body of [codexRequest, publicRequest]) {
      const encoded = encodeResponsesRequest(decode(body));
      expect(encoded.value).toEqual(body);
      expect(Object.keys(encoded.value)).toEqual(Object.keys(body));
      expect(encoded.warnings).toEqual([]);
    }
  });

  it('maps instructions and leading developer messages to system, later ones to messages', () => {
    const request = decode(codexRequest);
    expect(request.system.map((part) => part.text)).toEqual([
      'You are Codex, a coding agent running in a terminal.',
      '<permissions>workspace-write</permissions>',
    ]);
    const later = request.messages.find((message) => message.role === 'system');
    expect(later).toMatchObject({
      role: 'system',
      developer: true,
      content: [{ type: 'text', text: 'Prefer small patches.' }],
    });
  });

  it('reads an unknown role as a user message, with a warning', () => {
    const { value, warnings } = decodeResponsesRequest({
      model: 'm',
      input: [{ role: 'robot', content: 'x' }],
    });
    expect(value.messages).toMatchObject([
      { role: 'user', content: [{ type: 'text', text: 'x' }] },
    ]);
    expect(warnings).toMatchObject([{ code: 'unexpected', path: 'input[0].role' }]);
  });

  it('groups assistant-side items into one turn and tool outputs into another', () => {
    const request = decode(codexRequest);
    expect(request.messages.map((message) => message.role)).toEqual([
      'user',
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'user',
      'system',
      'user',
    ]);
    const assistant = request.messages[2];
    expect(assistant?.content.map((part) => part.type)).toEqual(['reasoning', 'text', 'tool-call']);
    expect(assistant?.content[0]).toMatchObject({
      type: 'reasoning',
      text: '**Plan**\n\nRead the parser.',
      encryptedContent: 'gAAAAABpEncryptedByOpenAI==',
    });
    expect(assistant?.content[2]).toMatchObject({
      type: 'tool-call',
      callId: 'call_Q1',
      name: 'shell',
      arguments: '{"command":["cat","src/tide-table.ts"]}',
      kind: 'function',
    });
    expect(request.messages[3]?.content[0]).toMatchObject({
      type: 'tool-result',
      callId: 'call_Q1',
      kind: 'function',
      content: [{ type: 'text', text: 'const HEIGHT = /^(\\d+)$/;\n' }],
    });
    expect(request.messages[4]?.content).toEqual([
      expect.objectContaining({
        type: 'tool-call',
        kind: 'custom',
        name: 'apply_patch',
        callId: 'call_Q2',
      }),
    ]);
    expect(request.messages[6]?.content).toEqual([
      expect.objectContaining({
        type: 'opaque',
        value: expect.objectContaining({ type: 'local_shell_call' }),
      }),
    ]);
    expect(request.messages[7]?.content).toEqual([
      expect.objectContaining({
        type: 'opaque',
        value: expect.objectContaining({ type: 'local_shell_call_output' }),
      }),
    ]);
    expect(request.messages[8]?.content).toEqual([
      {
        type: 'opaque',
        format: 'openai-responses',
        value: { type: 'item_reference', id: 'msg_abc' },
      },
    ]);
  });

  it('decodes images, data URLs and files', () => {
    const request = decode({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_image', image_url: 'data:image/jpeg;base64,/9j/4AAQ', detail: 'high' },
            { type: 'input_image', image_url: 'https://example.com/tide.png', detail: 'original' },
            { type: 'input_image', file_id: 'file-img', detail: 'low' },
            {
              type: 'input_file',
              file_data: 'data:application/pdf;base64,JVBERi0=',
              filename: 'tides.pdf',
            },
            { type: 'input_file', file_url: 'https://example.com/tides.pdf' },
            { type: 'input_file', file_id: 'file-pdf' },
            { type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } },
          ],
        },
      ],
    });
    const parts = request.messages[0]?.content.map((part) => ({ ...part, meta: undefined }));
    expect(parts).toEqual([
      {
        type: 'image',
        source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' },
        detail: 'high',
        meta: undefined,
      },
      {
        type: 'image',
        source: { kind: 'url', url: 'https://example.com/tide.png' },
        meta: undefined,
      },
      {
        type: 'image',
        source: { kind: 'file-id', fileId: 'file-img' },
        detail: 'low',
        meta: undefined,
      },
      {
        type: 'file',
        source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' },
        filename: 'tides.pdf',
        meta: undefined,
      },
      {
        type: 'file',
        source: { kind: 'url', url: 'https://example.com/tides.pdf' },
        meta: undefined,
      },
      { type: 'file', source: { kind: 'file-id', fileId: 'file-pdf' }, meta: undefined },
      {
        type: 'opaque',
        format: 'openai-responses',
        value: { type: 'input_audio', input_audio: { data: 'UklGR', format: 'wav' } },
        meta: undefined,
      },
    ]);
  });

  it('maps the scalar options, tools and structured output', () => {
    const request = decode(publicRequest);
    expect(request).toMatchObject({
      model: 'gpt-5.1',
      maxOutputTokens: 800,
      temperature: 0.3,
      topP: 0.9,
      user: 'user-42',
      stream: false,
      toolChoice: { type: 'tool', name: 'lookup' },
      responseFormat: {
        type: 'json-schema',
        name: 'tides',
        schema: { type: 'object', properties: { high: { type: 'string' } } },
        strict: true,
      },
    });
    expect(request.tools[0]).toMatchObject({ kind: 'function', name: 'lookup' });
    expect(request.tools[0]).not.toHaveProperty('strict');
    const codex = decode(codexRequest);
    expect(codex).toMatchObject({
      parallelToolCalls: false,
      reasoning: { effort: 'high', summary: 'auto' },
    });
    expect(codex.tools.map((tool) => tool.kind)).toEqual(['function', 'custom', 'builtin']);
    expect(codex.tools[1]).toMatchObject({
      name: 'apply_patch',
      format: { type: 'grammar', syntax: 'lark', definition: 'start: patch' },
    });
  });

  it('approximates tool choices the IR cannot state, with a warning', () => {
    const allowed = decodeResponsesRequest({
      model: 'm',
      tool_choice: {
        type: 'allowed_tools',
        mode: 'required',
        tools: [{ type: 'function', name: 'a' }],
      },
    });
    expect(allowed.value.toolChoice).toEqual({ type: 'required' });
    expect(allowed.warnings).toEqual([
      expect.objectContaining({ code: 'lossy', path: 'tool_choice' }),
    ]);
    const hosted = decodeResponsesRequest({
      model: 'm',
      tool_choice: { type: 'web_search_preview' },
    });
    expect(hosted.value.toolChoice).toEqual({ type: 'required' });
    expect(encodeResponsesRequest(hosted.value).value.tool_choice).toEqual({
      type: 'web_search_preview',
    });
  });

  it('restores a signature ccproxy packed into encrypted_content, and never sends it upstream', () => {
    const packed = packOpaque({ signature: 'EqQBCkgIAxAC' });
    const result = decodeResponsesRequest({
      model: 'm',
      input: [
        {
          type: 'reasoning',
          id: 'rs_made_by_ccproxy',
          summary: [{ type: 'summary_text', text: 'Hmm.' }],
          encrypted_content: packed,
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] },
      ],
    });
    const reasoning = result.value.messages[0]?.content[0];
    expect(reasoning).toMatchObject({ type: 'reasoning', text: 'Hmm.', signature: 'EqQBCkgIAxAC' });
    expect(reasoning).not.toHaveProperty('encryptedContent');
    expect(reasoning).not.toHaveProperty('id');
    const encoded = encodeResponsesRequest(result.value);
    expect(encoded.value.input).toEqual([
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] },
    ]);
    expect(encoded.warnings).toEqual([
      expect.objectContaining({ code: 'dropped', path: 'messages[0].content[0]' }),
    ]);
  });

  it('accepts every item and part it does not know, as opaque', () => {
    const body = {
      model: 'm',
      input: [
        { type: 'computer_call_output', call_id: 'c', output: { type: 'computer_screenshot' } },
        { type: 'mcp_approval_response', approval_request_id: 'a', approve: true },
        { type: 'brand_new_item', payload: 1 },
        {
          role: 'system',
          content: [
            { type: 'input_text', text: 'a' },
            { type: 'input_image', file_id: 'f' },
          ],
        },
        { role: 'assistant', content: [{ type: 'output_audio', data: 'x' }] },
        {
          type: 'function_call_output',
          call_id: 'c2',
          output: [{ type: 'input_video', url: 'v' }],
        },
      ],
    };
    const request = decode(body);
    expect(request.system).toEqual([]);
    expect(encodeResponsesRequest(request).value).toEqual(body);
  });

  it('offers the tools of an additional_tools item (Codex CLI 0.169, gpt-6.1-sol) to other formats', () => {
    const exec = {
      type: 'custom',
      name: 'exec',
      description: 'Run JavaScript code to orchestrate tool calls',
      format: { type: 'grammar', syntax: 'lark', definition: 'start: /[\\s\\S]*/' },
    };
    const wait = {
      type: 'function',
      name: 'wait',
      description: 'Wait for a running exec cell',
      strict: false,
      parameters: { type: 'object', properties: { cell_id: { type: 'string' } } },
    };
    const body = {
      model: 'gpt-6.1-sol',
      input: [
        {
          type: 'additional_tools',
          id: 'at_1',
          role: 'developer',
          tools: [
            { type: 'namespace', name: 'functions', description: '', tools: [exec, wait] },
            {
              type: 'namespace',
              name: 'clock',
              description: '',
              tools: [{ type: 'function', name: 'sleep', parameters: { type: 'object' } }],
            },
            { type: 'web_search' },
          ],
        },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      ],
      stream: true,
    };
    const { value: request, warnings } = decodeResponsesRequest(body);
    expect(request.tools.map((tool) => tool.kind !== 'builtin' && [tool.kind, tool.name])).toEqual([
      ['custom', 'exec'],
      ['function', 'wait'],
    ]);
    // A call to another namespace must name it, which no other format can express.
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'dropped', path: 'input[0].tools[1]' }),
    ]);
    // Back to Responses, the item carries the tools: nothing is added to the request.
    expect(encodeResponsesRequest(request).value).toEqual(body);
  });

  it('names the bad field of an invalid request', () => {
    expect(invalid('nope').param).toBe('body');
    expect(invalid({ input: 'x' }).param).toBe('model');
    expect(invalid({ model: 'm', input: 3 }).param).toBe('input');
    expect(invalid({ model: 'm', input: [{ role: 'user', content: 5 }] }).param).toBe(
      'input[0].content',
    );
    expect(
      invalid({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_text' }] }] }).param,
    ).toBe('input[0].content[0].text');
    expect(
      invalid({
        model: 'm',
        input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto' }] }],
      }).param,
    ).toBe('input[0].content[0]');
    expect(
      invalid({ model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }).param,
    ).toBe('input[0].call_id');
    expect(invalid({ model: 'm', input: ['text'] }).param).toBe('input[0]');
    expect(invalid({ model: 'm', tools: [{ type: 'function', parameters: {} }] }).param).toBe(
      'tools[0].name',
    );
    expect(invalid({ model: 'm', tool_choice: 'sometimes' }).param).toBe('tool_choice');
    expect(invalid({ model: 'm', max_output_tokens: -1 }).param).toBe('max_output_tokens');
    const error = invalid({ model: 5, input: 'x' });
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe('Invalid request: "model" must be a string');
  });
});
