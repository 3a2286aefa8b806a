import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '../../test/helpers/split.js';
import { encodeSse } from './encode.js';
import type { SseMessage } from './message.js';
import { createSseParser, isUnterminated, parseSse } from './parse.js';

function parseChunks(chunks: Array<Uint8Array | string>, keepComments = false): SseMessage[] {
  const parser = createSseParser({ keepComments });
  const out: SseMessage[] = [];
  for (const chunk of chunks) out.push(...parser.push(chunk));
  out.push(...parser.end());
  return out;
}

describe('SSE parser', () => {
  it('reads event, data, id and retry lines', () => {
    const text = 'event: a\nid: 7\nretry: 1500\ndata: {"x":1}\n\n';
    expect(parseSse(text)).toEqual([{ event: 'a', id: '7', retry: 1500, data: '{"x":1}' }]);
  });

  it('accepts CRLF and lone CR line ends', () => {
    expect(parseSse('event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r')).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
    ]);
  });

  it('treats a CRLF split across two chunks as one line end', () => {
    const parser = createSseParser();
    const out = [
      ...parser.push('data: 1\r'),
      ...parser.push('\n\r'),
      ...parser.push('\ndata: 2\n\n'),
    ];
    expect(out).toEqual([{ data: '1' }, { data: '2' }]);
  });

  it('skips comments, or keeps them when asked', () => {
    const text = ': keepalive\n\ndata: x\n\n:\n\n';
    expect(parseSse(text)).toEqual([{ data: 'x' }]);
    expect(parseSse(text, { keepComments: true })).toEqual([
      { data: '', comment: 'keepalive' },
      { data: 'x' },
      { data: '', comment: '' },
    ]);
  });

  it('accepts data: without the space and keeps a second space', () => {
    expect(parseSse('data:{"a":1}\n\ndata:  b\n\n')).toEqual([{ data: '{"a":1}' }, { data: ' b' }]);
  });

  it('joins a JSON payload split over several data lines with newlines', () => {
    const messages = parseSse('event: e\ndata: {"a":\ndata: 1}\n\n');
    expect(messages).toEqual([{ event: 'e', data: '{"a":\n1}' }]);
    expect(JSON.parse(messages[0]!.data)).toEqual({ a: 1 });
  });

  it('decodes UTF-8 split inside a character', () => {
    const bytes = new TextEncoder().encode('data: 🌊é\n\n');
    const chunks = [bytes.subarray(0, 8), bytes.subarray(8, 9), bytes.subarray(9)];
    expect(parseChunks(chunks)).toEqual([{ data: '🌊é' }]);
  });

  it('delivers a last message that lacks its blank line', () => {
    expect(parseSse('data: 1\n\ndata: {"last":true}')).toEqual([
      { data: '1' },
      { data: '{"last":true}' },
    ]);
    expect(parseSse('data: 1\n\nevent: x\ndata: 2\n')).toEqual([
      { data: '1' },
      { event: 'x', data: '2' },
    ]);
  });

  it('ignores unknown fields and dispatches nothing for a blank line alone', () => {
    expect(parseSse('\n\nfoo: bar\ndata: z\n\n\n\n')).toEqual([{ data: 'z' }]);
  });

  it('fails loudly when one event exceeds the buffer limit', () => {
    const parser = createSseParser({ maxBufferSize: 64 });
    expect(() => parser.push(`data: ${'x'.repeat(200)}`)).toThrow(/exceeds 64/);
  });
});

const messageArbitrary: fc.Arbitrary<SseMessage> = fc
  .record(
    {
      event: fc.stringMatching(/^[a-z_.]{1,20}$/),
      data: fc.array(
        fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, ' ')),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      id: fc.stringMatching(/^[a-z0-9]{1,8}$/),
      retry: fc.nat({ max: 100_000 }),
    },
    { requiredKeys: ['data'] },
  )
  .map(({ data, ...rest }) => ({ ...rest, data: data.join('\n') }));

describe('SSE codec properties', () => {
  it('encode then parse is identity', () => {
    fc.assert(
      fc.property(fc.array(messageArbitrary, { maxLength: 20 }), (messages) => {
        expect(parseSse(encodeSse(messages))).toEqual(messages);
      }),
      { numRuns: 300 },
    );
  });

  it('any split of the bytes parses to the same messages', () => {
    const corpus = [
      encodeSse([{ event: 'a', data: '{"t":"🌊 tide"}' }, { data: 'x\ny' }]),
      ': keepalive\r\nevent: b\r\ndata: {"é":1}\r\n\r\ndata:2\r\r',
      'event: c\ndata: {"a":\ndata: "b"}\n\n: ping\n\ndata: [DONE]\n\n',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus),
        fc.array(fc.nat({ max: 200 }), { maxLength: 30 }),
        (text, cuts) => {
          const bytes = new TextEncoder().encode(text);
          expect(parseChunks(splitAt(bytes, cuts), true)).toEqual(
            parseSse(bytes, { keepComments: true }),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('random messages survive random splits', () => {
    fc.assert(
      fc.property(
        fc.array(messageArbitrary, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat({ max: 2000 }), { maxLength: 40 }),
        (messages, cuts) => {
          const bytes = new TextEncoder().encode(encodeSse(messages));
          expect(parseChunks(splitAt(bytes, cuts))).toEqual(messages);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isUnterminated', () => {
  it('marks only the message the end of input dispatched without its blank line', () => {
    const parser = createSseParser();
    const complete = parser.push('data: {"a":1}\n\ndata: {"b":');
    const rest = parser.end();
    expect(complete).toEqual([{ data: '{"a":1}' }]);
    expect(rest).toEqual([{ data: '{"b":' }]);
    expect(isUnterminated(complete[0]!)).toBe(false);
    expect(isUnterminated(rest[0]!)).toBe(true);
  });
});
