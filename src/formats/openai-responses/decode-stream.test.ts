import { describe, expect, it, vi } from 'vitest';
import {
  expectHeadOnlyAgrees,
  stepwise as stepwiseEvents,
} from '../../../test/helpers/head-only.js';
import {
  essentials,
  loadTranscript,
  parseSplit,
  prettified,
  run,
  testContext,
  transcriptNames,
  withoutMeta,
} from '../../../test/helpers/openai-responses-kit.js';
import { onTheWire } from '../../../test/helpers/sse-wire.js';
import { accumulateEvents } from '../../ir/accumulate.js';
import { checkEvents } from '../../ir/check-events.js';
import type { IrTextPart as TextPart } from '../../ir/content.js';
import type { IrEvent } from '../../ir/events.js';
import type { IrResponse } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { parseSse } from '../../sse/parse.js';
import { decodeResponsesResponse } from './decode-response.js';
import { createResponsesStreamDecoder } from './decode-stream.js';
import { createResponsesStreamEncoder } from './encode-stream.js';

function decode(messages: SseMessage[], options = {}): IrEvent[] {
  return run(createResponsesStreamDecoder(options), messages);
}

function sse(events: Array<Record<string, unknown>>): SseMessage[] {
  return events.map((event) => ({ event: String(event.type), data: JSON.stringify(event) }));
}

const created = {
  type: 'response.created',
  response: { id: 'resp_1', model: 'gpt-5', created_at: 1700000000, output: [] },
};
const completed = { type: 'response.completed', response: { status: 'completed' } };

/** What the decoded stream and the body may legitimately disagree on (see the test). */
function comparable(response: IrResponse, truncated: boolean): Record<string, unknown> {
  const fields = essentials(response);
  // A stream cut short is an error in the IR grammar, while the rebuilt body says incomplete.
  if (truncated) fields.finishReason = 'truncated';
  return fields;
}

