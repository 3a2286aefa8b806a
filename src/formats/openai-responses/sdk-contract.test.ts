import { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../test/helpers/fake-upstream.js';
import {
  loadTranscript,
  parseSplit,
  run,
  testContext,
} from '../../../test/helpers/openai-responses-kit.js';
import { streamResponsesWithSdk } from '../../../test/helpers/sdk-clients.js';
import type { IrEvent } from '../../ir/events.js';
import { encodeSse } from '../../sse/encode.js';
import { createResponsesStreamEncoder } from './encode-stream.js';
import { createResponsesStreamPassthrough } from './passthrough-stream.js';

let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await startFakeUpstream();
});

afterAll(async () => {
  await upstream.close();
});

/** Serves `sse` split at random places and returns what openai-node's stream helper built. */
async function sdkFinal(sse: string, seed: number) {
  upstream.handle(() => ({ sse: { bytes: sse, seed, maxChunk: 40 } }));
  return streamResponsesWithSdk(upstream.url);
}

function encoded(events: IrEvent[]): string {
  return encodeSse(
    run(createResponsesStreamEncoder(testContext({ model: 'proxy-model' })), events),
  );
}

const start: IrEvent = { type: 'message-start', id: 'msg_01XyZ', model: 'claude-sonnet-4-6' };

describe('openai-node responses.stream() accepts what the encoder writes', () => {
  it('text', async () => {
    const final = await sdkFinal(
      encoded([
        start,
        { type: 'text-start', index: 0 },
        { type: 'text-delta', index: 0, delta: 'Low tide ' },
        { type: 'text-delta', index: 0, delta: 'is at 06:42. 🌊' },
        { type: 'text-end', index: 0 },
        { type: 'usage', usage: { inputTokens: 12, outputTokens: 7, cachedInputTokens: 4 } },
        { type: 'message-end', finishReason: 'stop' },
      ]),
      1,
    );
    expect(final.status).toBe('completed');
    expect(final.model).toBe('proxy-model');
    expect(final.output_text).toBe('Low tide is at 06:42. 🌊');
    expect(final.usage).toEqual({
      input_tokens: 12,
      input_tokens_details: { cached_tokens: 4 },
      output_tokens: 7,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 19,
    });
  });

  it('parallel tool calls, interleaved in the IR', async () => {
    const final = await sdkFinal(
      encoded([
        start,
        {
          type: 'tool-call-start',
          index: 0,
          callId: 'toolu_1',
          name: 'get_tide_times',
          kind: 'function',
        },
        {
          type: 'tool-call-start',
          index: 1,
          callId: 'toolu_2',
          name: 'get_tide_times',
          kind: 'function',
        },
        { type: 'tool-call-delta', index: 1, delta: '{"station":"Half Moon Bay"}' },
        { type: 'tool-call-delta', index: 0, delta: '{"station":' },
        { type: 'tool-call-delta', index: 0, delta: '"Monterey"}' },
        { type: 'tool-call-end', index: 1 },
        { type: 'tool-call-end', index: 0 },
        { type: 'usage', usage: { inputTokens: 80, outputTokens: 30 } },
        { type: 'message-end', finishReason: 'tool-calls' },
      ]),
      2,
    );
    const calls = final.output.filter((item) => item.type === 'function_call');
    expect(calls.map((call) => [call.call_id, call.name, call.arguments])).toEqual([
      ['toolu_1', 'get_tide_times', '{"station":"Monterey"}'],
      ['toolu_2', 'get_tide_times', '{"station":"Half Moon Bay"}'],
    ]);
    expect(final.status).toBe('completed');
    expect(final.usage?.total_tokens).toBe(110);
  });

  it('reasoning then text', async () => {
    const final = await sdkFinal(
      encoded([
        start,
        { type: 'reasoning-start', index: 0 },
        { type: 'reasoning-delta', index: 0, delta: 'Checking the harmonic model.' },
        { type: 'reasoning-end', index: 0, encryptedContent: 'gAAAAABenc==' },
        { type: 'text-start', index: 1 },
        { type: 'text-delta', index: 1, delta: 'High tide at 12:58.' },
        { type: 'text-end', index: 1 },
        { type: 'usage', usage: { inputTokens: 30, outputTokens: 90, reasoningTokens: 60 } },
        { type: 'message-end', finishReason: 'stop' },
      ]),
      3,
    );
    const reasoning = final.output[0];
    expect(reasoning).toMatchObject({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Checking the harmonic model.' }],
      encrypted_content: 'gAAAAABenc==',
    });
    expect(final.output_text).toBe('High tide at 12:58.');
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(60);
  });

  it('an error mid-stream makes the SDK throw an APIError with our message', async () => {
    const sse = encoded([
      start,
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'Partial answer' },
      {
        type: 'error',
        error: { code: 'upstream_overloaded', message: 'Claude is overloaded, try later' },
      },
    ]);
    const failure = await sdkFinal(sse, 4).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('Claude is overloaded, try later');
  });

  it('an IR stream that stops without message-end still gives a final response', async () => {
    const final = await sdkFinal(
      encoded([
        start,
        { type: 'text-start', index: 0 },
        { type: 'text-delta', index: 0, delta: 'Cut sho' },
      ]),
      5,
    );
    expect(final.status).toBe('incomplete');
    expect(final.output_text).toBe('Cut sho');
  });
});

