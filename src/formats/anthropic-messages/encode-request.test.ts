/** Tests of Anthropic request encoding from the neutral requests other formats decode. */
import { describe, expect, it } from 'vitest';
import { packOpaque } from '../../ir/opaque.js';
import type { IrRequest } from '../../ir/request.js';
import { encodeAnthropicRequest } from './encode-request.js';
import { thinksWithBudget } from './encode-thinking.js';
import { CUSTOM_TOOL_SCHEMA } from './encode-tools.js';

/** A request as another format's decoder would build it (no Anthropic meta). */
function foreign(overrides: Partial<IrRequest> = {}): IrRequest {
  return {
    model: 'claude-sonnet-4-6',
    system: [],
    messages: [],
    tools: [],
    stream: true,
    ...overrides,
  };
}

describe('Anthropic request encoding from another format', () => {
  it('sends system as text blocks, defaults max_tokens, and maps stop, user and stream', () => {
    const { value, warnings } = encodeAnthropicRequest(
      foreign({
        system: [
          { type: 'text', text: 'Be brief.' },
          { type: 'text', text: '' },
          { type: 'text', text: 'Use metric units.' },
        ],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
        stop: ['END'],
        user: 'user-123',
        temperature: 0.3,
        topP: 0.8,
      }),
    );
    expect(value).toEqual({
      model: 'claude-sonnet-4-6',
      max_tokens: 32000,
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Use metric units.' },
      ],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      temperature: 0.3,
      top_p: 0.8,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-123' },
      stream: true,
    });
    expect(warnings).toEqual([]);
  });

  it('puts tool results in a user turn, first, merged with the next user message', () => {
    const { value, warnings } = encodeAnthropicRequest(
      foreign({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Oslo?' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }] },
          {
            role: 'assistant',
            content: [
              {
                type: 'tool-call',
                callId: 'call.1|a',
                name: 'weather',
                arguments: '{"city":"Paris"}',
                kind: 'function',
              },
              {
                type: 'tool-call',
                callId: 'call_2',
                name: 'weather',
                arguments: '{"city":',
                kind: 'function',
              },
            ],
          },
          {
            role: 'tool',
            content: [
              {
                type: 'tool-result',
                callId: 'call.1|a',
                content: [{ type: 'text', text: '18°C' }],
              },
            ],
          },
          {
            role: 'tool',
            content: [
              {
                type: 'tool-result',
                callId: 'call_2',
                content: [{ type: 'text', text: 'failed' }],
                isError: true,
              },
            ],
          },
          { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
        ],
      }),
    );
    expect(value.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Oslo?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'call_1_a', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'call_1_a',
            content: [{ type: 'text', text: '18°C' }],
          },
          {
            type: 'tool_result',
            tool_use_id: 'call_2',
            content: [{ type: 'text', text: 'failed' }],
            is_error: true,
          },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
    expect(warnings).toEqual([
      {
        code: 'lossy',
        message: 'Arguments of tool call "weather" are not a JSON object; sent as {}',
        path: 'messages[2].content[1]',
      },
    ]);
  });

  it('sanitises tool ids consistently and without collisions', () => {
    const { value } = encodeAnthropicRequest(
      foreign({
        messages: [
          {
            role: 'assistant',
            content: [
              { type: 'tool-call', callId: 'a.b', name: 'f', arguments: '{}', kind: 'function' },
              { type: 'tool-call', callId: 'a_b', name: 'f', arguments: '{}', kind: 'function' },
            ],
          },
          {
            role: 'tool',
            content: [
              { type: 'tool-result', callId: 'a_b', content: [] },
              { type: 'tool-result', callId: 'a.b', content: [] },
            ],
          },
        ],
      }),
    );
    const ids = (value.messages as Array<{ content: Array<Record<string, unknown>> }>).map(
      (message) => message.content.map((block) => block.id ?? block.tool_use_id),
    );
    expect(ids).toEqual([
      ['a_b', 'a_b_2'],
      ['a_b_2', 'a_b'],
    ]);
  });

  it('wraps custom (freeform) tools and their calls, with lossy warnings', () => {
    const { value, warnings } = encodeAnthropicRequest(
      foreign({
        tools: [
          { kind: 'custom', name: 'apply_patch', description: 'Apply a patch' },
          {
            kind: 'function',
            name: 'ls',
            parameters: { properties: { path: { type: 'string' } } },
          },
          { kind: 'builtin', format: 'openai-responses', value: { type: 'web_search' } },
        ],
        messages: [
          {
            role: 'assistant',
            content: [
              {
                type: 'tool-call',
                callId: 'call_p',
                name: 'apply_patch',
                arguments: '*** Begin Patch',
                kind: 'custom',
              },
            ],
          },
        ],
      }),
    );
    expect(value.tools).toEqual([
      { name: 'apply_patch', description: 'Apply a patch', input_schema: CUSTOM_TOOL_SCHEMA },
      { name: 'ls', input_schema: { type: 'object', properties: { path: { type: 'string' } } } },
    ]);
    expect(value.messages).toEqual([
      {
        role: 'assistant',
        content: [
          {
            type: 'tool_use',
            id: 'call_p',
            name: 'apply_patch',
            input: { input: '*** Begin Patch' },
          },
        ],
      },
    ]);
    expect(warnings.map((warning) => `${warning.code} ${warning.path}`)).toEqual([
      'lossy messages[0].content[0]',
      'lossy tools[0]',
      'dropped tools[2]',
    ]);
  });

  it('sends reasoning only with a native signature', () => {
    const { value, warnings } = encodeAnthropicRequest(
      foreign({
        messages: [
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'native', signature: 'EqQBCkgI' },
              { type: 'reasoning', text: '', redactedData: 'EmwKAh' },
              { type: 'reasoning', text: 'from codex', encryptedContent: 'gAAAA', id: 'rs_1' },
              {
                type: 'reasoning',
                text: 'packed',
                signature: packOpaque({ encryptedContent: 'gAAAA' }),
              },
              { type: 'reasoning', text: 'chat reasoning_content' },
              { type: 'text', text: 'Answer' },
            ],
          },
        ],
      }),
    );
    expect(value.messages).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'native', signature: 'EqQBCkgI' },
          { type: 'redacted_thinking', data: 'EmwKAh' },
          { type: 'text', text: 'Answer' },
        ],
      },
    ]);
    expect(warnings.map((warning) => warning.path)).toEqual([
      'messages[0].content[2]',
      'messages[0].content[3]',
      'messages[0].content[4]',
    ]);
  });

  it('converts images and files, and drops what Anthropic cannot read', () => {
    const { value, warnings } = encodeAnthropicRequest(
      foreign({
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'image',
                source: { kind: 'url', url: 'data:image/png;base64,iVBORw0KGgo=' },
                detail: 'high',
              },
              { type: 'image', source: { kind: 'url', url: 'https://example.test/a.jpg' } },
              { type: 'image', source: { kind: 'file-id', fileId: 'file-openai123' } },
              {
                type: 'file',
                source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' },
                filename: 'a.pdf',
              },
              { type: 'file', source: { kind: 'url', url: 'data:text/plain;base64,aGVsbG8=' } },
              { type: 'file', source: { kind: 'base64', mediaType: 'text/csv', data: 'YSxi' } },
              { type: 'opaque', format: 'openai-chat', value: { type: 'input_audio' } },
              { type: 'text', text: ' \n ' },
            ],
          },
        ],
      }),
    );
    expect(value.messages).toEqual([
      {
        role: 'user',
        content: [
          {
            type: 'image',
            source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
          },
          { type: 'image', source: { type: 'url', url: 'https://example.test/a.jpg' } },
          {
            type: 'document',
            source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
            title: 'a.pdf',
          },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } },
        ],
      },
    ]);
    expect(warnings.map((warning) => `${warning.code} ${warning.path}`)).toEqual([
      'dropped messages[0].content[0]',
      'dropped messages[0].content[2]',
      'dropped messages[0].content[5]',
      'dropped messages[0].content[6]',
    ]);
  });

  it('drops turns left empty and reports them', () => {
    const { value, warnings } = encodeAnthropicRequest(
      foreign({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
          { role: 'assistant', content: [{ type: 'reasoning', text: 'no signature' }] },
          { role: 'user', content: [{ type: 'text', text: 'again' }] },
        ],
      }),
    );
    expect(value.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'user', content: [{ type: 'text', text: 'again' }] },
    ]);
    expect(warnings.map((warning) => warning.path)).toEqual([
      'messages[1].content[0]',
      'messages[1]',
    ]);
  });

  it('maps tool choice and parallel tool calls, and leaves a choice without tools out', () => {
    const tools: IrRequest['tools'] = [
      { kind: 'function', name: 'f', parameters: { type: 'object' } },
    ];
    const choice = (overrides: Partial<IrRequest>) =>
      encodeAnthropicRequest(foreign({ tools, ...overrides })).value.tool_choice;
    expect(choice({ toolChoice: { type: 'required' } })).toEqual({ type: 'any' });
    expect(choice({ toolChoice: { type: 'tool', name: 'f' }, parallelToolCalls: false })).toEqual({
      type: 'tool',
      name: 'f',
      disable_parallel_tool_use: true,
    });
    expect(choice({ toolChoice: { type: 'none' } })).toEqual({ type: 'none' });
    expect(choice({ parallelToolCalls: false })).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    expect(choice({})).toBeUndefined();
    const withoutTools = encodeAnthropicRequest(foreign({ toolChoice: { type: 'required' } }));
    expect(withoutTools.value.tool_choice).toBeUndefined();
    expect(withoutTools.warnings.map((warning) => warning.code)).toEqual(['dropped']);
  });

  it('turns reasoning effort into a thinking budget, keeping max_tokens above it', () => {
    // A model that thinks within a budget (4.5 and older); newer ones think adaptively (below).
    const thinking = (request: Partial<IrRequest>) => {
      const { value } = encodeAnthropicRequest(foreign({ model: 'claude-haiku-4-5', ...request }));
      return { thinking: value.thinking, max_tokens: value.max_tokens };
    };
    expect(thinking({ reasoning: { effort: 'minimal' } })).toEqual({
      thinking: undefined,
      max_tokens: 32000,
    });
    expect(thinking({ reasoning: { effort: 'low' } })).toEqual({
      thinking: { type: 'enabled', budget_tokens: 2048 },
      max_tokens: 32000,
    });
    expect(thinking({ reasoning: { effort: 'medium' } }).thinking).toEqual({
      type: 'enabled',
      budget_tokens: 8192,
    });
    expect(thinking({ reasoning: { effort: 'high' } }).thinking).toEqual({
      type: 'enabled',
      budget_tokens: 24576,
    });
    expect(thinking({ reasoning: { effort: 'xhigh' } })).toEqual({
      thinking: { type: 'enabled', budget_tokens: 32000 },
      max_tokens: 36096,
    });
    expect(thinking({ reasoning: { effort: 'high' }, maxOutputTokens: 10000 })).toEqual({
      thinking: { type: 'enabled', budget_tokens: 8976 },
      max_tokens: 10000,
    });
    expect(thinking({ reasoning: { budgetTokens: 5000 }, maxOutputTokens: 9000 })).toEqual({
      thinking: { type: 'enabled', budget_tokens: 5000 },
      max_tokens: 9000,
    });
    expect(thinking({ reasoning: { enabled: false } }).thinking).toEqual({ type: 'disabled' });
    // An effort named like an Object property is an unknown effort: a medium budget, warned.
    for (const effort of ['toString', 'constructor']) {
      const { value, warnings } = encodeAnthropicRequest(
        foreign({ model: 'claude-haiku-4-5', reasoning: { effort } }),
      );
      expect(value.thinking).toEqual({ type: 'enabled', budget_tokens: 8192 });
      expect(warnings).toContainEqual(expect.objectContaining({ path: 'reasoning.effort' }));
    }
  });

  it('asks models that think adaptively for adaptive thinking steered by output_config.effort', () => {
    const sent = (request: Partial<IrRequest>) => {
      const { value, warnings } = encodeAnthropicRequest(
        foreign({ model: 'claude-opus-4-6', ...request }),
      );
      return { thinking: value.thinking, output_config: value.output_config, warnings };
    };
    expect(sent({ reasoning: { effort: 'high' } })).toEqual({
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high' },
      warnings: [],
    });
    expect(sent({ reasoning: { effort: 'xhigh' } }).output_config).toEqual({ effort: 'max' });
    expect(sent({ reasoning: { effort: 'minimal' } })).toMatchObject({
      thinking: { type: 'adaptive' },
      output_config: { effort: 'low' },
      warnings: [{ code: 'lossy', path: 'reasoning.effort' }],
    });
    expect(sent({ reasoning: { effort: 'none' } })).toEqual({
      thinking: undefined,
      output_config: undefined,
      warnings: [],
    });
    expect(sent({ reasoning: { enabled: true } })).toMatchObject({
      thinking: { type: 'adaptive' },
      output_config: undefined,
    });
    // "max" is Opus's only.
    expect(
      encodeAnthropicRequest(
        foreign({ model: 'claude-sonnet-4-6', reasoning: { effort: 'xhigh' } }),
      ).value.output_config,
    ).toEqual({ effort: 'high' });
    // A forced tool rules thinking out, not the effort; a schema joins the effort.
    const forced = sent({
      reasoning: { effort: 'low' },
      tools: [{ kind: 'function', name: 'f', parameters: { type: 'object' } }],
      toolChoice: { type: 'tool', name: 'f' },
      responseFormat: { type: 'json-schema', name: 'x', schema: { type: 'object' } },
    });
    expect(forced.thinking).toBeUndefined();
    expect(forced.output_config).toEqual({
      effort: 'low',
      format: { type: 'json_schema', schema: { type: 'object' } },
    });
    // A budget stays a budget.
    expect(sent({ reasoning: { budgetTokens: 5000 }, maxOutputTokens: 9000 }).thinking).toEqual({
      type: 'enabled',
      budget_tokens: 5000,
    });
  });

  it('knows which models think within a budget', () => {
    for (const model of [
      'claude-sonnet-4-5',
      'claude-sonnet-4-5-20250929',
      'claude-opus-4-1',
      'claude-opus-4',
      'claude-sonnet-4-20250514',
      'claude-3-7-sonnet-latest',
      'claude-haiku-4-5',
      'claude-sonnet-4-5@20250929',
      'my-own-model',
    ]) {
      expect(thinksWithBudget(model), model).toBe(true);
    }
    for (const model of [
      'claude-opus-4-6',
      'claude-sonnet-4-6',
      'claude-opus-4-7',
      'claude-opus-5',
    ]) {
      expect(thinksWithBudget(model), model).toBe(false);
    }
  });

  it('drops sampling parameters and forced tool choice conflicts that thinking forbids', () => {
    const withThinking = encodeAnthropicRequest(
      foreign({
        model: 'claude-haiku-4-5',
        reasoning: { effort: 'low' },
        temperature: 0.2,
        topP: 0.5,
      }),
    );
    expect(withThinking.value).toMatchObject({
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
    expect(withThinking.value.temperature).toBeUndefined();
    expect(withThinking.value.top_p).toBeUndefined();
    expect(withThinking.warnings.map((warning) => warning.path)).toEqual(['temperature', 'top_p']);
    const forced = encodeAnthropicRequest(
      foreign({
        model: 'claude-haiku-4-5',
        reasoning: { effort: 'medium' },
        tools: [{ kind: 'function', name: 'f', parameters: { type: 'object' } }],
        toolChoice: { type: 'tool', name: 'f' },
        temperature: 0.2,
      }),
    );
    expect(forced.value.thinking).toBeUndefined();
    expect(forced.value.temperature).toBe(0.2);
    expect(forced.warnings.map((warning) => warning.path)).toEqual(['reasoning']);
    const tooSmall = encodeAnthropicRequest(
      foreign({
        model: 'claude-haiku-4-5',
        reasoning: { effort: 'medium' },
        maxOutputTokens: 1500,
      }),
    );
    expect(tooSmall.value.thinking).toBeUndefined();
    expect(tooSmall.warnings.map((warning) => warning.message)).toEqual([
      'Reasoning dropped: max_tokens 1500 leaves no room for a thinking budget',
    ]);
  });

  it('sends a JSON schema response format as structured output, and reports one it cannot send', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const withSchema = encodeAnthropicRequest(
      foreign({ responseFormat: { type: 'json-schema', name: 'x', schema } }),
    );
    expect(withSchema.value.output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(withSchema.warnings).toEqual([]);
    const { value, warnings } = encodeAnthropicRequest(
      foreign({ responseFormat: { type: 'json-object' } }),
    );
    expect(value).not.toHaveProperty('output_config');
    expect(warnings).toEqual([
      {
        code: 'dropped',
        message: 'Response format "json-object" (JSON without a schema) is not sent to Anthropic',
        path: 'response_format',
      },
    ]);
  });
});