describe('Responses stream decoder over the transcripts', () => {
  for (const name of transcriptNames()) {
    it(`${name}: well-formed events that rebuild the expected response`, () => {
      const { bytes, expected } = loadTranscript(name);
      const events = decode(parseSplit(bytes, 5));
      expect(checkEvents(events)).toEqual([]);
      const streamed = accumulateEvents(events);
      const body = decodeResponsesResponse(expected).value;
      const truncated = name === 'truncated';
      expect(comparable(streamed, truncated)).toEqual(comparable(body, truncated));
      expect(streamed.id).toBe(expected.id);
      expect(streamed.model).toBe(expected.model);
    });

    it(`${name}: survives re-encoding and decoding again`, () => {
      const { bytes } = loadTranscript(name);
      const events = decode(parseSse(bytes));
      const encoded = onTheWire(run(createResponsesStreamEncoder(testContext()), events));
      const again = decode(encoded);
      expect(checkEvents(again)).toEqual([]);
      // Meta holds wire details (summary part boundaries, message status) the encoder normalises;
      // an item keeps one id in what ccproxy writes, so rotated ids settle on the first one.
      const normalise = (response: IrResponse) => {
        const plain = withoutMeta(response);
        if (name !== 'copilot-rotating-ids') return plain;
        return { ...plain, content: plain.content.map((part) => ({ ...part, id: undefined })) };
      };
      expect(normalise(accumulateEvents(again))).toEqual(normalise(accumulateEvents(events)));
    });
  }

  it('maps the finish reasons of the transcripts', () => {
    const reason = (name: string) =>
      accumulateEvents(decode(parseSse(loadTranscript(name).bytes))).finishReason;
    expect(reason('text')).toBe('stop');
    expect(reason('parallel-tool-calls')).toBe('tool-calls');
    expect(reason('custom-tool-call')).toBe('tool-calls');
    expect(reason('incomplete-max-tokens')).toBe('length');
    expect(reason('error-failed')).toBe('error');
  });

  it('keeps item ids, phase and encrypted content in meta and IR fields', () => {
    const phase = accumulateEvents(decode(parseSse(loadTranscript('phase').bytes)));
    expect(
      phase.content.map((part) => (part as TextPart).meta?.['openai-responses']?.item),
    ).toEqual([
      {
        id: 'msg_a00112233445566778899aabbccddeeff00112233',
        role: 'assistant',
        phase: 'commentary',
      },
      {
        id: 'msg_b112233445566778899aabbccddeeff0011223344',
        role: 'assistant',
        phase: 'final_answer',
      },
    ]);
    const reasoning = accumulateEvents(decode(parseSse(loadTranscript('reasoning').bytes)));
    expect(reasoning.content[0]).toMatchObject({
      type: 'reasoning',
      id: 'rs_4a5b6c7d8e9f00112233445566778899aabbccdd',
      encryptedContent: 'gAAAAABpQ2-done-3Jx9vKQ8mZtR1yW5cN0bE7fA4hL6uS2dP==',
      text: '**Comparing tide stations**\n\nMonterey and Santa Cruz share a harmonic model.\n\n**Choosing the answer format**\n\nA short table reads best here.',
    });
  });

  it('turns unknown items into one opaque block at their done', () => {
    const events = decode(parseSse(loadTranscript('annotations').bytes));
    const opaque = events.filter((event) => event.type === 'opaque');
    expect(opaque).toEqual([
      {
        type: 'opaque',
        index: 0,
        format: 'openai-responses',
        value: {
          id: 'ws_8e9f00112233445566778899aabbccddeeff0011',
          type: 'web_search_call',
          status: 'completed',
          action: { type: 'search', query: 'Monterey tide pools best season' },
        },
      },
    ]);
    const annotations = events.filter((event) => event.type === 'text-annotation');
    expect(annotations).toHaveLength(2);
    expect(annotations[0]).toMatchObject({
      annotation: {
        type: 'url-citation',
        url: 'https://tidesandcurrents.noaa.gov/?utm_source=openai',
        title: 'Tides & Currents',
        startIndex: 48,
        endIndex: 60,
      },
    });
  });

  it('reports unknown event types once and skips backend events silently', () => {
    const unknown: string[] = [];
    decode(parseSse(loadTranscript('drift-unknown').bytes), {
      onUnknownEvent: (type: string) => unknown.push(type),
    });
    expect(unknown).toEqual(['response.future_thing.delta', 'telemetry.ping']);
    unknown.length = 0;
    decode(parseSse(loadTranscript('codex-output-null').bytes), {
      onUnknownEvent: (type: string) => unknown.push(type),
    });
    expect(unknown).toEqual([]);
  });
});

