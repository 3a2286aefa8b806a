import { describe, expect, it } from 'vitest';
import {
  loadTranscript,
  parseSplit,
  transcriptNames,
} from '../../../test/helpers/openai-responses-kit.js';
import { createLargeCodexStream } from '../../../test/helpers/openai-responses-large-stream.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { parseSse } from '../../sse/parse.js';
import { createResponsesStreamAccumulator } from './accumulate-stream.js';

function accumulate(messages: SseMessage[], options = {}) {
  const accumulator = createResponsesStreamAccumulator(options);
  for (const message of messages) accumulator.push(message);
  return accumulator.result();
}

function sse(events: Array<Record<string, unknown>>): SseMessage[] {
  return events.map((event) => ({ event: String(event.type), data: JSON.stringify(event) }));
}

const created = {
  type: 'response.created',
  sequence_number: 0,
  response: { id: 'resp_1', object: 'response', status: 'in_progress', model: 'm', output: [] },
};

describe('Responses native accumulator over the transcripts', () => {
  const names = transcriptNames();

  it('has every scenario the format must survive', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'text',
        'tool-call',
        'parallel-tool-calls',
        'text-then-tool-call',
        'reasoning',
        'custom-tool-call',
        'refusal',
        'annotations',
        'phase',
        'codex-output-missing',
        'codex-output-empty',
        'codex-output-null',
        'drift-unknown',
        'copilot-rotating-ids',
        'crlf-framing',
        'incomplete-max-tokens',
        'error-failed',
        'truncated',
      ]),
    );
  });

  for (const name of names) {
    it(`rebuilds ${name} exactly, whatever the byte splits`, () => {
      const { bytes, expected } = loadTranscript(name);
      for (const seed of [1, 2, 3, 42]) {
        const result = accumulate(parseSplit(bytes, seed));
        expect(result.body).toEqual(expected);
        expect(result.complete).toBe(name !== 'truncated');
      }
    });
  }

  it('never copies obfuscation or sequence numbers into the body', () => {
    for (const name of ['codex-output-missing', 'parallel-tool-calls', 'reasoning']) {
      const { bytes } = loadTranscript(name);
      expect(bytes.toString()).toContain('"obfuscation"');
      const text = JSON.stringify(accumulate(parseSse(bytes)).body);
      expect(text).not.toContain('obfuscation');
      expect(text).not.toContain('sequence_number');
    }
  });

  it('keeps the final encrypted_content, which differs from the added one', () => {
    const { bytes } = loadTranscript('reasoning');
    expect(bytes.toString()).toContain('gAAAAABpQ2-added-7cT0yHq3==');
    const body = accumulate(parseSse(bytes)).body;
    const output = body.output as Array<Record<string, unknown>>;
    expect(output[0]?.encrypted_content).toBe(
      'gAAAAABpQ2-done-3Jx9vKQ8mZtR1yW5cN0bE7fA4hL6uS2dP==',
    );
  });

  it('reports each unknown event type once, backend events never, bad events as warnings', () => {
    const unknown: string[] = [];
    const warnings: string[] = [];
    const options = {
      onUnknownEvent: (type: string) => unknown.push(type),
      onWarning: (warning: { message: string }) => warnings.push(warning.message),
    };
    accumulate(parseSse(loadTranscript('drift-unknown').bytes), options);
    expect(unknown).toEqual(['response.future_thing.delta', 'telemetry.ping']);
    expect(warnings).toHaveLength(2);
    unknown.length = 0;
    accumulate(parseSse(loadTranscript('codex-output-missing').bytes), options);
    expect(unknown).toEqual([]);
  });

  it('reports the error of a failed stream, keeping the upstream code', () => {
    const result = accumulate(parseSse(loadTranscript('error-failed').bytes));
    expect(result.error).toMatchObject({
      code: 'upstream_rate_limited',
      upstreamCode: 'insufficient_quota',
      message: 'You exceeded your current quota, please check your plan and billing details.',
    });
  });

  it('reports a truncated stream with the truncation error', () => {
    const result = accumulate(parseSse(loadTranscript('truncated').bytes));
    expect(result.complete).toBe(false);
    expect(result.error).toEqual(TRUNCATED_STREAM_ERROR);
  });
});

describe('Responses native accumulator on edge cases', () => {
  it('gives an array output even for an empty stream, and marks it truncated', () => {
    const result = accumulate([]);
    expect(result.body.output).toEqual([]);
    expect(result.body.status).toBe('incomplete');
    expect(result.complete).toBe(false);
  });

  it('fills items that were never streamed from a consistent terminal output', () => {
    const item = {
      id: 'msg_1',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [],
    };
    const result = accumulate(
      sse([
        created,
        {
          type: 'response.completed',
          response: { id: 'resp_1', status: 'completed', output: [item], usage: null },
        },
      ]),
    );
    expect(result.body.output).toEqual([item]);
  });

  it('ignores a terminal output that contradicts what was streamed', () => {
    const streamed = {
      id: 'fc_1',
      type: 'function_call',
      call_id: 'c',
      name: 'f',
      arguments: '{}',
    };
    const result = accumulate(
      sse([
        created,
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { ...streamed, arguments: '' },
        },
        { type: 'response.output_item.done', output_index: 0, item: streamed },
        {
          type: 'response.completed',
          response: { status: 'completed', output: [{ id: 'x', type: 'message', content: [] }] },
        },
      ]),
    );
    expect(result.body.output).toEqual([streamed]);
  });

  it('rebuilds text from deltas without content_part.added and routes by output_index', () => {
    const result = accumulate(
      sse([
        created,
        { type: 'response.output_item.added', output_index: 0, item: { id: 'a', type: 'message' } },
        {
          type: 'response.output_text.delta',
          output_index: 0,
          item_id: 'b',
          content_index: 0,
          delta: 'Hi',
        },
        {
          type: 'response.output_text.delta',
          output_index: 0,
          item_id: 'c',
          content_index: 0,
          delta: '!',
        },
        { type: 'response.completed', response: { status: 'completed' } },
      ]),
    );
    expect(result.body.output).toEqual([
      { id: 'a', type: 'message', content: [{ type: 'output_text', text: 'Hi!' }] },
    ]);
  });

  it('takes the envelope from response.created and every terminal field but output', () => {
    const result = accumulate(
      sse([
        {
          ...created,
          response: { ...created.response, instructions: 'be brief', service_tier: 'auto' },
        },
        {
          type: 'response.completed',
          response: {
            id: 'resp_1',
            status: 'completed',
            service_tier: 'default',
            usage: { input_tokens: 1 },
          },
        },
      ]),
    );
    expect(result.body).toEqual({
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      model: 'm',
      instructions: 'be brief',
      service_tier: 'default',
      usage: { input_tokens: 1 },
      output: [],
    });
  });

  it('marks a response failed by a lone error event', () => {
    const result = accumulate(
      sse([created, { type: 'error', code: 'server_error', message: 'Boom', param: null }]),
    );
    expect(result.body.status).toBe('failed');
    expect(result.body.error).toEqual({ code: 'server_error', message: 'Boom' });
    expect(result.error).toMatchObject({ code: 'upstream_error', message: 'Boom' });
  });

  it('reassembles the 431-event, 315 KB Codex stream (timed by `npm run bench`, not here)', () => {
    const stream = createLargeCodexStream();
    expect(stream.events).toBe(431);
    expect(Buffer.byteLength(stream.sse)).toBeGreaterThan(300_000);
    const messages = parseSse(stream.sse);
    expect(accumulate(messages).body).toEqual(stream.expected);
  });
});
