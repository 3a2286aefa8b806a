/**
 * Requests as the newest clients send them: every construct is mapped to the other formats at
 * its place, or dropped with a warning, and a same-format encode gives the client's body back.
 */
import { describe, expect, it } from 'vitest';
import { loadFixtureJson } from '../../test/helpers/fixtures.js';
import { formats } from '../formats/index.js';
import type { JsonObject } from '../util/json.js';
import { droppedClientFields } from './foreign-fields.js';

const claudeCode = (): JsonObject =>
  loadFixtureJson('anthropic-messages', 'request-claude-code-2.1.197.json');

function fromAnthropic(body: JsonObject) {
  return formats['anthropic-messages'].decodeRequest(body);
}

function roles(items: unknown[]): string[] {
  return items.map((item) => {
    const record = item as JsonObject;
    return String(record.role ?? record.type);
  });
}

describe('Anthropic requests from Claude Code 2.1.197', () => {
  it('decode without a warning and encode back to the same body', () => {
    const body = claudeCode();
    const decoded = fromAnthropic(body);
    expect(decoded.warnings).toEqual([]);
    expect(formats['anthropic-messages'].encodeRequest(decoded.value).value).toEqual(body);
  });

  it('keep a system message between turns as an instruction at its place', () => {
    const { value } = fromAnthropic(claudeCode());
    expect(value.messages.map((message) => message.role)).toEqual([
      'user',
      'system',
      'assistant',
      'tool',
      'system',
      'assistant',
      'tool',
      'user',
    ]);
    expect(value.messages[1]).toMatchObject({
      role: 'system',
      content: [{ type: 'text', text: expect.stringContaining('opened the file') }],
    });
  });

  it('set the billing block apart from the system prompt', () => {
    const { value } = fromAnthropic(claudeCode());
    expect(value.system.map((part) => part.text)).toEqual([
      "You are Claude Code, Anthropic's official CLI for Claude.",
      expect.stringContaining('interactive CLI tool'),
    ]);
  });

  it('go to Responses with instructions at their place, effort, and no Anthropic-only fields', () => {
    const { value } = fromAnthropic(claudeCode());
    const encoded = formats['openai-responses'].encodeRequest(value);
    const body = encoded.value;
    const input = body.input as JsonObject[];
    expect(roles(input)).toEqual([
      'user',
      'system',
      'assistant',
      'function_call',
      'function_call_output',
      'system',
      'function_call',
      'function_call_output',
      'user',
    ]);
    expect(input[1]).toEqual({
      type: 'message',
      role: 'system',
      content: [{ type: 'input_text', text: expect.stringContaining('opened the file') }],
    });
    expect(body.instructions).not.toContain('x-anthropic-billing-header');
    expect(body.instructions).toContain("You are Claude Code, Anthropic's official CLI");
    expect(body.reasoning).toEqual({ effort: 'high' });
    expect(JSON.stringify(body)).not.toContain('x-anthropic-billing-header');
    expect(body).not.toHaveProperty('context_management');
    expect(body).not.toHaveProperty('output_config');
  });

  it('go to Chat with a system message at each place and reasoning_effort', () => {
    const { value } = fromAnthropic(claudeCode());
    const body = formats['openai-chat'].encodeRequest(value).value;
    const messages = body.messages as JsonObject[];
    expect(roles(messages)).toEqual([
      'system',
      'user',
      'system',
      'assistant',
      'tool',
      'system',
      'assistant',
      'tool',
      'user',
    ]);
    expect(messages[2]).toEqual({
      role: 'system',
      content: expect.stringContaining('opened the file'),
    });
    expect(messages[0]?.content).not.toContain('x-anthropic-billing-header');
    expect(body.reasoning_effort).toBe('high');
  });
});

describe('Anthropic request tolerance', () => {
  const minimal = { model: 'claude-x', max_tokens: 64 };

  it('reads an unknown role by its nearest meaning, with a warning', () => {
    const { value, warnings } = fromAnthropic({
      ...minimal,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'developer', content: 'be brief' },
        { role: 'critic', content: 'b' },
      ],
    });
    expect(value.messages.map((message) => message.role)).toEqual(['user', 'system', 'user']);
    expect(warnings.map((warning) => warning.path)).toEqual([
      'messages[1].role',
      'messages[2].role',
    ]);
  });

  it('drops a block that is not text from the system prompt, with a warning', () => {
    const { value, warnings } = fromAnthropic({
      ...minimal,
      system: [
        { type: 'image', source: {} },
        { type: 'text', text: 'hi' },
      ],
      messages: [{ role: 'user', content: 'a' }],
    });
    expect(value.system.map((part) => part.text)).toEqual(['hi']);
    expect(warnings).toMatchObject([{ code: 'dropped', path: 'system[0]' }]);
  });

  it('says what is wrong with a field of the wrong type', () => {
    expect(() => fromAnthropic({ ...minimal, model: 5, messages: [] })).toThrow(
      'Invalid request: "model" must be a string',
    );
    expect(() => fromAnthropic({ ...minimal, max_tokens: -1, messages: [] })).toThrow(
      'Invalid request: "max_tokens" must be at least 0',
    );
  });
});

