/**
 * Request mappings on converting routes, through the real server against fake upstreams, with
 * the official SDKs reading the answers: custom tool calls for Chat clients (and back), reasoning
 * effort toward Claude, and instructions between turns from Chat clients.
 */
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { fakeAnthropicApi, MID_CONVERSATION_SYSTEM_BETA } from '../helpers/fake-anthropic.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { openaiClient } from '../helpers/sdk-clients.js';
import { closeServersAfterEach, shareCodexServers } from '../helpers/servers.js';

type Body = Record<string, unknown>;

const PATCH =
  '*** Begin Patch\n*** Update File: src/tide-table.ts\n@@\n-const HEIGHT = /^(\\d+\\.\\d+)$/;\n+const HEIGHT = /^(-?\\d+\\.\\d+)$/;\n*** End Patch\n';

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'custom',
    custom: {
      name: 'apply_patch',
      description: 'Edit files.',
      format: { type: 'grammar', grammar: { syntax: 'lark', definition: 'start: "x"' } },
    },
  },
];

describe('Codex custom tool calls for Chat clients', () => {
  const shared = shareCodexServers(
    fakeCodexBackend({
      transcript: loadFixtureBytes('openai-responses', 'custom-tool-call.sse'),
    }),
  );

  const ask = {
    model: 'gpt-5.1-codex',
    messages: [{ role: 'user' as const, content: 'Fix the tide parser.' }],
    tools,
  };

  it('streams a custom call as a function call with {"input": raw} the SDK helper reads', async () => {
    const completion = await openaiClient(`${shared.proxy.url}/codex/v1`)
      .chat.completions.stream(ask)
      .finalChatCompletion();
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('apply_patch');
    expect(JSON.parse(call.function.arguments)).toEqual({ input: PATCH });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('answers a non-streaming client the same way', async () => {
    const completion = await openaiClient(`${shared.proxy.url}/codex/v1`).chat.completions.create(
      ask,
    );
    const call = completion.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(JSON.parse(call.function.arguments)).toEqual({ input: PATCH });
  });

  it('turns the function form back into the custom call on the next turn', async () => {
    const client = openaiClient(`${shared.proxy.url}/codex/v1`);
    const first = await client.chat.completions.stream(ask).finalChatCompletion();
    const message = first.choices[0]?.message;
    const callId = message?.tool_calls?.[0]?.id ?? '';
    shared.upstream.requests.length = 0;
    await client.chat.completions
      .stream({
        ...ask,
        messages: [
          ...ask.messages,
          {
            role: 'assistant',
            content: null,
            tool_calls:
              message?.tool_calls as OpenAI.Chat.Completions.ChatCompletionMessageToolCall[],
          },
          { role: 'tool', tool_call_id: callId, content: 'Done.' },
          { role: 'developer', content: 'Run the tests next.' },
        ],
      })
      .finalChatCompletion();
    const input = (shared.upstream.requests[0]?.json as Body | undefined)?.input as Body[];
    expect(input.find((item) => item.type === 'custom_tool_call')).toMatchObject({
      call_id: callId,
      name: 'apply_patch',
      input: PATCH,
    });
    expect(input.find((item) => item.type === 'custom_tool_call_output')).toMatchObject({
      call_id: callId,
      output: 'Done.',
    });
    // The developer message after the turns stays at its place, as a developer item.
    expect(input.at(-1)).toEqual({
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: 'Run the tests next.' }],
    });
  });
});

describe('toward Claude', () => {
  const servers = closeServersAfterEach();

  it('asks an adaptive model for adaptive thinking with output_config.effort', async () => {
    servers.upstream = await startFakeUpstream(
      fakeAnthropicApi({ transcript: 'text', auth: { mode: 'api-key', key: 'k' } }),
    );
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    const client = openaiClient(`${servers.proxy.url}/claude/v1`);
    const response = await client.responses
      .stream({ model: 'claude-opus-4-6', input: 'hi', reasoning: { effort: 'high' } })
      .finalResponse();
    expect(response.output_text).not.toBe('');
    const completion = await client.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'hi' }],
      reasoning_effort: 'low',
    });
    expect(completion.choices[0]?.message.content).not.toBe('');
    const [adaptive, budget] = servers.upstream.requests.map((request) => request.json as Body);
    expect(adaptive).toMatchObject({
      thinking: { type: 'adaptive' },
      output_config: { effort: 'high' },
    });
    // A model that thinks within a budget gets one.
    expect(budget?.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(budget).not.toHaveProperty('output_config');
  });
  it('sends an instruction between turns as a system message, with its beta', async () => {
    servers.upstream = await startFakeUpstream(
      fakeAnthropicApi({ transcript: 'text', auth: { mode: 'api-key', key: 'k' } }),
    );
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    // The fake answers 400 to a system message sent without the beta, as the API does.
    const completion = await openaiClient(`${servers.proxy.url}/claude/v1`)
      .chat.completions.stream({
        model: 'claude-sonnet-4-5',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'developer', content: 'Answer in French from now on.' },
          { role: 'user', content: 'bread?' },
        ],
      })
      .finalChatCompletion();
    expect(completion.choices[0]?.message.content).not.toBe('');
    const sent = servers.upstream.requests[0];
    const body = sent?.json as Body;
    expect(body.system).toEqual([{ type: 'text', text: 'You are terse.' }]);
    expect((body.messages as Body[]).map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'system',
      'user',
    ]);
    expect((body.messages as Body[])[2]).toEqual({
      role: 'system',
      content: 'Answer in French from now on.',
    });
    expect(String(sent?.headers['anthropic-beta'])).toContain(MID_CONVERSATION_SYSTEM_BETA);
  });
});
