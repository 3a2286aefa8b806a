import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  loadTranscript,
  parseSplit,
  prettified,
  run,
  testContext,
  transcriptNames,
} from '../../../test/helpers/openai-responses-kit.js';
import { createLargeCodexStream } from '../../../test/helpers/openai-responses-large-stream.js';
import { cutText } from '../../../test/helpers/split.js';
import { createSseSerializer } from '../../sse/encode.js';
import type { SseMessage } from '../../sse/message.js';
import { parseChunks, parseSse } from '../../sse/parse.js';
import type { IrErrorEvent } from '../format.js';
import { createResponsesStreamAccumulator } from './accumulate-stream.js';
import { createResponsesStreamPassthrough } from './passthrough-stream.js';

type Json = Record<string, unknown>;

function normalize(messages: SseMessage[], context = testContext(), options = {}) {
  const out = run(createResponsesStreamPassthrough(context, options), messages);
  return { out, events: out.map((message) => JSON.parse(message.data) as Json) };
}

function sse(events: Json[]): SseMessage[] {
  return events.map((event) => ({ event: String(event.type), data: JSON.stringify(event) }));
}

const created = {
  type: 'response.created',
  sequence_number: 0,
  response: {
    id: 'resp_1',
    object: 'response',
    status: 'in_progress',
    model: 'gpt-5.1-codex-max',
    output: [],
  },
};