describe('instructions between turns from Chat and Responses clients', () => {
  it('Chat: a later system or developer message stays at its place on every format', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'system', content: 'lead' },
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'developer', content: 'now be brief' },
        { role: 'user', content: 'c' },
      ],
    };
    const { value } = formats['openai-chat'].decodeRequest(body);
    expect(value.system.map((part) => part.text)).toEqual(['lead']);
    expect(value.messages[2]).toEqual({
      role: 'system',
      developer: true,
      content: [{ type: 'text', text: 'now be brief' }],
    });
    expect(formats['openai-chat'].encodeRequest(value).value.messages).toEqual(body.messages);
    const responses = formats['openai-responses'].encodeRequest(value).value;
    expect(responses.instructions).toBe('lead');
    expect((responses.input as JsonObject[])[2]).toEqual({
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: 'now be brief' }],
    });
    const anthropic = formats['anthropic-messages'].encodeRequest(value).value;
    expect(anthropic.system).toEqual([{ type: 'text', text: 'lead' }]);
    expect(anthropic.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'a' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
      { role: 'system', content: 'now be brief' },
      { role: 'user', content: [{ type: 'text', text: 'c' }] },
    ]);
  });

  it('Responses: a later system message stays at its place and comes back as it came', () => {
    const body = {
      model: 'm',
      input: [
        { role: 'developer', content: 'lead' },
        { role: 'user', content: 'a' },
        { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'mind' }] },
        { role: 'user', content: 'c' },
      ],
    };
    const { value } = formats['openai-responses'].decodeRequest(body);
    expect(value.system.map((part) => part.text)).toEqual(['lead']);
    expect(value.messages.map((message) => message.role)).toEqual(['user', 'system', 'user']);
    expect(formats['openai-responses'].encodeRequest(value).value).toEqual(body);
    const chat = formats['openai-chat'].encodeRequest(value).value;
    expect(chat.messages).toEqual([
      { role: 'system', content: 'lead' },
      { role: 'user', content: 'a' },
      { role: 'system', content: 'mind' },
      { role: 'user', content: 'c' },
    ]);
  });
});

describe('fields only the client format has', () => {
  it('are reported when a converting route leaves them out', () => {
    const { value } = fromAnthropic({
      model: 'claude-x',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'a' }],
      top_k: 5,
      metadata: { user_id: 'u', tenant: 't' },
      context_management: { edits: [] },
      output_config: { effort: 'low', task_budget: 3 },
    });
    const paths = droppedClientFields(value, 'anthropic-messages', 'openai-chat').map(
      (warning) => `${warning.path}: ${warning.message}`,
    );
    expect(paths).toEqual([
      'context_management: "context_management" has no counterpart in openai-chat and was left out',
      'output_config: "output_config" (task_budget) has no counterpart in openai-chat and was left out',
      'top_k: "top_k" has no counterpart in openai-chat and was left out',
      'metadata: "metadata" (tenant) has no counterpart in openai-chat and was left out',
    ]);
    expect(droppedClientFields(value, 'anthropic-messages', 'anthropic-messages')).toEqual([]);
    const chat = formats['openai-chat'].decodeRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'a' }],
      seed: 7,
      logit_bias: null,
    });
    expect(
      droppedClientFields(chat.value, 'openai-chat', 'openai-responses').map((w) => w.path),
    ).toEqual(['seed']);
  });

  it('include fields named like Object properties, `__proto__` too, from every client format', () => {
    const bodies = {
      'openai-chat': '{"model":"m","messages":[{"role":"user","content":"a"}]',
      'anthropic-messages':
        '{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a"}]',
      'openai-responses': '{"model":"m","input":"a"',
    } as const;
    for (const [format, start] of Object.entries(bodies) as Array<[keyof typeof bodies, string]>) {
      // As JSON.parse gives them: `__proto__` an own field, like `constructor`.
      const body = JSON.parse(`${start},"__proto__":{"x":1},"constructor":{"y":2}}`);
      const { value } = formats[format].decodeRequest(body);
      const upstream = format === 'openai-chat' ? 'anthropic-messages' : 'openai-chat';
      expect(droppedClientFields(value, format, upstream).map((w) => w.path)).toEqual([
        '__proto__',
        'constructor',
      ]);
    }
  });
});

describe('an instruction between tool calls and their results', () => {
  // Neither upstream accepts anything between a call and its result: the instruction goes after.
  it.each([
    {
      target: 'anthropic-messages' as const,
      model: 'claude-sonnet-4-5',
      instruction: 'developer',
      after: [],
      roles: ['user', 'assistant', 'user', 'system'],
      result: { content: [{ type: 'tool_result', tool_use_id: 'c1' }] },
    },
    {
      target: 'openai-chat' as const,
      model: 'm',
      instruction: 'system',
      after: [{ role: 'user', content: 'thanks' }],
      roles: ['user', 'assistant', 'tool', 'system', 'user'],
      result: { role: 'tool', tool_call_id: 'c1' },
    },
  ])('toward $target: a $instruction message goes after the results', (entry) => {
    const { value } = formats['openai-responses'].decodeRequest({
      model: entry.model,
      input: [
        { role: 'user', content: 'list files' },
        { type: 'function_call', call_id: 'c1', name: 'ls', arguments: '{}' },
        { role: entry.instruction, content: 'Keep it short.' },
        { type: 'function_call_output', call_id: 'c1', output: 'a.txt' },
        ...entry.after,
      ],
    });
    const { value: body, warnings } = formats[entry.target].encodeRequest(value);
    const messages = body.messages as JsonObject[];
    expect(messages.map((message) => message.role)).toEqual(entry.roles);
    expect(messages[2]).toMatchObject(entry.result);
    expect(warnings).toMatchObject([{ code: 'lossy', path: 'messages[2]' }]);
  });
});
