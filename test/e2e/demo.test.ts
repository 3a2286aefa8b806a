/** `ccproxy serve --demo` answers every route of every built-in provider with no account. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';
import { type ServeProcess, startServe } from '../helpers/spawn-cli.js';

let serve: ServeProcess;
beforeAll(async () => {
  const home = mkdtempSync(join(tmpdir(), 'ccproxy-demo-home-'));
  serve = await startServe(['--demo', '--port', '0'], {
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'c'),
    XDG_DATA_HOME: join(home, 'd'),
  });
});
let codexHome: string;
afterAll(async () => {
  expect(await serve.stop()).toBe(0);
  // The demo's throwaway credentials do not outlive the process (SIGTERM included).
  expect(existsSync(codexHome)).toBe(false);
});

const tools = [
  {
    type: 'function' as const,
    function: { name: 'shell', parameters: { type: 'object', properties: {} } },
  },
];

/** A model each built-in provider's demo route serves. */
const DEMO_MODELS: Record<string, string> = {
  codex: 'gpt-5.1-codex',
  claude: 'claude-sonnet-4-6',
  copilot: 'gpt-4.1',
};

describe('serve --demo', () => {
  it.each(Object.keys(DEMO_MODELS))(
    'answers every client format on /%s, streaming and not',
    async (provider) => {
      const model = DEMO_MODELS[provider]!;
      const openai = openaiClient(`${serve.url}/${provider}/v1`);
      const chat = await openai.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(chat.choices[0]!.message.content).toBeTruthy();
      const chatStream = await openai.chat.completions
        .stream({ model, messages: [{ role: 'user', content: 'hi' }], tools })
        .finalChatCompletion();
      expect(chatStream.choices[0]!.message.tool_calls?.length ?? 0).toBeGreaterThan(0);
      const response = await openai.responses.create({ model, input: 'hi' });
      expect(response.output_text).toBeTruthy();
      const responseStream = await openai.responses.stream({ model, input: 'hi' }).finalResponse();
      expect(responseStream.status).toBe('completed');
      const anthropic = anthropicClient(`${serve.url}/${provider}`);
      const message = await anthropic.messages.create({
        model,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(message.content.length).toBeGreaterThan(0);
      const messageStream = await anthropic.messages
        .stream({
          model,
          max_tokens: 100,
          messages: [{ role: 'user', content: 'hi' }],
          tools: [{ name: 'shell', input_schema: { type: 'object' } }],
        })
        .finalMessage();
      expect(messageStream.stop_reason).toBe('tool_use');
      const counted = await anthropic.messages.countTokens({
        model,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(counted.input_tokens).toBeGreaterThan(0);
      const models = await openai.models.list();
      expect(models.data.length).toBeGreaterThan(0);
    },
  );

  it('says it is a demo, and /health shows every provider present', async () => {
    const health = (await (await fetch(`${serve.url}/health`)).json()) as {
      plugins: string[];
      providers: Record<string, { state: string; source?: string }>;
    };
    codexHome = dirname(health.providers.codex!.source!);
    expect(existsSync(join(codexHome, 'auth.json'))).toBe(true);
    expect(health.plugins).toEqual(expect.arrayContaining(['codex', 'claude_api', 'copilot']));
    expect(Object.values(health.providers).map((p) => p.state)).toEqual([
      'present',
      'present',
      'present',
    ]);
    expect(serve.stderr()).toContain('demo mode');
  });

  it.each(Object.keys(DEMO_MODELS))(
    'on /%s, calls only declared tools, with valid arguments, and a tool loop ends after one round',
    async (provider) => {
      const model = DEMO_MODELS[provider]!;
      const weather = {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } },
            required: ['city', 'days'],
          },
        },
      };
      const openai = openaiClient(`${serve.url}/${provider}/v1`);
      // No tool declared: a text answer, never a call to an undeclared tool.
      for (const stream of [false, true]) {
        const plain = stream
          ? await openai.chat.completions
              .stream({ model, messages: [{ role: 'user', content: 'hi' }] })
              .finalChatCompletion()
          : await openai.chat.completions.create({
              model,
              messages: [{ role: 'user', content: 'hi' }],
            });
        expect(plain.choices[0]!.message.tool_calls ?? []).toEqual([]);
        expect(plain.choices[0]!.finish_reason).toBe('stop');
      }
      // An agent's loop: call the declared tool, send its result, get the final text.
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'weather?' }];
      let rounds = 0;
      for (; rounds < 5; rounds++) {
        const turn = await openai.chat.completions
          .stream({ model, messages, tools: [weather] })
          .finalChatCompletion();
        const message = turn.choices[0]!.message;
        if (!message.tool_calls?.length) {
          expect(turn.choices[0]!.finish_reason).toBe('stop');
          expect(message.content).toBeTruthy();
          break;
        }
        const call = message.tool_calls[0]!;
        expect(call.type === 'function' && call.function.name).toBe('get_weather');
        const args = JSON.parse(call.type === 'function' ? call.function.arguments : '{}');
        expect(typeof args.city).toBe('string');
        expect(Number.isInteger(args.days) && args.days >= 1).toBe(true);
        messages.push(
          { role: 'assistant', content: message.content, tool_calls: message.tool_calls },
          { role: 'tool', tool_call_id: call.id, content: 'sunny' },
        );
      }
      expect(rounds).toBe(1);

      // The same loop as the Codex CLI runs it, over the Responses API.
      const responseTools = [
        {
          type: 'function' as const,
          name: 'shell',
          strict: false,
          parameters: weather.function.parameters,
        },
      ];
      const called = await openai.responses
        .stream({ model, input: 'run it', tools: responseTools })
        .finalResponse();
      const functionCall = called.output.find((item) => item.type === 'function_call');
      expect(functionCall).toMatchObject({ name: 'shell' });
      const done = await openai.responses
        .stream({
          model,
          tools: responseTools,
          input: [
            { role: 'user', content: 'run it' },
            functionCall!,
            {
              type: 'function_call_output',
              call_id: functionCall!.type === 'function_call' ? functionCall!.call_id : '',
              output: 'ok',
            },
          ],
        })
        .finalResponse();
      expect(done.output.some((item) => item.type === 'function_call')).toBe(false);
      expect(done.output_text).toBeTruthy();

      // The same loop with the Anthropic SDK.
      const anthropic = anthropicClient(`${serve.url}/${provider}`);
      const tools = [
        {
          name: 'lookup',
          input_schema: {
            type: 'object' as const,
            properties: { query: { type: 'string' } },
            required: ['query'],
          },
        },
      ];
      const first = await anthropic.messages.create({
        model,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'find it' }],
        tools,
      });
      expect(first.stop_reason).toBe('tool_use');
      const use = first.content.find((block) => block.type === 'tool_use');
      expect(use).toMatchObject({ name: 'lookup', input: { query: expect.any(String) } });
      const second = await anthropic.messages
        .stream({
          model,
          max_tokens: 100,
          tools,
          messages: [
            { role: 'user', content: 'find it' },
            { role: 'assistant', content: first.content },
            {
              role: 'user',
              content: [
                {
                  type: 'tool_result',
                  tool_use_id: use!.type === 'tool_use' ? use!.id : '',
                  content: 'found',
                },
              ],
            },
          ],
        })
        .finalMessage();
      expect(second.stop_reason).toBe('end_turn');
      expect(second.content.some((block) => block.type === 'tool_use')).toBe(false);
    },
  );
});
