/**
 * The Vercel AI SDK (`ai` with `@ai-sdk/openai` Chat and Responses models and `@ai-sdk/anthropic`)
 * through the real proxy: a streamed text turn and a two-step tool loop on each route.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, type LanguageModel, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { FakeUpstream } from '../helpers/fake-upstream.js';
import { callsTo, PROXY_KEY, secondModelCall, shareRoutes } from './harness.js';
import { callToolThenSay, type Scripts, sayText } from './scripted-fakes.js';

const routes = shareRoutes();

type Route = 'codex' | 'claude' | 'copilot';
interface Case {
  name: string;
  route: Route;
  /** The upstream API the fake must have been called on. */
  upstreamPath: string;
  model: (baseURL: string) => LanguageModel;
}

const openaiChat = (model: string) => (baseURL: string) =>
  createOpenAI({ baseURL, apiKey: PROXY_KEY }).chat(model);
const openaiResponses = (model: string) => (baseURL: string) =>
  createOpenAI({ baseURL, apiKey: PROXY_KEY }).responses(model);
const anthropic = (model: string) => (baseURL: string) =>
  createAnthropic({ baseURL, apiKey: PROXY_KEY })(model);

const CASES: Case[] = [
  {
    name: 'Chat model on /codex',
    route: 'codex',
    upstreamPath: '/backend-api/codex/responses',
    model: openaiChat('gpt-5.1-codex'),
  },
  {
    name: 'Chat model on /copilot',
    route: 'copilot',
    upstreamPath: '/chat/completions',
    model: openaiChat('gpt-4.1'),
  },
  {
    name: 'Chat model on /claude',
    route: 'claude',
    upstreamPath: '/v1/messages',
    model: openaiChat('claude-sonnet-4-5'),
  },
  {
    name: 'Responses model on /codex',
    route: 'codex',
    upstreamPath: '/backend-api/codex/responses',
    model: openaiResponses('gpt-5.1-codex'),
  },
  {
    name: 'Responses model on /claude',
    route: 'claude',
    upstreamPath: '/v1/messages',
    model: openaiResponses('claude-sonnet-4-5'),
  },
  {
    name: 'Responses model on /copilot',
    route: 'copilot',
    upstreamPath: '/responses',
    model: openaiResponses('gpt-5.1'),
  },
  {
    name: 'Anthropic model on /claude',
    route: 'claude',
    upstreamPath: '/v1/messages',
    model: anthropic('claude-sonnet-4-5'),
  },
  {
    name: 'Anthropic model on /codex',
    route: 'codex',
    upstreamPath: '/backend-api/codex/responses',
    model: anthropic('gpt-5.1-codex'),
  },
  {
    name: 'Anthropic model on /copilot',
    route: 'copilot',
    upstreamPath: '/v1/messages',
    model: anthropic('claude-sonnet-4.5'),
  },
];

const upstreamOf = (route: Route): FakeUpstream => routes[route];
/** The second of a case's two model calls, read in the format of the API it went to. */
const secondCall = (route: Route, upstreamPath: string) =>
  secondModelCall(
    upstreamOf(route),
    upstreamPath,
    upstreamPath === '/v1/messages'
      ? 'anthropic-messages'
      : upstreamPath === '/chat/completions'
        ? 'openai-chat'
        : 'openai-responses',
  );
const setScript = (route: Route, script: Scripts[Route]) => {
  routes.scripts[route] = script;
};

describe.each(CASES.filter((entry) => entry.name.startsWith('Responses')))(
  'AI SDK: $name with previous_response_id',
  ({ route, upstreamPath, model }) => {
    it('continues from the previous response by id', async () => {
      setScript(route, (turn) => ({
        text:
          turn.assistantTexts.length === 0
            ? 'High tide at 14:05.'
            : `Before, I said: ${turn.assistantTexts.at(-1)}`,
      }));
      const baseURL = `${routes.proxy.url}/${route}/v1`;
      const first = await generateText({
        model: model(baseURL),
        prompt: 'When is high tide at Brest?',
        maxRetries: 0,
      });
      const responseId = first.providerMetadata?.openai?.responseId;
      expect(typeof responseId).toBe('string');
      // Only the new message goes up; the proxy fills in the conversation from its store.
      const second = await generateText({
        model: model(baseURL),
        prompt: 'And low tide?',
        providerOptions: { openai: { previousResponseId: responseId as string } },
        maxRetries: 0,
      });
      expect(second.text).toBe('Before, I said: High tide at 14:05.');
      const seen = secondCall(route, upstreamPath);
      expect(seen.userTexts).toEqual(['When is high tide at Brest?', 'And low tide?']);
    });
  },
);