describe('Responses stream decoder on edge cases', () => {
  it('reads a field of the wrong type as absent without losing what is around it', () => {
    const events = decode(
      sse([
        { type: 'response.created', response: { id: 'resp_1', model: 'm', created_at: 'now' } },
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { type: 'message', id: 'msg_1', role: 'assistant', content: [] },
        },
        {
          type: 'response.content_part.added',
          output_index: 0,
          content_index: 0,
          part: { type: 'output_text', text: '' },
        },
        { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hi' },
        { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 5 },
        { type: 'response.output_text.delta', output_index: '0', content_index: 0, delta: '!' },
        { type: 'response.output_item.done', output_index: 0, item: 'gone' },
        { type: 'response.completed', response: { status: 'completed', usage: 'none' } },
      ]),
    );
    expect(events.filter((event) => event.type !== 'text-start')).toEqual([
      { type: 'message-start', id: 'resp_1', model: 'm' },
      { type: 'text-delta', index: 0, delta: 'Hi' },
      { type: 'text-delta', index: 0, delta: '!' },
      { type: 'text-end', index: 0, meta: expect.any(Object) },
      { type: 'message-end', finishReason: 'stop', status: 'completed' },
    ]);
  });

  it('emits catch-up deltas when a done event holds more than the deltas', () => {
    const events = decode(
      sse([
        created,
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { id: 'm', type: 'message', content: [] },
        },
        {
          type: 'response.content_part.added',
          output_index: 0,
          content_index: 0,
          part: { type: 'output_text', text: '' },
        },
        { type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hel' },
        { type: 'response.output_text.done', output_index: 0, content_index: 0, text: 'Hello' },
        completed,
      ]),
    );
    expect(checkEvents(events)).toEqual([]);
    expect(events.filter((event) => event.type === 'text-delta')).toEqual([
      { type: 'text-delta', index: 0, delta: 'Hel' },
      { type: 'text-delta', index: 0, delta: 'lo' },
    ]);
  });

  it('builds blocks from a done item whose parts were never streamed', () => {
    const item = {
      id: 'm',
      type: 'message',
      status: 'completed',
      content: [
        { type: 'output_text', text: 'Whole', annotations: [] },
        { type: 'refusal', refusal: 'No' },
      ],
    };
    const events = decode(
      sse([created, { type: 'response.output_item.done', output_index: 0, item }, completed]),
    );
    expect(checkEvents(events)).toEqual([]);
    expect(withoutMeta(accumulateEvents(events)).content).toEqual([
      { type: 'text', text: 'Whole' },
      { type: 'refusal', text: 'No' },
    ]);
  });

  it('fills a stream that sent only the terminal output', () => {
    const output = [
      { id: 'fc', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":1}' },
    ];
    const events = decode(
      sse([created, { type: 'response.completed', response: { status: 'completed', output } }]),
    );
    expect(checkEvents(events)).toEqual([]);
    const response = accumulateEvents(events);
    expect(response.finishReason).toBe('tool-calls');
    expect(withoutMeta(response).content).toEqual([
      { type: 'tool-call', callId: 'call_1', name: 'f', arguments: '{"a":1}', kind: 'function' },
    ]);
  });

  it('separates reasoning summary parts with a blank line and adds reasoning_text', () => {
    const scope = { output_index: 0, item_id: 'rs' };
    const events = decode(
      sse([
        created,
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { id: 'rs', type: 'reasoning', summary: [] },
        },
        {
          type: 'response.reasoning_summary_part.added',
          ...scope,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        },
        { type: 'response.reasoning_summary_text.delta', ...scope, summary_index: 0, delta: 'One' },
        {
          type: 'response.reasoning_summary_part.added',
          ...scope,
          summary_index: 1,
          part: { type: 'summary_text', text: '' },
        },
        { type: 'response.reasoning_summary_text.delta', ...scope, summary_index: 1, delta: 'Two' },
        {
          type: 'response.content_part.added',
          ...scope,
          content_index: 0,
          part: { type: 'reasoning_text', text: '' },
        },
        { type: 'response.reasoning_text.delta', ...scope, content_index: 0, delta: 'raw' },
        completed,
      ]),
    );
    expect(checkEvents(events)).toEqual([]);
    expect(accumulateEvents(events).content[0]).toMatchObject({
      type: 'reasoning',
      text: 'One\n\nTwo\n\nraw',
    });
  });

  it('starts the message even when response.created never came', () => {
    const events = decode(
      sse([
        {
          type: 'response.output_item.added',
          output_index: 0,
          item: { id: 'fc', type: 'function_call', call_id: 'c', name: 'f', arguments: '' },
        },
        { type: 'response.function_call_arguments.delta', output_index: 0, delta: '{}' },
      ]),
    );
    expect(events[0]).toEqual({ type: 'message-start' });
    expect(checkEvents(events)).toEqual([]);
    expect(events.at(-1)).toEqual({ type: 'error', error: TRUNCATED_STREAM_ERROR });
  });

  it('ends with an error event for an error and ignores what follows', () => {
    const events = decode(
      sse([
        created,
        {
          type: 'error',
          code: 'rate_limit_exceeded',
          message: 'Rate limit reached. Please try again in 11.054s.',
          param: null,
        },
        {
          type: 'response.failed',
          response: { status: 'failed', error: { code: 'server_error', message: 'x' } },
        },
      ]),
    );
    expect(events).toEqual([
      { type: 'message-start', id: 'resp_1', model: 'gpt-5', createdAt: 1700000000 },
      {
        type: 'error',
        error: {
          code: 'upstream_rate_limited',
          status: 429,
          message: 'Rate limit reached. Please try again in 11.054s.',
          upstreamCode: 'rate_limit_exceeded',
          retryAfter: '12',
        },
      },
    ]);
  });

  it('maps response.failed codes the way the Codex CLI classifies them', () => {
    const failed = (code: string) =>
      decode(
        sse([
          created,
          {
            type: 'response.failed',
            response: { status: 'failed', error: { code, message: code } },
          },
        ]),
      ).at(-1);
    expect(failed('context_length_exceeded')).toMatchObject({ error: { code: 'invalid_request' } });
    expect(failed('insufficient_quota')).toMatchObject({
      error: { code: 'upstream_rate_limited', upstreamCode: 'insufficient_quota' },
    });
    expect(failed('server_error')).toMatchObject({
      error: { code: 'upstream_error', upstreamCode: 'server_error' },
    });
  });

  it('maps an incomplete content_filter response', () => {
    const events = decode(
      sse([
        created,
        {
          type: 'response.incomplete',
          response: { status: 'incomplete', incomplete_details: { reason: 'content_filter' } },
        },
      ]),
    );
    expect(events.at(-1)).toEqual({
      type: 'message-end',
      finishReason: 'content-filter',
      status: 'incomplete',
    });
  });

  it('tolerates [DONE], comments and events after the end', () => {
    const messages: SseMessage[] = [
      ...sse([created]),
      { data: '', comment: 'ping' },
      { data: '[DONE]' },
      ...sse([completed, created]),
    ];
    const events = decode(messages);
    expect(checkEvents(events)).toEqual([]);
    expect(events.map((event) => event.type)).toEqual(['message-start', 'message-end']);
  });

  it('re-encodes through a client context without losing the IR', () => {
    const { bytes } = loadTranscript('codex-output-missing');
    const events = decode(parseSse(bytes));
    const context = testContext({ model: 'codex-via-proxy' });
    const again = accumulateEvents(
      decode(onTheWire(run(createResponsesStreamEncoder(context), events))),
    );
    expect(again.model).toBe('codex-via-proxy');
    expect(essentials(again)).toEqual(essentials(accumulateEvents(events)));
  });
});

