/** Chat request decoding: same-format fidelity, the mapping into the IR, and validation errors. */
import { describe, expect, it } from 'vitest';
import { loadFixtureJson } from '../../../test/helpers/fixtures.js';
import { ProxyError } from '../../errors.js';
import { decodeChatRequest } from './decode-request.js';
import { encodeChatRequest } from './encode-request.js';

const REQUESTS = ['request-full.json', 'request-legacy.json', 'request-options.json'];

function rejection(body: unknown): { code: string; param?: string; message: string } {
  try {
    decodeChatRequest(body);
  } catch (error) {
    if (error instanceof ProxyError) {
      return {
        code: error.code,
        message: error.message,
        ...(error.param ? { param: error.param } : {}),
      };
    }
    throw error;
  }
  throw new Error('expected a rejection');
}

const user = { role: 'user', content: 'hi' };

describe('decodeRequest → encodeRequest in the same format', () => {
  for (const file of REQUESTS) {
    it(`gives ${file} back unchanged`, () => {
      const body = loadFixtureJson('openai-chat', file);
      const decoded = decodeChatRequest(structuredClone(body));
      expect(encodeChatRequest(decoded.value).value).toEqual(body);
      expect(encodeChatRequest(decoded.value).warnings).toEqual([]);
    });
  }

  it('adds only stream_options.include_usage to a streaming request (documented normalisation)', () => {
    const body = { model: 'm', messages: [user], stream: true };
    expect(encodeChatRequest(decodeChatRequest(body).value).value).toEqual({
      ...body,
      stream_options: { include_usage: true },
    });
  });
});