describe('Responses stream normalizer', () => {
  it('forwards a clean stream byte for byte', () => {
    const messages = parseSse(loadTranscript('text').bytes);
    const { out } = normalize(messages);
    expect(out).toEqual(messages);
  });

  it("drops Codex-only events, keeps the upstream's numbers and fills the missing output", () => {
    const { bytes, expected } = loadTranscript('codex-output-missing');
    const input = parseSplit(bytes, 3);
    const { events } = normalize(input);
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('response.created');
    expect(types).not.toContain('codex.rate_limits');
    expect(types).not.toContain('keepalive');
    // A dropped keepalive leaves a gap in the numbers, as for a client that skips it.
    const kept = input
      .filter((message) => !/^(codex\.|keepalive)/.test(message.event ?? ''))
      .map((message) => (JSON.parse(message.data) as Json).sequence_number);
    expect(kept).toContain(0);
    expect(input.some((message) => message.event === 'keepalive')).toBe(true);
    expect(events.map((event) => event.sequence_number)).toEqual(kept);
    const completed = events.at(-1) as Json;
    expect(completed.type).toBe('response.completed');
    expect((completed.response as Json).output).toEqual(expected.output);
  });

  it('numbers an event the last number plus one when its own is missing or not above it', () => {
    const deltaEvent = (sequence?: number) => ({
      type: 'response.output_text.delta',
      ...(sequence === undefined ? {} : { sequence_number: sequence }),
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'a',
    });
    const wire = sse([
      { ...created, sequence_number: 3 },
      deltaEvent(7),
      deltaEvent(7),
      deltaEvent(),
      deltaEvent(2),
      deltaEvent(20),
    ])
      .map((message) => `event: ${message.event}\ndata: ${message.data}\n\n`)
      .join('');
    // Event by event and as the parser's runs of deltas.
    const probe = createResponsesStreamPassthrough(testContext());
    const runs = parseChunks([Buffer.from(wire)], {
      plain: probe.plain,
      plainRun: probe.plainRun,
    });
    expect(runs.filter((message) => message.raw !== undefined).length).toBe(2);
    for (const messages of [parseSse(wire), runs]) {
      const step = createResponsesStreamPassthrough(testContext());
      const text = run(createSseSerializer(), run(step, messages))
        .map((piece) => Buffer.from(piece).toString())
        .join('');
      const numbers = parseSse(text).map((message) => JSON.parse(message.data).sequence_number);
      expect(numbers).toEqual([3, 7, 8, 9, 10, 20, 21, 22]);
    }
  });

  it('keeps every other field of a forwarded event untouched', () => {
    const input = parseSse(loadTranscript('codex-output-null').bytes);
    const { events } = normalize(input);
    const originals = input
      .map((message) => JSON.parse(message.data) as Json)
      .filter((event) => event.type !== 'codex.rate_limits' && event.type !== 'keepalive');
    events.slice(0, -1).forEach((event, index) => {
      const { sequence_number: _a, ...rest } = event;
      const { sequence_number: _b, ...original } = originals[index] as Json;
      expect(rest).toEqual(original);
    });
  });

  it('fills an empty and a null terminal output', () => {
    for (const name of ['codex-output-empty', 'codex-output-null']) {
      const { bytes, expected } = loadTranscript(name);
      const completed = normalize(parseSse(bytes)).events.at(-1) as Json;
      expect((completed.response as Json).output).toEqual(expected.output);
    }
  });

  it('shows the context model in every envelope', () => {
    const { events } = normalize(
      parseSse(loadTranscript('phase').bytes),
      testContext({ model: 'my-codex' }),
    );
    const models = events
      .filter((event) => event.response !== undefined)
      .map((event) => (event.response as Json).model);
    expect(models).toEqual(['my-codex', 'my-codex', 'my-codex']);
  });

  it('ends a truncated stream with an error event and response.failed holding the rebuilt output', () => {
    const { bytes, expected } = loadTranscript('truncated');
    const [error, last] = normalize(parseSse(bytes)).events.slice(-2) as Json[];
    expect(error).toMatchObject({
      type: 'error',
      message: 'Upstream stream ended before its final event',
    });
    expect(last!.type).toBe('response.failed');
    expect(last!.response).toMatchObject({
      status: 'failed',
      output: expected.output,
      error: { message: 'Upstream stream ended before its final event' },
    });
  });

  it('ends with response.failed after an error event that had no terminal event', () => {
    const { events } = normalize(
      sse([
        created,
        { type: 'error', sequence_number: 1, code: 'server_error', message: 'Boom', param: null },
      ]),
    );
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'error',
      'response.failed',
    ]);
    expect(events[2]?.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'Boom' },
    });
  });

  it('starts a stream whose first public event is not response.created', () => {
    const { events } = normalize(
      sse([
        { type: 'codex.rate_limits', plan_type: 'plus' },
        { type: 'response.in_progress', sequence_number: 4, response: created.response },
      ]),
    );
    expect(events.map((event) => [event.type, event.sequence_number])).toEqual([
      ['response.created', 0],
      ['response.in_progress', 4],
      ['error', 5],
      ['response.failed', 6],
    ]);
    expect(normalize([]).events.map((event) => event.type)).toEqual([
      'response.created',
      'error',
      'response.failed',
    ]);
  });

  it('reports unknown types once and forwards nothing after the terminal event', () => {
    const unknown: string[] = [];
    const { events } = normalize(
      sse([
        created,
        { type: 'response.future.delta', sequence_number: 1 },
        { type: 'response.future.delta', sequence_number: 2 },
        {
          type: 'response.completed',
          sequence_number: 3,
          response: { ...created.response, status: 'completed' },
        },
        { type: 'response.output_text.delta', sequence_number: 4, output_index: 0, delta: 'late' },
      ]),
      testContext(),
      { onUnknownEvent: (type: string) => unknown.push(type) },
    );
    expect(unknown).toEqual(['response.future.delta']);
    expect(events.map((event) => event.type)).toEqual(['response.created', 'response.completed']);
  });
});

