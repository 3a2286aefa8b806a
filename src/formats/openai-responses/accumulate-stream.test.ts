import { describe, expect, it, vi } from 'vitest';
import {
  loadTranscript,
  parseSplit,
  prettified,
  testContext,
  transcriptNames,
} from '../../../test/helpers/openai-responses-kit.js';
import { createLargeCodexStream } from '../../../test/helpers/openai-responses-large-stream.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { parseSse } from '../../sse/parse.js';
import { createResponsesStreamAccumulator } from './accumulate-stream.js';
import { decodeResponsesResponse } from './decode-response.js';
import { createResponsesStreamDecoder } from './decode-stream.js';
import { createResponsesStreamPassthrough } from './passthrough-stream.js';

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

describe('Responses stream indexes beyond MAX_STREAM_INDEX', () => {
  // Lists walked from 0 held the event loop for a minute on an index like this one; such an
  // index reads as absent, and the events address their item by id.
  const far = 999_999_999;
  const item = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    status: 'in_progress',
    content: [],
  };
  const events = [
    created,
    { type: 'response.output_item.added', sequence_number: 1, output_index: far, item },
    {
      type: 'response.content_part.added',
      sequence_number: 2,
      item_id: 'msg_1',
      output_index: far,
      content_index: far,
      part: { type: 'output_text', text: '', annotations: [] },
    },
    {
      type: 'response.output_text.delta',
      sequence_number: 3,
      item_id: 'msg_1',
      output_index: far,
      content_index: 0,
      delta: 'Hi',
    },
    {
      type: 'response.completed',
      sequence_number: 4,
      response: { id: 'resp_1', object: 'response', status: 'completed', model: 'm' },
    },
  ];

  it('are read as absent: the item is rebuilt where an event without an index puts it', () => {
    const { body } = accumulate(sse(events));
    expect(body.output).toEqual([
      { ...item, content: [{ type: 'output_text', text: 'Hi', annotations: [] }] },
    ]);
  });

  it('are read as absent by the pass-through and the decoder too', () => {
    const passthrough = createResponsesStreamPassthrough(testContext());
    const out = sse(events).flatMap((message) => passthrough.push(message));
    const completed = JSON.parse(out.at(-1)?.data ?? '{}') as {
      response: { output: Array<{ content: Array<{ text: string }> }> };
    };
    expect(completed.response.output[0]?.content[0]?.text).toBe('Hi');
    const decoder = createResponsesStreamDecoder();
    const decoded = [...sse(events).flatMap((message) => decoder.push(message)), ...decoder.end()];
    expect(decoded).toContainEqual(expect.objectContaining({ type: 'text-delta', delta: 'Hi' }));
  });
});

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

/** The result and every callback, for comparing the fast paths with the full path. */
function observe(messages: SseMessage[]) {
  const calls: unknown[] = [];
  const result = accumulate(messages, {
    onWarning: (warning: unknown) => calls.push(['warning', warning]),
    onUnknownEvent: (type: string) => calls.push(['unknown', type]),
  });
  return { result, calls };
}

describe('Responses native accumulator: fast paths give what the full path gives', () => {
  const large = createLargeCodexStream();
  const inputs: Record<string, Uint8Array> = {
    'the 315 KB Codex stream': new TextEncoder().encode(large.sse),
  };
  for (const name of transcriptNames()) inputs[name] = loadTranscript(name).bytes;

  for (const [name, bytes] of Object.entries(inputs)) {
    it(`matches the full path on ${name}, whole, split and cut short`, () => {
      for (const messages of [
        parseSplit(bytes, 1),
        parseSplit(bytes.subarray(0, Math.floor(bytes.length * 0.5)), 2),
        parseSplit(bytes.subarray(0, Math.floor(bytes.length * 0.93)), 3),
        parseSse(bytes.subarray(0, Math.floor(bytes.length * 0.31))),
      ]) {
        expect(observe(messages)).toEqual(observe(prettified(messages)));
      }
    });
  }

  it('parses neither superseded deltas nor a repeated envelope', () => {
    const messages = parseSse(large.sse);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(accumulate(messages).body).toEqual(large.expected);
      const fast = parse.mock.calls.length;
      parse.mockClear();
      accumulate(prettified(messages));
      const full = parse.mock.calls.length;
      // The full path parses every one of the 431 events; the fast path the nested ones only.
      expect(full).toBeGreaterThanOrEqual(431);
      expect(fast).toBeLessThan(40);
    } finally {
      parse.mockRestore();
    }
  });

  it('lets the envelope text go at the first item event: a repeat after it is read in full', () => {
    const lines = large.sse.split('\n\n');
    const created = lines.findIndex((line) => line.startsWith('event: response.created'));
    const inProgress = lines.findIndex((line) => line.startsWith('event: response.in_progress'));
    const firstItem = lines.findIndex((line) => line.startsWith('event: response.output_item'));
    expect(inProgress).toBe(created + 1);
    // The repeated envelope moved after the first item event.
    const moved = [...lines];
    const [repeat] = moved.splice(inProgress, 1);
    moved.splice(firstItem, 0, repeat as string);
    const messages = parseSse(moved.join('\n\n'));
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(accumulate(messages).body).toEqual(large.expected);
      const envelopes = parse.mock.calls.filter(([text]) =>
        /^\{"type":"response\.(created|in_progress)"/.test(String(text)),
      );
      expect(envelopes).toHaveLength(2);
    } finally {
      parse.mockRestore();
    }
  });

  const item = (index: number, text: string) => ({
    type: 'message',
    id: `msg_${index}`,
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text, annotations: [] }],
  });
  const delta = (sequence: number, fields: Record<string, unknown>) => ({
    type: 'response.output_text.delta',
    sequence_number: sequence,
    content_index: 0,
    ...fields,
  });

  it('keeps the order of queued events around one addressed without an output index', () => {
    const messages = sse([
      created,
      {
        type: 'response.output_item.added',
        sequence_number: 1,
        output_index: 0,
        item: { ...item(0, ''), content: [] },
      },
      delta(2, { output_index: 0, delta: 'Hel' }),
      {
        type: 'response.output_item.added',
        sequence_number: 3,
        output_index: 1,
        item: { ...item(1, ''), content: [] },
      },
      delta(4, { output_index: 1, delta: 'Wor' }),
      // By item id, then as the last item: these depend on every event before them.
      delta(5, { item_id: 'msg_0', delta: 'lo' }),
      delta(6, { delta: 'ld' }),
      delta(7, { output_index: 0, delta: '!' }),
      {
        type: 'response.output_item.done',
        sequence_number: 8,
        output_index: 1,
        item: item(1, 'World'),
      },
      delta(9, { output_index: 1, delta: ' after done' }),
    ]);
    const fast = observe(messages);
    expect(fast).toEqual(observe(prettified(messages)));
    const output = fast.result.body.output as Array<{ content: Array<{ text: string }> }>;
    expect(output.map((entry) => entry.content[0]?.text)).toEqual(['Hello!', 'World after done']);
  });

  it('takes a later envelope that differs, and one written differently', () => {
    const inProgress = {
      ...created,
      type: 'response.in_progress',
      sequence_number: 1,
      response: { ...created.response, id: 'resp_2' },
    };
    for (const messages of [
      sse([created, inProgress]),
      sse([created, { ...inProgress, response: created.response }]),
      [
        ...sse([created]),
        {
          event: 'response.in_progress',
          data: JSON.stringify({ ...inProgress, response: created.response }, null, 1),
        },
      ],
    ]) {
      const fast = observe(messages);
      expect(fast).toEqual(observe(prettified(messages)));
      expect(fast.result.body.id).toBe(JSON.parse(messages[1]?.data ?? '{}').response.id);
    }
  });
});