describe('decodeRequest mapping', () => {
  it('maps the full request into the IR', () => {
    const { value, warnings } = decodeChatRequest(
      loadFixtureJson('openai-chat', 'request-full.json'),
    );
    expect(warnings).toEqual([]);
    expect(value).toMatchObject({
      model: 'gpt-4.1-2025-04-14',
      toolChoice: { type: 'tool', name: 'get_weather' },
      parallelToolCalls: false,
      maxOutputTokens: 800,
      temperature: 0.2,
      topP: 0.9,
      stop: ['END'],
      reasoning: { effort: 'low' },
      responseFormat: {
        type: 'json-schema',
        name: 'answer',
        schema: { type: 'object', properties: { text: { type: 'string' } } },
        strict: true,
      },
      user: 'user-42',
      stream: true,
    });
    expect(value.system.map((part) => part.text)).toEqual([
      'You are terse. Answer in French.',
      'Never reveal secrets.',
      'Cite sources.',
    ]);
    // A system message after the first turn stays a message at its place.
    expect(value.messages[5]).toEqual({
      role: 'system',
      content: [{ type: 'text', text: 'The user is on a phone; keep answers short.' }],
    });
    expect(value.system[0]?.meta?.['openai-chat']).toMatchObject({ role: 'developer', message: 0 });
    const extra = value.meta?.['openai-chat']?.extra;
    expect(extra).toMatchObject({
      n: 1,
      seed: 7,
      service_tier: 'flex',
      max_completion_tokens: null,
    });
    expect(value.meta?.['openai-chat']).toMatchObject({
      maxTokensField: 'max_tokens',
      stopIsString: true,
      streamOptions: { include_usage: true, include_obfuscation: false },
    });
  });

  it('decodes user parts: data URLs to base64, files, and unknown parts as opaque', () => {
    const { value } = decodeChatRequest(loadFixtureJson('openai-chat', 'request-full.json'));
    const parts = value.messages[1]?.content ?? [];
    expect(parts.map((part) => ('meta' in part ? { ...part, meta: undefined } : part))).toEqual([
      { type: 'text', text: 'Look at this:', meta: undefined },
      {
        type: 'image',
        source: { kind: 'url', url: 'https://example.com/cat.png' },
        detail: 'high',
        meta: undefined,
      },
      {
        type: 'image',
        source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUg==' },
        meta: undefined,
      },
      {
        type: 'image',
        source: { kind: 'url', url: 'https://example.com/dog.webp' },
        meta: undefined,
      },
      {
        type: 'file',
        source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0xLjcK' },
        filename: 'report.pdf',
        meta: undefined,
      },
      {
        type: 'file',
        source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0xLjQK' },
        filename: 'raw.pdf',
        meta: undefined,
      },
      {
        type: 'file',
        source: { kind: 'file-id', fileId: 'file-6F2ksmvXxt4VdoqmHRw6kL' },
        meta: undefined,
      },
      {
        type: 'opaque',
        format: 'openai-chat',
        value: {
          type: 'input_audio',
          input_audio: { data: 'UklGRiQAAABXQVZFZm10IBAAAAAB', format: 'wav' },
        },
      },
      {
        type: 'opaque',
        format: 'openai-chat',
        value: { type: 'video_url', video_url: { url: 'https://example.com/clip.mp4' } },
      },
    ]);
  });

  it('decodes assistant turns: reasoning, tool calls of both kinds, and results that know their kind', () => {
    const { value } = decodeChatRequest(loadFixtureJson('openai-chat', 'request-full.json'));
    const assistant = value.messages[2];
    expect(assistant?.role).toBe('assistant');
    expect(assistant?.content.slice(0, 3)).toEqual([
      {
        type: 'reasoning',
        text: 'The user wants the weather first.',
        meta: { 'openai-chat': { field: 'reasoning_content' } },
      },
      {
        type: 'tool-call',
        callId: 'call_Wq8nR2tYkL5mZp0aXc3vBd7J',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        kind: 'function',
      },
      {
        type: 'tool-call',
        callId: 'call_Hx4sG9uVeN1oQj6rTb2yKf8M',
        name: 'apply_patch',
        arguments: '*** Begin Patch\n*** End Patch',
        kind: 'custom',
      },
    ]);
    expect(value.messages[4]?.content[0]).toMatchObject({
      type: 'tool-result',
      callId: 'call_Hx4sG9uVeN1oQj6rTb2yKf8M',
      kind: 'custom',
      content: [
        { type: 'text', text: 'Patch applied.' },
        { type: 'text', text: '1 file changed.' },
      ],
    });
    expect(value.messages[8]).toMatchObject({
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          callId: 'call_legacy_1',
          content: [{ type: 'text', text: 'Paris, France' }],
        },
      ],
    });
    expect(value.messages[9]?.content[0]).toEqual({
      type: 'reasoning',
      text: 'Short answer.',
      meta: { 'openai-chat': { field: 'reasoning' } },
    });
  });

  it('maps tools: function, custom and unknown hosted tools', () => {
    const { value } = decodeChatRequest(loadFixtureJson('openai-chat', 'request-full.json'));
    expect(
      value.tools.map((tool) => (tool.kind === 'builtin' ? tool : { ...tool, meta: undefined })),
    ).toEqual([
      {
        kind: 'function',
        name: 'get_weather',
        description: 'Current weather for a city',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        },
        strict: true,
        meta: undefined,
      },
      {
        kind: 'custom',
        name: 'apply_patch',
        description: 'Apply a patch',
        format: { type: 'grammar', grammar: { syntax: 'lark', definition: 'start: /.+/' } },
        meta: undefined,
      },
      {
        kind: 'function',
        name: 'lookup_city',
        parameters: { type: 'object', properties: {} },
        meta: undefined,
      },
      {
        kind: 'builtin',
        format: 'openai-chat',
        value: { type: 'web_search_preview', search_context_size: 'low' },
      },
    ]);
  });

  it('maps legacy functions and function_call', () => {
    const { value } = decodeChatRequest(loadFixtureJson('openai-chat', 'request-legacy.json'));
    expect(value.tools).toMatchObject([{ kind: 'function', name: 'get_weather' }]);
    expect(value.toolChoice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(value.messages[1]?.content).toMatchObject([
      {
        type: 'tool-call',
        callId: 'call_legacy_1',
        name: 'get_weather',
        arguments: '{"city":"Oslo"}',
      },
    ]);
    expect(value.messages[2]?.content).toMatchObject([
      { type: 'tool-result', callId: 'call_legacy_1' },
    ]);
  });

  it('maps allowed_tools to its mode, with a warning', () => {
    const { value, warnings } = decodeChatRequest(
      loadFixtureJson('openai-chat', 'request-options.json'),
    );
    expect(value.toolChoice).toEqual({ type: 'required' });
    expect(warnings).toEqual([
      {
        code: 'lossy',
        message:
          'An "allowed_tools" tool choice is kept only for Chat upstreams; others see its mode',
        path: 'tool_choice',
      },
    ]);
    expect(value.responseFormat).toEqual({ type: 'json-object' });
    expect(value.temperature).toBeUndefined();
  });

  it('accepts what the API documents as optional or nullable', () => {
    const body = {
      model: 'm',
      messages: [
        {
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'function', name: 'f', content: null },
        { role: 'user', content: [{ type: 'text', text: 'x', future: true }, { type: 'mystery' }] },
      ],
      tools: null,
      tool_choice: null,
      stop: null,
      stream: null,
      response_format: { type: 'grammar', grammar: 'x' },
      tool_choice_extra: 1,
    };
    const { value } = decodeChatRequest(body);
    expect(value.stream).toBe(false);
    expect(encodeChatRequest(value).value).toEqual(body);
  });
});