describe('openai-node responses.stream() accepts normalized Codex streams', () => {
  it('needs the normalizer: raw Codex streams break it (the founding defect)', async () => {
    const raw = loadTranscript('codex-output-missing').bytes.toString();
    await expect(sdkFinal(raw, 1)).rejects.toThrow(/expected 'response\.created'/);
    const withoutRateLimits = raw.replace(/^event: codex\.rate_limits\ndata: .*\n\n/m, '');
    await expect(sdkFinal(withoutRateLimits, 1)).rejects.toThrow(/not iterable/);
    const empty = loadTranscript('codex-output-empty').bytes.toString();
    const lost = await sdkFinal(empty.replace(/^event: codex\.rate_limits\ndata: .*\n\n/m, ''), 1);
    expect(lost.output).toEqual([]);
  });

  for (const name of ['codex-output-missing', 'codex-output-empty', 'codex-output-null']) {
    it(`${name}: finalResponse() holds every item`, async () => {
      const { bytes, expected } = loadTranscript(name);
      const normalizer = createResponsesStreamPassthrough(testContext({ model: 'gpt-5-codex' }));
      const sse = encodeSse(run(normalizer, parseSplit(bytes, 7)));
      const final = await sdkFinal(sse, 6);
      const output = expected.output as Array<Record<string, unknown>>;
      expect(final.model).toBe('gpt-5-codex');
      expect(final.status).toBe('completed');
      expect(final.output.map((item) => item.id)).toEqual(output.map((item) => item.id));
      expect(final.output_text).toBe(
        'The parser drops the minus sign. I will run the failing test to confirm.',
      );
      expect(final.usage).toEqual(expected.usage);
    });
  }

  it('a truncated Codex stream makes the SDK throw, never ends as a finished response', async () => {
    const normalizer = createResponsesStreamPassthrough(testContext());
    const sse = encodeSse(run(normalizer, parseSplit(loadTranscript('truncated').bytes, 8)));
    const failure = await sdkFinal(sse, 9).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('Upstream stream ended before its final event');
  });

  it('a failed stream makes the SDK throw with the upstream message', async () => {
    const normalizer = createResponsesStreamPassthrough(testContext());
    const sse = encodeSse(run(normalizer, parseSplit(loadTranscript('error-failed').bytes, 10)));
    const failure = await sdkFinal(sse, 11).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('You exceeded your current quota');
  });
});
