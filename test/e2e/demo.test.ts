/** `ccproxy serve --demo` answers every route of every built-in provider with no account. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
afterAll(async () => {
  expect(await serve.stop()).toBe(0);
});

const tools = [
  {
    type: 'function' as const,
    function: { name: 'shell', parameters: { type: 'object', properties: {} } },
  },
];

describe('serve --demo', () => {
  it.each(['codex', 'claude', 'copilot'])(
    'answers every client format on /%s, streaming and not',
    async (provider) => {
      const model =
        provider === 'claude'
          ? 'claude-sonnet-4-6'
          : provider === 'copilot'
            ? 'gpt-4.1'
            : 'gpt-5.1-codex';
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
      providers: Record<string, { state: string }>;
    };
    expect(health.plugins).toEqual(expect.arrayContaining(['codex', 'claude_api', 'copilot']));
    expect(Object.values(health.providers).map((p) => p.state)).toEqual([
      'present',
      'present',
      'present',
    ]);
    expect(serve.stderr()).toContain('demo mode');
  });
});