describe('lifecycle events after the start', () => {
  it('decode to the same events whether or not they are parsed, on every transcript', () => {
    for (const name of transcriptNames()) {
      const messages = parseSse(loadTranscript(name).bytes);
      expect(decode(messages), name).toEqual(decode(prettified(messages)));
    }
  });

  it('are not parsed once the message has started (a broken one costs no warning), but are before', () => {
    const broken = {
      event: 'response.in_progress',
      data: '{"type":"response.in_progress","sequence_number":1,"response":{"id":',
    };
    const warnings: unknown[] = [];
    decode([...sse([created]), broken, ...sse([completed])], {
      onWarning: (warning: unknown) => warnings.push(warning),
    });
    expect(warnings).toEqual([]);
    decode([broken, ...sse([created, completed])], {
      onWarning: (warning: unknown) => warnings.push(warning),
    });
    expect(warnings).not.toEqual([]);
  });

  it('still report a pending error event with the next event', () => {
    const error = { type: 'error', code: 'server_error', message: 'boom' };
    const inProgress = { type: 'response.in_progress', response: { id: 'resp_1' } };
    const events = decode(sse([created, error, inProgress]));
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { message: 'boom' } });
  });
});

describe('a head-only decoder (the pipeline\u2019s probe of a stream\u2019s head)', () => {
  const stepwise = (messages: SseMessage[], options: { headOnly?: boolean }) =>
    stepwiseEvents(createResponsesStreamDecoder, messages, options);

  it('gives the events the full decoder gives, message by message, on every transcript cut anywhere', () => {
    const streams: Record<string, SseMessage[]> = {};
    for (const name of transcriptNames()) streams[name] = parseSse(loadTranscript(name).bytes);
    expectHeadOnlyAgrees(createResponsesStreamDecoder, streams);
  });

  it('does not read the lifecycle event that starts the message, but reads a pending error', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const events = stepwise(sse([created]), { headOnly: true });
      expect(events[0]).toEqual([{ type: 'message-start' }]);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    const error = { type: 'error', code: 'server_error', message: 'boom' };
    const events = stepwise(sse([error, created]), { headOnly: true });
    expect(events[1]).toContainEqual(
      expect.objectContaining({
        type: 'error',
        error: expect.objectContaining({ message: 'boom' }),
      }),
    );
  });
});