describe('decodeRequest validation', () => {
  it('names the field at fault', () => {
    expect(rejection('hello')).toMatchObject({ code: 'invalid_request', param: 'body' });
    expect(rejection({ messages: [user] })).toEqual({
      code: 'invalid_request',
      param: 'model',
      message: 'Invalid request: "model" is required',
    });
    expect(rejection({ model: 5, messages: [user] })).toEqual({
      code: 'invalid_request',
      param: 'model',
      message: 'Invalid request: "model" must be a string',
    });
    expect(rejection({ model: 'm', messages: 'hi' })).toMatchObject({ param: 'messages' });
    expect(rejection({ model: 'm', messages: [user, { role: 'user', content: 42 }] })).toEqual({
      code: 'invalid_request',
      param: 'messages[1].content',
      message:
        'Invalid request: "messages[1].content" must be a string or an array of content parts',
    });
    // A role added later is read as a user message, so only its content must be readable.
    expect(rejection({ model: 'm', messages: [{ role: 'robot', content: 42 }] })).toMatchObject({
      param: 'messages[0].content',
    });
    const robot = decodeChatRequest({ model: 'm', messages: [{ role: 'robot', content: 'x' }] });
    expect(robot.value.messages).toMatchObject([
      { role: 'user', content: [{ type: 'text', text: 'x' }] },
    ]);
    expect(robot.warnings).toMatchObject([{ code: 'unexpected', path: 'messages[0].role' }]);
    expect(encodeChatRequest(robot.value).value.messages).toEqual([
      { role: 'robot', content: 'x' },
    ]);
    expect(
      rejection({
        model: 'm',
        messages: [
          user,
          {
            role: 'user',
            content: [
              { type: 'text', text: 'x' },
              { type: 'image_url', image_url: {} },
            ],
          },
        ],
      }),
    ).toMatchObject({ param: 'messages[1].content[1].image_url.url' });
    expect(rejection({ model: 'm', messages: [{ role: 'tool', content: 'x' }] })).toMatchObject({
      param: 'messages[0].tool_call_id',
    });
    expect(
      rejection({
        model: 'm',
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f' } }],
          },
        ],
      }),
    ).toMatchObject({ param: 'messages[0].tool_calls[0].function.arguments' });
    expect(
      rejection({ model: 'm', messages: [user], tools: [{ type: 'function', function: {} }] }),
    ).toMatchObject({
      param: 'tools[0].function.name',
    });
    expect(rejection({ model: 'm', messages: [user], tool_choice: 'sometimes' })).toMatchObject({
      param: 'tool_choice',
    });
    expect(rejection({ model: 'm', messages: [user], temperature: 'warm' })).toMatchObject({
      param: 'temperature',
    });
    expect(rejection({ model: 'm', messages: [user], stop: [1] })).toMatchObject({
      param: 'stop[0]',
    });
  });

  it('refuses n > 1 as an unsupported feature naming n', () => {
    expect(rejection({ model: 'm', messages: [user], n: 3 })).toEqual({
      code: 'unsupported_feature',
      param: 'n',
      message: 'Cannot serve "n" = 3: ccproxy answers with exactly one choice',
    });
  });
});