describe('Responses passthrough: failures and usage', () => {
  it('ends a stream whose connection broke with an error event and response.failed holding the output so far', () => {
    const messages = parseSse(loadTranscript('text').bytes);
    const cut = messages.findIndex((m) => m.event === 'response.output_text.delta') + 3;
    const step = createResponsesStreamPassthrough(testContext());
    const out: SseMessage[] = [];
    for (const message of messages.slice(0, cut)) out.push(...step.push(message));
    out.push(
      ...step.push({
        type: 'error',
        error: { code: 'upstream_unavailable', message: 'Upstream connection failed mid-stream' },
      }),
    );
    out.push(...step.end());
    const events = out.map((m) => JSON.parse(m.data) as Json);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const [error, failed] = events.slice(-2);
    expect(error).toMatchObject({
      type: 'error',
      message: 'Upstream connection failed mid-stream',
    });
    expect(failed).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'upstream_unavailable' } },
    });
    const output = (failed!.response as Json).output as Json[];
    expect(output).toHaveLength(1);
    expect(JSON.stringify(output[0])).toContain('"text":"');
  });

  it('reports the terminal usage', () => {
    const usage: unknown[] = [];
    normalize(parseSse(loadTranscript('text').bytes), testContext(), {
      onUsage: (u: unknown) => usage.push(u),
    });
    expect(usage).toEqual([
      {
        inputTokens: 21,
        outputTokens: 44,
        cachedInputTokens: 0,
        reasoningTokens: 0,
        totalTokens: 65,
      },
    ]);
  });
});

/** Runs the passthrough and records everything it shows: messages (parsed) and callbacks. */
function observe(messages: Array<SseMessage | IrErrorEvent>, model?: string) {
  const calls: unknown[] = [];
  const step = createResponsesStreamPassthrough(testContext(model ? { model } : {}), {
    onWarning: (warning) => calls.push(['warning', warning]),
    onUnknownEvent: (type) => calls.push(['unknown', type]),
    onUsage: (usage) => calls.push(['usage', usage]),
    onError: (error) => calls.push(['error', error]),
  });
  const out = run(step, messages);
  return {
    out,
    shown: out.map((message) => [message.event, JSON.parse(message.data)]),
    calls,
  };
}

