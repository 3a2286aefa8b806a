/**
 * The templated `content_block_delta` of the Anthropic stream encoder: byte for byte what
 * `JSON.stringify` of the event object writes, for any string, and what the encoder sends: the
 * same wire text as the serialiser writes for that event as a message of its fields.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IrEvent } from '../../ir/events.js';
import { encodeSse, encodeSseMessage, oneLineEvent } from '../../sse/encode.js';
import type { SseMessage } from '../../sse/message.js';
import { parseSse } from '../../sse/parse.js';
import { runStep } from '../../streams/step.js';
import { createAnthropicStreamEncoder } from './encode-stream.js';
import {
  type StringDeltaType,
  stringDeltaData,
  stringDeltaEvent,
  stringDeltaHead,
} from './encode-stream-blocks.js';

const FIELDS: Record<StringDeltaType, string> = {
  text_delta: 'text',
  input_json_delta: 'partial_json',
  thinking_delta: 'thinking',
};
const TYPES = Object.keys(FIELDS) as StringDeltaType[];

/** The messages as a client reads them: written to the wire and parsed again. */
function onTheWire(messages: SseMessage[]): SseMessage[] {
  return parseSse(encodeSse(messages));
}

/** What the object path writes: `sse('content_block_delta', { index, delta })`. */
function objectData(index: number, type: StringDeltaType, value: string): string {
  return JSON.stringify({
    type: 'content_block_delta',
    ...{ index, delta: { type, [FIELDS[type]]: value } },
  });
}

const TRICKY = [
  '',
  'plain',
  'quote " and \\ backslash',
  '\\"',
  '{"partial": "json\\n"}',
  'new\nline\r\ttab\b\f',
  '\u0000\u0001\u001f\u007f\u0080\u009f',
  '\u2028\u2029',
  'héllo wörld — “quotes” 日本語 🍞🧪',
  '\ud800',
  '\udfff',
  'a\ud83dz',
  '\ude00\ud83d',
  '\ud83d\ude00',
  '</script><!--',
  '\uFEFF\uFFFF\uFFFE',
  'x'.repeat(10_000),
];

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

describe('stringDeltaData', () => {
  it('writes the same bytes as JSON.stringify of the event object for tricky strings', () => {
    for (const type of TYPES) {
      for (const value of TRICKY) {
        for (const index of [0, 1, 7, 42, 1234]) {
          expect(stringDeltaData(index, type, value)).toBe(objectData(index, type, value));
        }
      }
    }
  });

  it('writes the same bytes as JSON.stringify for any string (code points and lone surrogates)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000 }),
        fc.constantFrom(...TYPES),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 40 }),
          fc.string({ unit: codeUnit, maxLength: 40 }),
          fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\ud800', 'a', '\u2028') }),
        ),
        (index, type, value) => {
          expect(stringDeltaData(index, type, value)).toBe(objectData(index, type, value));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('goes on the wire as the serialiser writes the message of its fields (oneLineEvent)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000 }),
        fc.constantFrom(...TYPES),
        fc.oneof(
          fc.constantFrom(...TRICKY),
          fc.string({ unit: codeUnit, maxLength: 40 }),
          fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\r', '\u2028', 'a') }),
        ),
        (index, type, value) => {
          const data = stringDeltaData(index, type, value);
          const fields = encodeSseMessage({ event: 'content_block_delta', data });
          expect(encodeSseMessage(oneLineEvent('content_block_delta', data))).toBe(fields);
          const head = stringDeltaHead(index, type);
          expect(encodeSseMessage(stringDeltaEvent(head, value))).toBe(fields);
          expect(fields).toBe(
            `event: content_block_delta\ndata: ${objectData(index, type, value)}\n\n`,
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('is what the encoder sends for text, thinking and tool-argument deltas', () => {
    const events: IrEvent[] = [
      { type: 'message-start', id: 'msg_1', model: 'm' },
      { type: 'reasoning-start', index: 0 },
      { type: 'reasoning-delta', index: 0, delta: 'th"ink\ud800' },
      { type: 'reasoning-end', index: 0, signature: 'sig' },
      { type: 'text-start', index: 1 },
      { type: 'text-delta', index: 1, delta: 'He said "hi"\n' },
      { type: 'text-end', index: 1 },
      { type: 'tool-call-start', index: 2, callId: 'toolu_1', name: 'f', kind: 'function' },
      { type: 'tool-call-delta', index: 2, delta: '{"a":' },
      { type: 'tool-call-delta', index: 2, delta: '"\\u00e9"}' },
      { type: 'tool-call-end', index: 2 },
      { type: 'message-end', finishReason: 'tool-calls' },
    ];
    const messages = onTheWire(
      runStep(
        createAnthropicStreamEncoder({ createdAt: 1, createId: (prefix) => `${prefix}x` }),
        events,
      ),
    );
    const deltas = messages.filter((message) => message.event === 'content_block_delta');
    expect(deltas.map((message) => message.data)).toEqual([
      objectData(0, 'thinking_delta', 'th"ink\ud800'),
      JSON.stringify({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'signature_delta', signature: 'sig' },
      }),
      objectData(1, 'text_delta', 'He said "hi"\n'),
      objectData(2, 'input_json_delta', '{"a":'),
      objectData(2, 'input_json_delta', '"\\u00e9"}'),
    ]);
  });

  it('sends a custom call raw input whole, templated, at its end', () => {
    const messages = onTheWire(
      runStep(createAnthropicStreamEncoder({ createdAt: 1, createId: (prefix) => `${prefix}x` }), [
        { type: 'message-start', id: 'msg_1', model: 'm' },
        { type: 'tool-call-start', index: 0, callId: 'toolu_1', name: 'patch', kind: 'custom' },
        { type: 'tool-call-delta', index: 0, delta: '*** Begin "Patch"\n' },
        { type: 'tool-call-end', index: 0 },
        { type: 'message-end', finishReason: 'tool-calls' },
      ]),
    );
    const deltas = messages.filter((message) => message.event === 'content_block_delta');
    expect(deltas.map((message) => message.data)).toEqual([
      objectData(0, 'input_json_delta', JSON.stringify({ input: '*** Begin "Patch"\n' })),
    ]);
  });
});