describe.each(CASES)('AI SDK: $name', ({ route, upstreamPath, model }) => {
  const baseURL = () => `${routes.proxy.url}/${route}/v1`;

  it('streams a text turn', async () => {
    setScript(route, sayText('Tides follow the moon.'));
    const result = streamText({
      model: model(baseURL()),
      system: 'Answer in one sentence.',
      prompt: 'Why are there tides?',
      maxRetries: 0,
    });
    let streamed = '';
    for await (const delta of result.textStream) streamed += delta;
    expect(streamed).toBe('Tides follow the moon.');
    expect(await result.finishReason).toBe('stop');
    const calls = callsTo(upstreamOf(route), upstreamPath);
    expect(calls).toHaveLength(1);
  });

  it.each(['generateText', 'streamText'] as const)(
    'runs a two-step tool loop with %s (tool call, tool result, final text)',
    async (how) => {
      setScript(
        route,
        callToolThenSay('tide_height', { port: 'Brest' }, (result) => `Brest tide: ${result}`),
      );
      const asked: string[] = [];
      const options = {
        model: model(baseURL()),
        prompt: 'How high is the tide at Brest?',
        tools: {
          tide_height: tool({
            description: 'Height of the tide at a port, in metres',
            inputSchema: z.object({ port: z.string() }),
            execute: async ({ port }) => {
              asked.push(port);
              return { port, metres: 6.4 };
            },
          }),
        },
        stopWhen: stepCountIs(3),
        maxRetries: 0,
      };
      let steps: Array<{ finishReason: string }>;
      let text: string;
      let finishReason: string;
      if (how === 'generateText') {
        const result = await generateText(options);
        ({ steps, text, finishReason } = result);
      } else {
        const result = streamText(options);
        steps = await result.steps;
        text = await result.text;
        finishReason = await result.finishReason;
      }
      expect(asked).toEqual(['Brest']);
      expect(steps).toHaveLength(2);
      expect(steps[0]!.finishReason).toBe('tool-calls');
      expect(text).toMatch(/^Brest tide: .*6\.4/);
      expect(finishReason).toBe('stop');
      // The second request carries the tool's output and still declares the tool.
      const second = secondCall(route, upstreamPath);
      expect(second.toolNames).toContain('tide_height');
      expect(second.toolResults.join('')).toContain('6.4');
      expect(second.userTexts.join('')).toContain('How high is the tide at Brest?');
    },
  );

  it('carries the first answer into a second turn', async () => {
    setScript(route, (turn) => ({
      text: turn.userTexts.length === 1 ? 'High tide at 14:05.' : `Turn ${turn.userTexts.length}.`,
    }));
    const prompt = [{ role: 'user' as const, content: 'When is high tide at Brest?' }];
    // Reasoning asked for: Responses upstreams answer with a reasoning item before the text, which
    // the SDK's Responses model sends back by reference (`store` is left unset).
    const providerOptions = { openai: { reasoningEffort: 'low' } };
    const first = await generateText({
      model: model(baseURL()),
      messages: prompt,
      providerOptions,
      maxRetries: 0,
    });
    expect(first.text).toBe('High tide at 14:05.');
    const second = await generateText({
      model: model(baseURL()),
      messages: [...prompt, ...first.response.messages, { role: 'user', content: 'And low tide?' }],
      providerOptions,
      maxRetries: 0,
    });
    expect(second.text).toBe('Turn 2.');
    // The model must see its own first answer, spelled out, on the second turn.
    const seen = secondCall(route, upstreamPath);
    expect(seen.assistantTexts.join('')).toContain('High tide at 14:05.');
    expect(seen.userTexts.at(-1)).toBe('And low tide?');
  });
});