function cutBytes(bytes: Uint8Array, fraction: number): Uint8Array {
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

describe('Responses passthrough: fast paths give what the full path gives', () => {
  const large = createLargeCodexStream();
  const inputs: Record<string, Uint8Array | string> = { 'the 315 KB Codex stream': large.sse };
  for (const name of transcriptNames()) inputs[name] = loadTranscript(name).bytes;

  for (const [name, bytes] of Object.entries(inputs)) {
    it(`matches the full path on ${name}, whole, split and cut short`, () => {
      const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
      for (const model of [undefined, 'my-codex']) {
        for (const messages of [
          parseSplit(data, 1),
          parseSplit(cutBytes(data, 0.5), 2),
          parseSplit(cutBytes(data, 0.93), 3),
          parseSse(cutBytes(data, 0.31)),
        ]) {
          const fast = observe(messages, model);
          const full = observe(prettified(messages), model);
          expect(fast.shown).toEqual(full.shown);
          expect(fast.calls).toEqual(full.calls);
        }
      }
    });
  }

  it('matches the full path when the connection breaks mid-stream', () => {
    const messages = parseSse(large.sse);
    const broken: IrErrorEvent = {
      type: 'error',
      error: { code: 'upstream_unavailable', message: 'Upstream connection failed mid-stream' },
    };
    for (const at of [2, 40, 300]) {
      const fast = observe([...messages.slice(0, at), broken], 'my-codex');
      const full = observe([...prettified(messages.slice(0, at)), broken], 'my-codex');
      expect(fast.shown).toEqual(full.shown);
      expect(fast.calls).toEqual(full.calls);
    }
  });

  it('rebuilds the missing output of the Codex stream', () => {
    const { shown } = observe(parseSse(large.sse), 'gpt-5.1-codex');
    const [, completed] = shown.at(-1) as [string, Json];
    expect(completed.response).toEqual({ ...large.expected, model: 'gpt-5.1-codex' });
  });

  /**
   * A `response.created` numbered 2: the events numbered 2 after it are not above the last number
   * sent, so they are renumbered (3), and their text is rewritten.
   */
  const ahead = { ...created, sequence_number: 2 };
  const delta =
    '{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"a\\/b"}';

  it('forwards a flat event as its own text, only its number rewritten', () => {
    const out = run(createResponsesStreamPassthrough(testContext()), [
      ...sse([ahead]),
      { event: 'response.output_text.delta', data: delta },
    ]);
    // The escape `\/` stays: the text was not serialised again. The upstream's text goes along
    // for the error search (only the number changed).
    expect(out[1]).toEqual({
      event: 'response.output_text.delta',
      data: delta.replace('"sequence_number":2', '"sequence_number":3'),
      sourceData: delta,
    });
  });

  it('serialises an event again when its prefix is not in the recognised shape', () => {
    for (const odd of [
      delta.replace('"sequence_number":2', '"sequence_number": 2'),
      delta.replace(
        '{"type":"response.output_text.delta",',
        '{ "type":"response.output_text.delta",',
      ),
      `{"sequence_number":2,${delta.slice(1).replace(',"sequence_number":2', '')}`,
    ]) {
      const out = run(createResponsesStreamPassthrough(testContext()), [
        ...sse([ahead]),
        { event: 'response.output_text.delta', data: odd },
      ]);
      expect(out[1]?.data).toBe(JSON.stringify({ ...JSON.parse(odd), sequence_number: 3 }));
    }
  });

  it('parses a compact event with a space after its prefix, and keeps its text', () => {
    const spaced = delta.replace('"delta":', '"delta": ');
    const out = run(createResponsesStreamPassthrough(testContext()), [
      ...sse([ahead]),
      { event: 'response.output_text.delta', data: spaced },
    ]);
    expect(out[1]?.data).toBe(spaced.replace('"sequence_number":2', '"sequence_number":3'));
  });

  const envelope = (response: Json) =>
    `{"type":"response.created","sequence_number":0,"response":${JSON.stringify(response)}}`;

  it('renames the model in the text of a lifecycle event', () => {
    const data = envelope({ ...created.response, instructions: 'see a\\/b' });
    expect(data).toContain('a\\\\/b');
    const [out] = run(createResponsesStreamPassthrough(testContext({ model: 'my-codex' })), [
      { event: 'response.created', data },
    ]);
    expect(out?.data).toBe(data.replace('"gpt-5.1-codex-max"', '"my-codex"'));
  });

  it('serialises a lifecycle event again when its model is not written once and plainly', () => {
    const context = testContext({ model: 'my-codex' });
    const cases = [
      // A tool parameter named model: two `"model"` in the text.
      { ...created.response, tools: [{ parameters: { properties: { model: {} } } }], x: 'a/b' },
      // A `\u` escape anywhere: an escaped key could hide.
      { ...created.response, x: 'caf\u00e9 a/b' },
    ];
    for (const response of cases) {
      const data = envelope(response).replace('caf\u00e9', 'caf\\u00e9');
      const [out] = run(createResponsesStreamPassthrough(context), [
        { event: 'response.created', data },
      ]);
      expect(out?.data).toBe(
        JSON.stringify({ ...JSON.parse(data), response: { ...response, model: 'my-codex' } }),
      );
    }
  });

  it('serialises a renumbered nested event with a \\u escape again', () => {
    const added = {
      type: 'response.output_item.added',
      sequence_number: 2,
      output_index: 0,
      item: { type: 'message', id: 'msg_1', content: [], note: 'caf\u00e9' },
    };
    const data = JSON.stringify(added).replace('caf\u00e9', 'caf\\u00e9');
    const out = run(createResponsesStreamPassthrough(testContext()), [
      ...sse([ahead]),
      { event: 'response.output_item.added', data },
    ]);
    expect(out[1]?.data).toBe(JSON.stringify({ ...added, sequence_number: 3 }));
    // Without the escape, the text is kept and only the number changes.
    const plain = JSON.stringify(added).replace('caf\u00e9', 'cafe a\\/b');
    const kept = run(createResponsesStreamPassthrough(testContext()), [
      ...sse([ahead]),
      { event: 'response.output_item.added', data: plain },
    ]);
    expect(kept[1]?.data).toBe(plain.replace('"sequence_number":2', '"sequence_number":3'));
  });

  it('still reports an unknown flat event and drops it', () => {
    const unknown: string[] = [];
    const out = run(
      createResponsesStreamPassthrough(testContext(), {
        onUnknownEvent: (type) => unknown.push(type),
      }),
      [
        ...sse([created]),
        {
          event: 'response.future.delta',
          data: '{"type":"response.future.delta","sequence_number":1}',
        },
      ],
    );
    expect(unknown).toEqual(['response.future.delta']);
    expect(out.map((message) => message.event)).not.toContain('response.future.delta');
  });
});

describe('Responses passthrough: the rebuilt output written into the terminal text', () => {
  const item = {
    type: 'message',
    id: 'msg_1',
    role: 'assistant',
    status: 'completed',
    content: [{ type: 'output_text', text: 'Hi', annotations: [] }],
  };
  const events = sse([
    created,
    { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item },
    { type: 'keepalive', sequence_number: 2 },
    { type: 'response.output_item.done', sequence_number: 3, output_index: 0, item },
  ]);
  const terminal = (response: Json, extra = '') =>
    `{"type":"response.completed","sequence_number":4${extra},"response":${JSON.stringify(response)}}`;
  const base = { id: 'resp_1', status: 'completed', model: 'gpt-5.1-codex-max', note: 'a\\/b' };

  function last(data: string): string | undefined {
    const out = run(createResponsesStreamPassthrough(testContext()), [
      ...events,
      { event: 'response.completed', data },
    ]);
    return out.at(-1)?.data;
  }

  it('appends a missing output and replaces a null or empty one in the text', () => {
    const missing = terminal(base).replace('a\\\\/b', 'a\\/b');
    expect(last(missing)).toBe(`${missing.slice(0, -2)},"output":${JSON.stringify([item])}}}`);
    for (const empty of ['null', '[]']) {
      const data = terminal({ ...base, output: empty === 'null' ? null : [] }).replace(
        'a\\\\/b',
        'a\\/b',
      );
      expect(last(data)).toBe(
        data.replace(`"output":${empty}`, `"output":${JSON.stringify([item])}`),
      );
    }
  });

  it('copies an output_item.done item as the upstream wrote it, unless an event changed it since', () => {
    // `\/`, `\u00e9` and the key order are the upstream's: kept only when the text is copied.
    const itemText =
      '{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","annotations":[],"text":"a\\/b caf\\u00e9"}]}';
    const done = `{"type":"response.output_item.done","sequence_number":2,"output_index":0,"item":${itemText}}`;
    const completed =
      '{"type":"response.completed","sequence_number":4,"response":{"id":"resp_1"}}';
    const stream = (between: SseMessage[]) =>
      run(createResponsesStreamPassthrough(testContext()), [
        // Numbered 2 before the done event's 2: that one is renumbered (3) in its text.
        ...sse([{ ...created, sequence_number: 2 }]),
        { event: 'response.output_item.done', data: done },
        ...between,
        { event: 'response.completed', data: completed },
      ]);
    const out = stream([]);
    // The done event itself goes as it came, but for its number (its keys are known: the escape
    // hides no second number).
    expect(out[1]?.data).toBe(done.replace('"sequence_number":2', '"sequence_number":3'));
    expect(out.at(-1)?.data).toBe(
      `{"type":"response.completed","sequence_number":4,"response":{"id":"resp_1","output":[${itemText}]}}`,
    );
    // A delta after the done (out of order) changes the item: the rebuilt item is serialised.
    const late = sse([
      {
        type: 'response.output_text.delta',
        sequence_number: 3,
        item_id: 'msg_1',
        output_index: 0,
        content_index: 0,
        delta: '!',
      },
    ]);
    const changed = JSON.parse(itemText) as Json;
    ((changed.content as Json[])[0] as Json).text = 'a/b café!';
    const data = stream(late).at(-1)?.data ?? '';
    expect(data).toBe(
      `{"type":"response.completed","sequence_number":5,"response":{"id":"resp_1","output":[${JSON.stringify(changed)}]}}`,
    );
  });

  it('serialises the terminal event again when the output is not where the text can show it', () => {
    const cases = [
      // Two `"output"`: which one is the response's is not known from the text.
      terminal({ ...base, output: null, tools: [{ output: 1 }] }),
      // `response` is not the last key: the closing braces are another object's.
      `${terminal({ ...base }).slice(0, -1)},"extra":{"k":1}}`,
      // A `\u` escape: an escaped key could hide.
      terminal({ ...base, other: 'caf\u00e9' }).replace('caf\u00e9', 'caf\\u00e9'),
    ];
    for (const written of cases) {
      // `\/` in the text: kept by a textual edit, `/` when serialised again.
      const data = written.replace('a\\\\/b', 'a\\/b');
      expect(data).toContain('a\\/b');
      const parsed = JSON.parse(data) as Json;
      const expected = {
        ...parsed,
        sequence_number: 4,
        response: { ...(parsed.response as Json), output: [item] },
      };
      expect(last(data)).toBe(JSON.stringify(expected));
    }
  });
});

describe('Responses passthrough: a repeated envelope', () => {
  const response = { ...created.response, instructions: 'see a\\/b' };
  const lifecycle = (type: string, sequence: number, body: Json) =>
    `{"type":"${type}","sequence_number":${sequence},"response":${JSON.stringify(body)}}`.replace(
      'a\\\\/b',
      'a\\/b',
    );

  it('is not parsed again, and shows the same model in its own text', () => {
    const messages: SseMessage[] = [
      { event: 'response.created', data: lifecycle('response.created', 0, response) },
      { event: 'keepalive', data: '{"type":"keepalive","sequence_number":1}' },
      { event: 'response.in_progress', data: lifecycle('response.in_progress', 2, response) },
    ];
    const parse = vi.spyOn(JSON, 'parse');
    let out: SseMessage[];
    try {
      out = run(createResponsesStreamPassthrough(testContext({ model: 'my-codex' })), messages);
      // One parse: response.created; the repeat is not parsed. The stream then fails (no
      // terminal event): only then is the envelope kept as its text parsed again, once.
      expect(parse.mock.calls.map(([text]) => String(text).slice(0, 30))).toEqual([
        messages[0]?.data.slice(0, 30),
        messages[0]?.data.slice(0, 30),
      ]);
    } finally {
      parse.mockRestore();
    }
    expect(out[1]).toEqual({
      event: 'response.in_progress',
      data: (messages[2]?.data ?? '').replace('"gpt-5.1-codex-max"', '"my-codex"'),
      sourceData: messages[2]?.data,
    });
    expect(observe(messages, 'my-codex').shown).toEqual(
      observe(prettified(messages), 'my-codex').shown,
    );
  });

  it('with a `\\u` escape in its text, is parsed for the model shown, as on the full path', () => {
    // The repeat's text cannot be edited (an escaped key could be a second `model`): it is
    // parsed where it is sent, and still shows the client's model.
    const escaped = { ...response, instructions: 'a < b' };
    const text = (type: string, sequence: number) =>
      lifecycle(type, sequence, escaped).replace('a < b', 'a \\u003c b');
    const messages: SseMessage[] = [
      { event: 'response.created', data: text('response.created', 0) },
      { event: 'response.in_progress', data: text('response.in_progress', 1) },
    ];
    expect(messages[1]?.data).toContain('\\u003c');
    const fast = observe(messages, 'my-codex');
    expect(fast.shown).toEqual(observe(prettified(messages), 'my-codex').shown);
    const [, inProgress] = fast.shown[1] as [string, Json];
    expect(inProgress).toMatchObject({
      type: 'response.in_progress',
      response: { model: 'my-codex' },
    });
  });

  it('is let go at the first item event: a repeat after it is read in full, to the same answer', () => {
    const added = JSON.stringify({
      type: 'response.output_item.added',
      sequence_number: 1,
      output_index: 0,
      item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] },
    });
    const messages: SseMessage[] = [
      { event: 'response.created', data: lifecycle('response.created', 0, response) },
      { event: 'response.output_item.added', data: added },
      { event: 'response.in_progress', data: lifecycle('response.in_progress', 2, response) },
    ];
    const parse = vi.spyOn(JSON, 'parse');
    try {
      run(createResponsesStreamPassthrough(testContext()), messages);
      // response.created, the added item, then response.in_progress again; its envelope once
      // more for the failure at the end (no terminal event).
      expect(parse.mock.calls.map(([text]) => String(text).slice(0, 30))).toEqual(
        [...messages, messages[2]].map((message) => message?.data.slice(0, 30)),
      );
    } finally {
      parse.mockRestore();
    }
    expect(observe(messages, 'my-codex').shown).toEqual(
      observe(prettified(messages), 'my-codex').shown,
    );
  });

  it('is read in full when its text differs, and becomes the envelope of a failure', () => {
    const messages: SseMessage[] = [
      { event: 'response.created', data: lifecycle('response.created', 0, response) },
      {
        event: 'response.in_progress',
        data: lifecycle('response.in_progress', 1, { ...response, id: 'resp_2' }),
      },
    ];
    const fast = observe(messages, 'my-codex');
    expect(fast.shown).toEqual(observe(prettified(messages), 'my-codex').shown);
    const [, failed] = fast.shown.at(-1) as [string, Json];
    expect(failed).toMatchObject({ type: 'response.failed', response: { id: 'resp_2' } });
  });
});

