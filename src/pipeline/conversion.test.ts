/**
 * Same-format streams: the forwarded-error test (a cheap check first, the same answers), and runs
 * of ordinary events forwarded as the upstream's text (the same text as message by message).
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixturePath, loadFixtureBytes } from '../../test/helpers/fixtures.js';
import { splitRandomly } from '../../test/helpers/split.js';
import type { WireFormatId } from '../formats/format.js';
import { formats } from '../formats/index.js';
import type { SseMessage } from '../sse/message.js';
import { WireMessage } from '../sse/message.js';
import { createSseParser, parseSse } from '../sse/parse.js';
import { type ConversionPlan, createPassthroughHalves, isForwardedError } from './conversion.js';
import { routeBetween } from './plan.js';

/** The test as it was before the cheap check: the event name, or the regex over every message. */
const regexAnswer = (event: string | undefined, data: string) =>
  event === 'error' || /"error"\s*:\s*[{"]/.test(data);

describe('isForwardedError', () => {
  it('tells error messages from the rest', () => {
    expect(isForwardedError({ data: '{"error":{"message":"x"}}' })).toBe(true);
    expect(isForwardedError({ data: '{"type":"error","error" : "x"}' })).toBe(true);
    expect(isForwardedError({ event: 'error', data: '{}' })).toBe(true);
    expect(isForwardedError({ data: '{"choices":[{"delta":{"content":"error"}}]}' })).toBe(false);
    expect(isForwardedError({ data: '{"error":null}' })).toBe(false);
    expect(isForwardedError({ data: '' })).toBe(false);
  });

  it('searches the upstream text an edited event came from (sourceData) instead of its data', () => {
    const report = '{"error":{"message":"x"}}';
    expect(isForwardedError({ data: '{"n":1}', sourceData: report })).toBe(true);
    expect(isForwardedError({ data: report, sourceData: '{"n":1}' })).toBe(false);
  });

  it('searches a long event read with its bytes in those, as the expression does', () => {
    const long = 'x'.repeat(5000);
    const cases: Array<[string, boolean]> = [
      ['{"error":{"message":"x"}}', true],
      ['{"error" : "x"}', true],
      ['{"error"\t\r\n:\u000b\f{}', true],
      ['{"error":null,"status":"ok"}', false],
      ['{"error" x :{}', false],
      ['{"error":null,"later":{"error" :"again"}}', true],
      ['{"text":"error"}', false],
    ];
    for (const [json, reports] of cases) {
      const data = `{"pad":"${long}","v":${json}}`;
      const read = new WireMessage('e', data, Buffer.from(`event: e\ndata: ${data}\n\n`));
      expect([json, isForwardedError(read)]).toEqual([json, reports]);
      expect(regexAnswer(undefined, data)).toBe(reports);
      // A plain Uint8Array view of bytes too.
      const view = new Uint8Array(Buffer.from(`data: ${data}\n\n`));
      expect(isForwardedError(new WireMessage(undefined, data, view))).toBe(reports);
    }
  });

  it('answers as the regex alone did, for any text', () => {
    const piece = fc.constantFrom('"error"', 'error', ':', ' ', '\n', '{', '"', 'x', '\\', 'null');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(piece, fc.string({ maxLength: 3 })), { maxLength: 8 }),
        fc.constantFrom(undefined, 'error', 'message'),
        // Long data is searched another way (a Responses envelope's length).
        fc.constantFrom('', 'x'.repeat(5000)),
        (pieces, event, padding) => {
          const data = padding + pieces.join('') + padding;
          const message = { data, ...(event !== undefined ? { event } : {}) };
          const expected = regexAnswer(event, data);
          expect(isForwardedError(message)).toBe(expected);
          // The same event read with its bytes (long ones are then searched in those), when
          // ASCII (one byte a character), as the parser reads them.
          if (Buffer.byteLength(data) !== data.length) return;
          const wire = `${event !== undefined ? `event: ${event}\n` : ''}data: ${data}\n\n`;
          const read = new WireMessage(event, data, Buffer.from(wire));
          expect(isForwardedError(read)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** A same-format plan for `format` (the client's model: `model`). */
function passthroughPlan(format: WireFormatId, model: string | undefined): ConversionPlan {
  return {
    ...routeBetween(format, format),
    formats,
    encodeContext: {
      createdAt: 1_767_300_000,
      createId: (prefix) => `${prefix}runs`,
      ...(model !== undefined ? { model } : {}),
      clientBody: { model: model ?? 'm', stream: true, stream_options: { include_usage: true } },
    },
    customTools: new Set(),
    onWarning: () => {},
    onUnknownEvent: () => {},
  };
}

/**
 * The client's text: the head read with `pushUntil` up to message `headStop`, then the rest
 * with `push` (as the live pipeline does); `plain: false` parses message by message.
 */
function passthroughText(
  format: WireFormatId,
  model: string | undefined,
  chunks: Uint8Array[],
  headStop: number,
  plain: boolean,
): string {
  const halves = createPassthroughHalves(passthroughPlan(format, model));
  const parse = plain ? halves.parse : createSseParser({ keepComments: true });
  const messages: SseMessage[] = [];
  let seen = 0;
  let inHead = true;
  for (const chunk of chunks) {
    if (inHead) {
      messages.push(...parse.pushUntil(chunk, () => ++seen > headStop));
      inHead = seen <= headStop;
    } else messages.push(...parse.push(chunk));
  }
  messages.push(...parse.end());
  const encode = halves.encode;
  const out: Array<string | Uint8Array> = [];
  for (const message of messages) out.push(...encode.push(message));
  out.push(...encode.end());
  return out
    .map((chunk) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()))
    .join('');
}

describe('same-format streams forwarded in runs', () => {
  const fixtures = (format: WireFormatId) =>
    readdirSync(dirname(fixturePath(format, 'x')))
      .filter((file) => file.endsWith('.sse'))
      .map((file) => [format, file] as const);
  const cases = [
    ...fixtures('openai-chat'),
    ...fixtures('anthropic-messages'),
    ...fixtures('openai-responses'),
  ];

  it('give the client the same text as forwarding message by message, for every transcript', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.constantFrom(
          undefined,
          'client-model',
          'claude-sonnet-4-5',
          'gpt-4o-mini',
          'é "quoted"',
        ),
        fc.nat({ max: 1_000_000 }),
        fc.nat({ max: 6 }),
        ([format, file], model, seed, headStop) => {
          const bytes = loadFixtureBytes(format, file);
          const chunks = splitRandomly(bytes, seed, 1 + (seed % 400));
          expect(passthroughText(format, model, chunks, headStop, true)).toBe(
            passthroughText(format, model, chunks, headStop, false),
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('carry the stream in few pieces: runs, not one message per event', () => {
    const halves = createPassthroughHalves(passthroughPlan('openai-chat', 'client-model'));
    const bytes = loadFixtureBytes('openai-chat', 'text.sse');
    const messages = [...halves.parse.push(bytes), ...halves.parse.end()];
    const events = parseSse(bytes).length;
    expect(messages.some((message) => message.raw !== undefined)).toBe(true);
    expect(messages.length).toBeLessThan(events);
  });
});

describe('upstream errors in a forwarded Responses stream', () => {
  const secret = 'sk-ant-api03-forwarded-secret-000000';
  const frame = (type: string, body: object) => `event: ${type}\ndata: ${JSON.stringify(body)}\n\n`;
  const envelope = {
    id: 'resp_1',
    object: 'response',
    model: 'm',
    status: 'in_progress',
    output: [],
  };
  const item = {
    id: 'ctc_1',
    type: 'custom_tool_call',
    status: 'completed',
    call_id: 'call_1',
    name: 'shell',
    input: 'ls',
    error: { message: `denied for key ${secret}` },
  };
  /** The client's text: a keepalive dropped first (every later event is renumbered). */
  const forwarded = (finalOutput: unknown[] | undefined) => {
    // Codex drift: the terminal event's output missing, empty, or there.
    const { output: _output, ...rest } = envelope;
    const completed = {
      ...rest,
      status: 'completed',
      ...(finalOutput ? { output: finalOutput } : {}),
    };
    const stream = [
      frame('response.created', {
        type: 'response.created',
        sequence_number: 0,
        response: envelope,
      }),
      frame('keepalive', { type: 'keepalive', sequence_number: 1 }),
      frame('response.output_item.added', {
        type: 'response.output_item.added',
        sequence_number: 2,
        output_index: 0,
        item: { ...item, status: 'in_progress', error: undefined },
      }),
      frame('response.output_item.done', {
        type: 'response.output_item.done',
        sequence_number: 3,
        output_index: 0,
        item,
      }),
      frame('response.output_text.delta', {
        type: 'response.output_text.delta',
        sequence_number: 4,
        output_index: 0,
        item_id: 'ctc_1',
        delta: 'x',
        error: `flat ${secret}`,
      }),
      frame('response.completed', {
        type: 'response.completed',
        sequence_number: 5,
        response: completed,
      }),
    ].join('');
    return passthroughText('openai-responses', undefined, [Buffer.from(stream)], 0, true);
  };

  it('are scrubbed in renumbered events, and in an output rebuilt from them', () => {
    for (const finalOutput of [undefined, [], [item]]) {
      const text = forwarded(finalOutput);
      expect(text).not.toContain(secret);
      expect(text).toContain('"sequence_number":4');
      expect(text).toContain('[REDACTED]');
      const completed = parseSse(text).find((message) => message.event === 'response.completed');
      expect(completed?.data).toContain('denied for key [REDACTED]');
    }
  });
});
