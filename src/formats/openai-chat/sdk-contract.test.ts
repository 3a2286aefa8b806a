/** Contract: the openai SDK's chat.completions.stream() accepts what the Chat stream encoder writes, over real HTTP. */
import { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../test/helpers/fake-upstream.js';
import {
  CHAT_SCENARIOS,
  chatTestContext,
  loadChatExpected,
  loadChatStream,
} from '../../../test/helpers/openai-chat-fixtures.js';
import { streamChatWithSdk } from '../../../test/helpers/sdk-clients.js';
import type { IrEvent } from '../../ir/events.js';
import { encodeSse } from '../../sse/encode.js';
import { parseSse } from '../../sse/parse.js';
import { runStep } from '../../streams/step.js';
import { decodeChatRequest } from './decode-request.js';
import { createChatStreamDecoder } from './decode-stream.js';
import { createChatStreamEncoder } from './encode-stream.js';

let upstream: FakeUpstream;
let seed = 0;

beforeAll(async () => {
  upstream = await startFakeUpstream();
});

afterAll(async () => {
  await upstream.close();
});

/** Serves what the encoder writes for `events`, split at random places, and streams it with the SDK. */
function serve(events: IrEvent[], includeUsage = true) {
  const text = encodeSse(
    runStep(
      createChatStreamEncoder(chatTestContext({ includeUsage, model: 'client-model' })),
      events,
    ),
  );
  seed += 1;
  upstream.handle(() => ({ sse: { bytes: text, seed, maxChunk: 37 } }));
  return streamChatWithSdk(`${upstream.url}/v1`, {
    stream_options: { include_usage: includeUsage },
  });
}

const start: IrEvent = {
  type: 'message-start',
  id: 'msg_01XyZ',
  model: 'claude-sonnet-4-6',
  createdAt: 1767000000,
};

describe('openai SDK chat.completions.stream() accepts the Chat stream encoder', () => {
  it('text, with usage', async () => {
    const completion = await serve([
      start,
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Hello, ' },
      { type: 'text-delta', index: 0, delta: 'wörld 🌊' },
      { type: 'text-end', index: 0 },
      { type: 'usage', usage: { inputTokens: 12, outputTokens: 4, cachedInputTokens: 2 } },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(completion).toMatchObject({
      id: 'msg_01XyZ',
      object: 'chat.completion',
      created: 1767000000,
      model: 'client-model',
      usage: {
        prompt_tokens: 12,
        completion_tokens: 4,
        total_tokens: 16,
        prompt_tokens_details: { cached_tokens: 2 },
      },
    });
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]).toMatchObject({
      index: 0,
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'Hello, wörld 🌊', refusal: null },
    });
  });

  it('parallel tool calls after text', async () => {
    const completion = await serve([
      start,
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Checking both.' },
      { type: 'text-end', index: 0 },
      {
        type: 'tool-call-start',
        index: 1,
        callId: 'toolu_01A',
        name: 'get_weather',
        kind: 'function',
      },
      { type: 'tool-call-delta', index: 1, delta: '{"city":' },
      { type: 'tool-call-delta', index: 1, delta: '"Paris"}' },
      { type: 'tool-call-end', index: 1 },
      {
        type: 'tool-call-start',
        index: 2,
        callId: 'toolu_01B',
        name: 'get_time',
        kind: 'function',
      },
      { type: 'tool-call-delta', index: 2, delta: '{"tz":"Europe/Paris"}' },
      { type: 'tool-call-end', index: 2 },
      { type: 'usage', usage: { inputTokens: 30, outputTokens: 20 } },
      { type: 'message-end', finishReason: 'tool-calls' },
    ]);
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBe('Checking both.');
    expect(choice?.message.tool_calls).toEqual([
      {
        id: 'toolu_01A',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
      {
        id: 'toolu_01B',
        type: 'function',
        function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
      },
    ]);
    expect(completion.usage?.total_tokens).toBe(50);
  });

  it('reasoning before the answer', async () => {
    const completion = await serve([
      start,
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, delta: 'Think ' },
      { type: 'reasoning-delta', index: 0, delta: 'hard.' },
      { type: 'reasoning-end', index: 0, signature: 'EqQBCkYIBxgCKkDs' },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, delta: '42' },
      { type: 'text-end', index: 1 },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 9, reasoningTokens: 7 } },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(completion.choices[0]?.message.content).toBe('42');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens_details?.reasoning_tokens).toBe(7);
    // The SDK copies unknown delta fields with Object.assign: it keeps the last piece only.
    expect(completion.choices[0]?.message).toHaveProperty('reasoning_content', 'hard.');
    // The packed reasoning survives the SDK; sent back, it restores the text and the signature.
    const next = decodeChatRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'q' }, completion.choices[0]?.message],
    });
    expect(next.value.messages[1]?.content[0]).toMatchObject({
      type: 'reasoning',
      text: 'Think hard.',
      signature: 'EqQBCkYIBxgCKkDs',
    });
  });

  it('a refusal', async () => {
    const completion = await serve([
      start,
      { type: 'refusal-start', index: 0 },
      { type: 'refusal-delta', index: 0, delta: "I can't help with that." },
      { type: 'refusal-end', index: 0 },
      { type: 'message-end', finishReason: 'refusal' },
    ]);
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: null, refusal: "I can't help with that." },
    });
  });

  it('an error mid-stream makes the SDK throw an APIError with our message', async () => {
    const failure = serve([
      start,
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Half an ans' },
      {
        type: 'error',
        error: { code: 'upstream_overloaded', message: 'Upstream is overloaded, try again' },
      },
    ]);
    await expect(failure).rejects.toBeInstanceOf(APIError);
    await expect(failure).rejects.toThrow('Upstream is overloaded, try again');
  });

  it('an IR stream that stops without message-end still ends properly', async () => {
    const completion = await serve(
      [start, { type: 'text-start', index: 0 }, { type: 'text-delta', index: 0, delta: 'cut sho' }],
      false,
    );
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: 'cut sho' },
    });
    expect(completion.usage).toBeUndefined();
  });

  for (const scenario of CHAT_SCENARIOS.filter((entry) => entry.complete)) {
    it(`transcript ${scenario.name}, decoded and re-encoded`, async () => {
      const events = runStep(createChatStreamDecoder(), parseSse(loadChatStream(scenario.name)));
      const expected = loadChatExpected(scenario.name) as {
        choices: Array<{ message: Record<string, unknown>; finish_reason: string }>;
        usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
      };
      const completion = await serve(events, expected.usage !== undefined);
      const [choice] = completion.choices;
      const want = expected.choices[0];
      expect(choice?.finish_reason).toBe(want?.finish_reason);
      expect(choice?.message.content).toBe(want?.message.content);
      expect(choice?.message.refusal).toBe(want?.message.refusal);
      expect(choice?.message.tool_calls).toEqual(want?.message.tool_calls);
      const annotations = want?.message.annotations as unknown[];
      if (annotations.length > 0) expect(choice?.message.annotations).toEqual(annotations);
      if (expected.usage === undefined) expect(completion.usage).toBeUndefined();
      else {
        expect(completion.usage).toMatchObject({
          prompt_tokens: expected.usage.prompt_tokens,
          completion_tokens: expected.usage.completion_tokens,
          total_tokens: expected.usage.total_tokens,
        });
      }
    });
  }
});