describe('Responses delta runs (the parser’s plain and plainRun)', () => {
  const deltaTypes = [
    'response.output_text.delta',
    'response.reasoning_summary_text.delta',
    'response.function_call_arguments.delta',
    'response.custom_tool_call_input.delta',
    'response.refusal.delta',
  ];
  /** A JSON string's inside: escapes, non-ASCII, and the error and key shapes the runs refuse. */
  const text = fc
    .array(fc.constantFrom('a', ' ', 'é', '\\"', '\\n', '\\u00e9', '\\u0041', 'rror', 'e', '🙂'), {
      maxLength: 5,
    })
    .map((pieces) => pieces.join(''));
  const delta = fc
    .record({
      type: fc.constantFrom(...deltaTypes, 'response.audio.delta', 'response.new_thing.delta'),
      index: fc.constantFrom('0', '1', '2', '"1"', undefined),
      value: text,
      extra: fc.constantFrom(
        '',
        ',"obfuscation":"xy"',
        ',"logprobs":[]',
        ',"nested":{"a":1}',
        ',"sequence_number":99',
        ',"rror":1',
        ',"n":-1.5e3',
      ),
      name: fc.constantFrom('same', 'same', 'same', 'none', 'other', 'tight', 'tight data'),
    })
    .map(({ type, index, value, extra, name }) => (seq: number) => {
      const at = index === undefined ? '' : `,"output_index":${index}`;
      const data = `{"type":"${type}","sequence_number":${seq},"item_id":"i"${at},"delta":"${value}"${extra}}`;
      if (name === 'none') return `data: ${data}\n\n`;
      // Without the spaces after the field names: the same event.
      if (name === 'tight') return `event:${type}\ndata:${data}\n\n`;
      if (name === 'tight data') return `event: ${type}\ndata:${data}\n\n`;
      const event = name === 'same' ? type : 'response.output_text.done';
      return `event: ${event}\ndata: ${data}\n\n`;
    });
  const item = (index: number, done: boolean) => (seq: number) => {
    const type = done ? 'response.output_item.done' : 'response.output_item.added';
    const content = done ? [{ type: 'output_text', text: 'whole', annotations: [] }] : [];
    const body = {
      id: `m${index}`,
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content,
    };
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq, output_index: index, item: body })}\n\n`;
  };
  const other = fc.constantFrom(
    (seq: number) => `event: keepalive\ndata: {"type":"keepalive","sequence_number":${seq}}\n\n`,
    () => ': ping\n\n',
    item(0, false),
    item(1, false),
    item(0, true),
    item(1, true),
    (seq: number) =>
      `event: error\ndata: {"type":"error","sequence_number":${seq},"message":"overloaded"}\n\n`,
  );
  const start = (seq: number) =>
    `event: response.created\ndata: ${JSON.stringify({ ...created, sequence_number: seq })}\n\n`;
  const end = fc.constantFrom(
    (seq: number) =>
      `event: response.completed\ndata: {"type":"response.completed","sequence_number":${seq},"response":{"id":"resp_1","status":"completed","usage":{"input_tokens":1,"output_tokens":2,"total_tokens":3}}}\n\n`,
    (seq: number) =>
      `event: response.completed\ndata: {"type":"response.completed","sequence_number":${seq},"response":{"id":"resp_1","status":"completed","output":[]}}\n\n`,
    () => '',
  );

  it('forward the stream exactly as event by event, cut anywhere', () => {
    let joined = 0;
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.oneof({ arbitrary: delta, weight: 5 }, other), { maxLength: 14 }),
        end,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.nat({ max: 3 }),
        (started, body, last, cuts, gap) => {
          let seq = gap;
          const events = [started ? start(seq++) : ''];
          for (const make of body) events.push(make(seq++ + (seq % 5 === 0 ? gap : 0)));
          events.push(last(seq));
          // As bytes: a run read from an ASCII chunk keeps them (`rawBytes`), written as they are
          // when its numbers are right, and never when they were rewritten.
          const chunks = cutText(events.join(''), cuts).map((chunk) => Buffer.from(chunk));
          const read = (plain: boolean) => {
            const seen: unknown[] = [];
            const step = createResponsesStreamPassthrough(testContext(), {
              onUsage: (usage) => seen.push(['usage', usage]),
              onError: (error) => seen.push(['error', error.code]),
              onUnknownEvent: (type) => seen.push(['unknown', type]),
            });
            const messages = parseChunks(chunks, {
              keepComments: true,
              ...(plain ? { plain: step.plain, plainRun: step.plainRun } : {}),
            });
            if (plain && messages.some((message) => message.raw !== undefined)) joined++;
            // What a client reads (a run keeps the upstream's framing: `data:` without its space).
            const written = run(createSseSerializer(), run(step, messages));
            const text = written.map((piece) => Buffer.from(piece).toString()).join('');
            return { events: parseSse(text), seen };
          };
          expect(read(true)).toEqual(read(false));
        },
      ),
      { numRuns: 3000 },
    );
    // Runs were made (a test that never saw one could not fail).
    expect(joined).toBeGreaterThan(300);
  });

  it('rebuild the same final body in the native accumulator (a non-streaming client)', () => {
    let joined = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ arbitrary: delta, weight: 5 }, other), { maxLength: 14 }),
        end,
        fc.array(fc.nat(), { maxLength: 4 }),
        (body, last, cuts) => {
          let seq = 0;
          const events = [start(seq++)];
          for (const make of body) events.push(make(seq++));
          events.push(last(seq));
          const chunks = cutText(events.join(''), cuts);
          const read = (plain: boolean) => {
            const accumulator = createResponsesStreamAccumulator();
            const messages = parseChunks(chunks, {
              ...(plain ? { plain: accumulator.plain, plainRun: accumulator.plainRun } : {}),
            });
            if (plain && messages.some((message) => message.raw !== undefined)) joined++;
            for (const message of messages) accumulator.push(message);
            return accumulator.result();
          };
          expect(read(true)).toEqual(read(false));
        },
      ),
      { numRuns: 2000 },
    );
    expect(joined).toBeGreaterThan(300);
  });

  it('are matched at once exactly where the event-by-event check takes them', () => {
    const step = createResponsesStreamPassthrough(testContext());
    fc.assert(
      fc.property(fc.array(delta, { minLength: 1, maxLength: 6 }), (makers) => {
        const wire = makers.map((make, i) => make(i + 1)).join('');
        const byRun = parseChunks([wire], { plain: step.plain, plainRun: step.plainRun });
        const byEvent = parseChunks([wire], { plain: step.plain });
        expect(byRun).toEqual(byEvent);
      }),
      { numRuns: 3000 },
    );
  });
});
