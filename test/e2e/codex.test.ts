/** The Codex provider end to end: the real server, the official SDKs, a fake Codex backend on loopback. */
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { createLargeCodexStream } from '../helpers/openai-responses-large-stream.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';
import { shareCodexServers } from '../helpers/servers.js';

const transcript = (name: string) => loadFixtureBytes('openai-responses', `${name}.sse`);

const shared = shareCodexServers();

describe('the original report: /codex/v1/chat/completions with stream:false', () => {
  it('answers 200 with the full message, tool calls and usage when response.completed has no output', async () => {
    shared.upstream.handle(fakeCodexBackend({ transcript: transcript('codex-output-missing') }));
    const completion = await openaiClient(`${shared.proxy.url}/codex/v1`).chat.completions.create({
      model: 'gpt-5.1-codex',
      messages: [
        { role: 'system', content: 'You are a coding agent.' },
        { role: 'user', content: 'Why does the tide table test fail?' },
      ],
      max_tokens: 2000,
      tools: [
        {
          type: 'function',
          function: {
            name: 'shell',
            parameters: { type: 'object', properties: { command: { type: 'array' } } },
          },
        },
      ],
    });
    const message = completion.choices[0]!.message;
    expect(message.content).toBe(
      'The parser drops the minus sign. I will run the failing test to confirm.',
    );
    expect(message.tool_calls).toEqual([
      {
        id: 'call_c1Tq9Lw2',
        type: 'function',
        function: {
          name: 'shell',
          arguments: '{"command":["npm","test","--","tide-table"],"workdir":"/home/dev/tides"}',
        },
      },
    ]);
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 2259,
      completion_tokens: 187,
      total_tokens: 2446,
    });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(2176);
    expect(completion.model).toBe('gpt-5.1-codex');

    const sent = shared.upstream.requests[0]!;
    expect(sent.headers).toMatchObject({
      authorization: expect.stringMatching(/^Bearer /),
      'chatgpt-account-id': 'acct-123',
      'openai-beta': 'responses=experimental',
      originator: 'codex_cli_rs',
      accept: 'text/event-stream',
    });
    expect(sent.headers.session_id).toBeTruthy();
    const body = sent.json as Record<string, unknown>;
    expect(body).toMatchObject({
      stream: true,
      store: false,
      instructions: 'You are a coding agent.',
      model: 'gpt-5.1-codex',
    });
    expect(body).not.toHaveProperty('max_output_tokens');
    expect((body.tools as Array<Record<string, unknown>>)[0]).toMatchObject({
      type: 'function',
      name: 'shell',
      strict: false,
    });
  });

  it('rebuilds the 431-event, 315 KB stream of the report', async () => {
    const large = createLargeCodexStream();
    shared.upstream.handle(fakeCodexBackend({ transcript: large.sse }));
    const response = await fetch(`${shared.proxy.url}/codex/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.1-codex', input: 'fix it', stream: false }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.output).toEqual(large.expected.output);
    expect(body.usage).toEqual(large.expected.usage);
  });

  it.each(['codex-output-empty', 'codex-output-null'])(
    'rebuilds the output when completed has %s',
    async (name) => {
      shared.upstream.handle(fakeCodexBackend({ transcript: transcript(name) }));
      const completion = await openaiClient(`${shared.proxy.url}/codex/v1`).chat.completions.create(
        {
          model: 'gpt-5.1-codex',
          messages: [{ role: 'user', content: 'hi' }],
        },
      );
      expect(completion.choices[0]!.message.content).toBeTruthy();
      expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    },
  );
});

describe('every route, streaming and not, with the official SDKs', () => {
  beforeAll(() => {
    shared.upstream.handle(fakeCodexBackend({ transcript: transcript('codex-output-missing') }));
  });

  it('chat completions, streaming', async () => {
    shared.upstream.handle(
      fakeCodexBackend({ transcript: transcript('codex-output-missing'), seed: 7 }),
    );
    const stream = openaiClient(`${shared.proxy.url}/codex/v1`).chat.completions.stream({
      model: 'gpt-5.1-codex',
      messages: [{ role: 'user', content: 'hi' }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe(
      'The parser drops the minus sign. I will run the failing test to confirm.',
    );
    expect(final.choices[0]!.message.tool_calls?.[0]?.function.name).toBe('shell');
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.usage?.total_tokens).toBe(2446);
  });

  it('responses, non-streaming and streaming (finalResponse holds the full output)', async () => {
    const client = openaiClient(`${shared.proxy.url}/codex/v1`);
    const created = await client.responses.create({ model: 'gpt-5.1-codex', input: 'hi' });
    expect(created.output.map((item) => item.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
    ]);
    expect(created.output_text).toBe(
      'The parser drops the minus sign. I will run the failing test to confirm.',
    );

    const events: string[] = [];
    const stream = client.responses.stream({ model: 'gpt-5.1-codex', input: 'hi' });
    stream.on('event', (event) => events.push(event.type));
    const final = await stream.finalResponse();
    expect(final.output.map((item) => item.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
    ]);
    expect(final.usage?.total_tokens).toBe(2446);
    expect(events[0]).toBe('response.created');
    expect(events.some((type) => type.startsWith('codex.'))).toBe(false);
    expect(events.at(-1)).toBe('response.completed');
  });

  it('the legacy /codex/responses base URL of ccproxy-api', async () => {
    const created = await openaiClient(`${shared.proxy.url}/codex`).responses.create({
      model: 'gpt-5.1-codex',
      input: 'hi',
    });
    expect(created.output).toHaveLength(3);
  });

  it('anthropic messages, non-streaming: thinking block, text, tool_use and usage', async () => {
    const message = await anthropicClient(`${shared.proxy.url}/codex`).messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 4096,
      system: 'You are Claude Code.',
      messages: [{ role: 'user', content: 'Why does the tide table test fail?' }],
      tools: [
        {
          name: 'shell',
          input_schema: { type: 'object', properties: { command: { type: 'array' } } },
        },
      ],
    });
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text', 'tool_use']);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.model).toBe('claude-sonnet-4-6');
    expect(message.usage.output_tokens).toBe(187);
    expect(message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0)).toBe(2259);
    const body = shared.upstream.requests[0]!.json as Record<string, unknown>;
    expect(body.model).toBe('gpt-5.6-sol');
    expect(body.instructions).toBe('You are Claude Code.');
  });

  it('anthropic messages, streaming: real thinking blocks, usage in message_delta, tool_use', async () => {
    const stream = anthropicClient(`${shared.proxy.url}/codex`).messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 4096,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await stream.finalMessage();
    expect(final.content.map((block) => block.type)).toEqual(['thinking', 'text', 'tool_use']);
    const thinking = final.content[0] as { thinking: string; signature: string };
    expect(thinking.thinking).toContain('Locating the failing test');
    expect(thinking.signature).not.toBe('');
    expect(final.content[1]).toMatchObject({
      type: 'text',
      text: expect.not.stringContaining('<thinking>'),
    });
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage.output_tokens).toBe(187);
    expect(final.usage.input_tokens).toBeGreaterThan(0);
  });

  it('count_tokens answers with an estimate', async () => {
    const counted = await anthropicClient(`${shared.proxy.url}/codex`).messages.countTokens({
      model: 'claude-sonnet-4-6',
      messages: [
        { role: 'user', content: 'Count these words, please: one two three four five six.' },
      ],
    });
    expect(counted.input_tokens).toBeGreaterThan(5);
  });

  it('lists models for OpenAI and Anthropic clients', async () => {
    const openaiModels = await openaiClient(`${shared.proxy.url}/codex/v1`).models.list();
    expect(openaiModels.data.map((model) => model.id)).toContain('gpt-5.6-sol');
    const anthropicModels = await anthropicClient(`${shared.proxy.url}/codex`).models.list();
    expect(anthropicModels.data[0]).toMatchObject({ type: 'model', id: 'gpt-5.6-sol' });
  });
});
