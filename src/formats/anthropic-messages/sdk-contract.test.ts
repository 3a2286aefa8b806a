/** Contract tests: the official Anthropic SDK reads what the stream encoder writes, over loopback HTTP. */
import { APIError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANTHROPIC_SCENARIOS,
  parseSplit,
  scenarioBytes,
  scenarioExpected,
} from '../../../test/helpers/anthropic-messages-scenarios.js';
import { type FakeUpstream, startFakeUpstream } from '../../../test/helpers/fake-upstream.js';
import { streamMessagesWithSdk } from '../../../test/helpers/sdk-clients.js';
import type { IrEvent } from '../../ir/events.js';
import { encodeSse } from '../../sse/encode.js';
import { runStep } from '../../streams/step.js';
import { createAnthropicStreamDecoder } from './decode-stream.js';
import { createAnthropicStreamEncoder } from './encode-stream.js';

let upstream: FakeUpstream;
let seed = 0;

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream.close();
});

/** Serves what our encoder writes for `events`, cut at random places, to the official SDK. */
async function sdkFinalMessage(events: IrEvent[]) {
  let counter = 0;
  const encoder = createAnthropicStreamEncoder({
    createdAt: 1_760_000_000,
    createId: (prefix) => `${prefix}sdk${++counter}`,
    model: 'claude-sonnet-4-6',
  });
  const text = encodeSse(runStep(encoder, events));
  const current = ++seed;
  upstream.handle(() => ({ sse: { bytes: text, seed: current, maxChunk: 40 } }));
  return streamMessagesWithSdk(upstream.url);
}

describe('the official Anthropic SDK accepts our streams', () => {
  it('text', async () => {
    const message = await sdkFinalMessage([
      { type: 'message-start', id: 'resp_text', model: 'gpt-5' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Low tide ' },
      { type: 'text-delta', index: 0, delta: 'is at 14:12 🌊.' },
      { type: 'text-end', index: 0 },
      { type: 'usage', usage: { inputTokens: 1200, cachedInputTokens: 1000, outputTokens: 9 } },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(message).toMatchObject({
      id: 'resp_text',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'Low tide is at 14:12 🌊.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 200,
        cache_read_input_tokens: 1000,
        cache_creation_input_tokens: 0,
        output_tokens: 9,
      },
    });
  });

  it('parallel tool calls that overlap in the IR', async () => {
    const message = await sdkFinalMessage([
      { type: 'message-start', id: 'resp_tools' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Checking both.' },
      { type: 'tool-call-start', index: 1, callId: 'call_a', name: 'get_tides', kind: 'function' },
      { type: 'tool-call-start', index: 2, callId: 'call_b', name: 'get_tides', kind: 'function' },
      { type: 'tool-call-delta', index: 2, delta: '{"port":"Saint' },
      { type: 'tool-call-delta', index: 1, delta: '{"port":' },
      { type: 'text-end', index: 0 },
      { type: 'tool-call-delta', index: 1, delta: '"Brest"}' },
      { type: 'tool-call-delta', index: 2, delta: '-Malo"}' },
      { type: 'tool-call-end', index: 2 },
      { type: 'tool-call-end', index: 1 },
      { type: 'usage', usage: { inputTokens: 80, outputTokens: 40 } },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(message.content).toEqual([
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'call_a', name: 'get_tides', input: { port: 'Brest' } },
      { type: 'tool_use', id: 'call_b', name: 'get_tides', input: { port: 'Saint-Malo' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 80, output_tokens: 40 });
  });

  it('reasoning with a signature, and encrypted reasoning packed into one', async () => {
    const message = await sdkFinalMessage([
      { type: 'message-start', id: 'msg_r' },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, delta: 'Consider the moon.' },
      { type: 'reasoning-end', index: 0, signature: 'EqQBCkgIsig' },
      { type: 'reasoning-start', index: 1, id: 'rs_9' },
      { type: 'reasoning-end', index: 1, encryptedContent: 'gAAAA' },
      { type: 'text-start', index: 2 },
      { type: 'text-delta', index: 2, delta: 'Twice a day.' },
      { type: 'text-end', index: 2 },
      { type: 'usage', usage: { inputTokens: 10, outputTokens: 30, reasoningTokens: 20 } },
      { type: 'message-end', finishReason: 'stop' },
    ]);
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Consider the moon.', signature: 'EqQBCkgIsig' },
      { type: 'thinking', thinking: '', signature: expect.stringMatching(/^ccpx2\./) },
      { type: 'text', text: 'Twice a day.' },
    ]);
    expect(message.usage.output_tokens_details).toEqual({ thinking_tokens: 20 });
  });

  it('an error mid-stream makes the SDK throw an APIError with our message', async () => {
    const failure = sdkFinalMessage([
      { type: 'message-start', id: 'msg_err' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'The spring' },
      {
        type: 'error',
        error: { code: 'upstream_overloaded', message: 'Upstream is overloaded, retry later' },
      },
    ]);
    await expect(failure).rejects.toBeInstanceOf(APIError);
    const error = (await failure.catch((caught: unknown) => caught)) as APIError;
    expect(error.type).toBe('overloaded_error');
    expect(error.apiMessage).toBe('Upstream is overloaded, retry later');
  });

  it('an IR stream that stops without message-end still gives a final message', async () => {
    const message = await sdkFinalMessage([
      { type: 'message-start', id: 'msg_cut' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Half an ans' },
      { type: 'tool-call-start', index: 1, callId: 'call_x', name: 'f', kind: 'function' },
      { type: 'tool-call-delta', index: 1, delta: '{"a":1}' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 4 } },
    ]);
    expect(message.content).toEqual([
      { type: 'text', text: 'Half an ans' },
      { type: 'tool_use', id: 'call_x', name: 'f', input: { a: 1 } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 5, output_tokens: 4 });
  });

  for (const scenario of ANTHROPIC_SCENARIOS.filter((item) => item.complete)) {
    it(`${scenario.name}: Anthropic upstream -> IR -> our encoder -> SDK gives the upstream's message`, async () => {
      const events = runStep(
        createAnthropicStreamDecoder(),
        parseSplit(scenarioBytes(scenario.name), 9),
      );
      let counter = 0;
      const text = encodeSse(
        runStep(
          createAnthropicStreamEncoder({
            createdAt: 0,
            createId: (prefix) => `${prefix}${++counter}`,
          }),
          events,
        ),
      );
      const current = ++seed;
      upstream.handle(() => ({ sse: { bytes: text, seed: current, maxChunk: 64 } }));
      const message = await streamMessagesWithSdk(upstream.url);
      // `parsed_output` is the SDK's own addition (structured outputs), not a wire field.
      const { parsed_output: parsed, ...wire } = message as typeof message & {
        parsed_output?: unknown;
      };
      expect(parsed).toBeNull();
      const expected = scenarioExpected(scenario.name);
      if (scenario.name === 'drift-unknown') {
        // MessageStream copies only the message_delta fields it knows: our stream carries
        // `context_management` and `usage.iterations` (checked below), the SDK drops them.
        expect(text).toContain('"context_management":{"applied_edits":[]}');
        expect(text).toContain('"iterations":[{"input_tokens":77,"output_tokens":29}]');
        delete expected.context_management;
        delete (expected.usage as Record<string, unknown>).iterations;
      }
      expect(wire).toEqual(expected);
    });
  }
});