describe('Responses native accumulator for a client of another format (irOnly)', () => {
  /** What a client of another format gets from a body: its IR, but the meta only Responses reads. */
  function irOf(result: ReturnType<typeof accumulate>) {
    const { meta: _meta, ...ir } = decodeResponsesResponse(result.body).value;
    return { ir, complete: result.complete, error: result.error };
  }
  const large = createLargeCodexStream();
  const inputs: Record<string, Uint8Array> = {
    'the 315 KB Codex stream': new TextEncoder().encode(large.sse),
  };
  for (const name of transcriptNames()) inputs[name] = loadTranscript(name).bytes;

  for (const [name, bytes] of Object.entries(inputs)) {
    it(`decodes to the IR of the whole body on ${name}, whole, split and cut short`, () => {
      for (const messages of [
        parseSplit(bytes, 5),
        parseSplit(bytes.subarray(0, Math.floor(bytes.length * 0.6)), 6),
        parseSse(bytes.subarray(0, Math.floor(bytes.length * 0.05))),
      ]) {
        expect(irOf(accumulate(messages, { irOnly: true }))).toEqual(irOf(accumulate(messages)));
      }
    });
  }

  it('parses no lifecycle envelope when the terminal event has every field the IR reads', () => {
    const messages = parseSse(large.sse);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const result = accumulate(messages, { irOnly: true });
      const envelopes = parse.mock.calls.filter(([text]) =>
        /^\{"type":"response\.(created|in_progress)"/.test(String(text)),
      );
      expect(envelopes).toHaveLength(0);
      expect(irOf(result)).toEqual(irOf(accumulate(messages)));
    } finally {
      parse.mockRestore();
    }
  });

  const completed = (response: Record<string, unknown>) => ({
    type: 'response.completed',
    sequence_number: 9,
    response: {
      id: 'resp_1',
      object: 'response',
      created_at: 7,
      status: 'completed',
      model: 'm',
      error: null,
      incomplete_details: null,
      usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 },
      output: [],
      ...response,
    },
  });
  const withInstructions = {
    ...created,
    response: { ...created.response, created_at: 5, instructions: 'be brief' },
  };

  it('reads the envelope when the terminal event lacks a field the IR reads', () => {
    const { model: _model, ...rest } = completed({}).response;
    const result = accumulate(sse([withInstructions, { ...completed({}), response: rest }]), {
      irOnly: true,
    });
    expect(result.body).toMatchObject({ model: 'm', instructions: 'be brief', created_at: 7 });
    // A full terminal event needs nothing from it.
    const covered = accumulate(sse([withInstructions, completed({ model: 'n' })]), {
      irOnly: true,
    });
    expect(covered.body).toMatchObject({ model: 'n', created_at: 7 });
    expect(covered.body).not.toHaveProperty('instructions');
  });

  it('falls back to the last good envelope when a later lifecycle event is no JSON', () => {
    const broken: SseMessage = {
      event: 'response.in_progress',
      data: '{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_2",',
    };
    const warnings: unknown[] = [];
    const options = { irOnly: true, onWarning: (warning: unknown) => warnings.push(warning) };
    // No terminal event: the stream broke off, and the envelope is read.
    const cut = accumulate([...sse([withInstructions]), broken], options);
    expect(cut.body).toMatchObject({
      id: 'resp_1',
      instructions: 'be brief',
      status: 'incomplete',
    });
    expect(cut.complete).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(cut).toEqual(accumulate([...sse([withInstructions]), broken]));
  });
});
