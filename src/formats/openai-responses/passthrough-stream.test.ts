import { describe, expect, it } from 'vitest';
import {
  loadTranscript,
  parseSplit,
  run,
  testContext,
} from '../../../test/helpers/openai-responses-kit.js';
import type { SseMessage } from '../../sse/message.js';
import { parseSse } from '../../sse/parse.js';
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

  it('drops Codex-only events, renumbers and fills the missing output', () => {
    const { bytes, expected } = loadTranscript('codex-output-missing');
    const input = parseSplit(bytes, 3);
    const { events } = normalize(input);
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('response.created');
    expect(types).not.toContain('codex.rate_limits');
    expect(types).not.toContain('keepalive');
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const publicCount = input.filter(
      (message) => !/^(codex\.|keepalive)/.test(message.event ?? ''),
    ).length;
    expect(events).toHaveLength(publicCount);
    const completed = events.at(-1) as Json;
    expect(completed.type).toBe('response.completed');
    expect((completed.response as Json).output).toEqual(expected.output);
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
      ['response.in_progress', 1],
      ['error', 2],
      ['response.failed', 3],
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
