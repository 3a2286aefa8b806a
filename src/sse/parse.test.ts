import { createParser } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAt } from '../../test/helpers/split.js';
import { encodeSse } from './encode.js';
import { type SseMessage, wireBytesOf } from './message.js';
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

/**
 * The parser as it was before the splitter: eventsource-parser fed every decoded chunk. The
 * splitter must dispatch the same messages, in the same order, at the same `push` or `end`.
 */
function libraryParse(chunks: Array<Uint8Array | string>): {
  messages: SseMessage[];
  cut: SseMessage[];
} {
  const messages: SseMessage[] = [];
  let retry: number | undefined;
  const parser = createParser({
    onEvent(event) {
      const message: SseMessage = { data: event.data };
      if (event.event !== undefined) message.event = event.event;
      if (event.id !== undefined) message.id = event.id;
      if (retry !== undefined) message.retry = retry;
      retry = undefined;
      messages.push(message);
    },
    onRetry: (value) => {
      retry = value;
    },
    onComment: (comment) => messages.push({ data: '', comment }),
  });
  const decoder = new TextDecoder();
  for (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    parser.feed(text);
  }
  parser.feed(decoder.decode());
  const complete = messages.length;
  parser.feed('\n\n');
  return { messages: messages.slice(0, complete), cut: messages.slice(complete) };
}

/** Lines an upstream may send, the common shapes most often. */
const lineArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('data: {"a":1}', 'data: {"t":"🌊 é"}', 'data:{"b":2}') },
  { weight: 3, arbitrary: fc.constantFrom('event: delta', 'event:x', 'event: ', 'event:') },
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'data:',
      'data: ',
      'data: [DONE]',
      'id: 7',
      'id',
      'retry: 50',
      'retry: x',
      ': ping',
      ':',
      'foo: bar',
      'data',
      'event',
      'data:  two spaces',
      'data: {"e":"rror\\""}',
      'data: {"error":{"m":1}}',
    ),
  },
);

describe('SSE splitter against the library alone', () => {
  it('dispatches what eventsource-parser dispatches, for any lines, line ends and splits', () => {
    fc.assert(
      fc.property(
        fc.array(lineArbitrary, { maxLength: 30 }),
        fc.array(fc.constantFrom('\n', '\n', '\n', '\n', '\r\n', '\r'), {
          minLength: 30,
          maxLength: 30,
        }),
        fc.boolean(),
        fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
        fc.boolean(),
        (lines, ends, endsWithBlank, cuts, asText) => {
          let text = lines.map((line, i) => `${line}${ends[i]}`).join('');
          if (endsWithBlank) text += '\n';
          const bytes = new TextEncoder().encode(text);
          const chunks: Array<Uint8Array | string> = asText
            ? splitAt(bytes, cuts).map((chunk) => new TextDecoder().decode(chunk))
            : splitAt(bytes, cuts);
          // A text split inside a surrogate pair is not valid text to begin with.
          if (asText && chunks.some((chunk) => (chunk as string).includes('\uFFFD'))) return;
          const expected = libraryParse(chunks);
          const parser = createSseParser({ keepComments: true });
          const complete: SseMessage[] = [];
          for (const chunk of chunks) complete.push(...parser.push(chunk));
          const cut = parser.end();
          expect([...complete, ...cut]).toEqual([...expected.messages, ...expected.cut]);
          // Events dispatch at the same call; a comment inside an unfinished event may wait for
          // its blank line (the library dispatches comments line by line).
          const events = (messages: SseMessage[]) =>
            messages.filter((m) => m.comment === undefined);
          const ended = cut.filter((message) => !isUnterminated(message));
          expect(events([...complete, ...ended])).toEqual(events(expected.messages));
          expect(events(cut.filter(isUnterminated))).toEqual(events(expected.cut));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('pushUntil stops after the first message its predicate takes and keeps the rest unparsed', () => {
    fc.assert(
      fc.property(
        fc.array(lineArbitrary, { maxLength: 30 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 8 }),
        fc.nat({ max: 10 }),
        (lines, cuts, stopAt) => {
          const text = `${lines.join('\n')}\n\n`;
          const chunks = splitAt(new TextEncoder().encode(text), cuts);
          const expected = libraryParse(chunks);
          const parser = createSseParser({ keepComments: true });
          const out: SseMessage[] = [];
          let seen = 0;
          let stopped = false;
          let askedAfterStop = 0;
          for (const chunk of chunks) {
            if (stopped) {
              out.push(...parser.push(chunk));
              continue;
            }
            const read = parser.pushUntil(chunk, () => {
              if (seen > stopAt) askedAfterStop += 1;
              seen += 1;
              return seen > stopAt;
            });
            out.push(...read);
            stopped = seen > stopAt;
            // Nothing is read past the message that stopped it: it is the last one returned.
            if (stopped) expect(read.length).toBeGreaterThan(0);
          }
          out.push(...parser.end());
          expect(askedAfterStop).toBe(0);
          expect(out).toEqual([...expected.messages, ...expected.cut]);
        },
      ),
      { numRuns: 800 },
    );
  });

  it('pushUntil leaves the events after the one that stopped it for the next push', () => {
    const parser = createSseParser({ plain: (_event, data) => data });
    const stopAtFirst = () => true;
    expect(parser.pushUntil('data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4', stopAtFirst)).toEqual([
      { data: '1' },
    ]);
    expect(parser.push('')).toEqual([{ data: '', raw: 'data: 2\n\ndata: 3\n\n' }]);
    expect(parser.end()).toEqual([{ data: '4' }]);
  });

  it('with `plain`, forwards runs of accepted events as their wire text, the rest as messages', () => {
    // Accepts JSON objects without a "b" key: `{"b":2}`, `[DONE]` and others take the full path.
    const plain = (_event: string | undefined, data: string) =>
      data.startsWith('{') && !data.includes('"b"') ? data : undefined;
    // Events read with their bytes (counted: the check below must not be vacuous).
    let withBytes = 0;
    fc.assert(
      fc.property(
        fc.array(lineArbitrary, { maxLength: 30 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 8 }),
        (lines, cuts) => {
          const text = `${lines.join('\n')}\n\n`;
          const chunks = splitAt(new TextEncoder().encode(text), cuts);
          const parser = createSseParser({ keepComments: true, plain, wireBytes: true });
          const out: SseMessage[] = [];
          for (const chunk of chunks) out.push(...parser.push(chunk));
          out.push(...parser.end());
          // The runs hold the upstream's own text: parsed again, everything is as before.
          const reparsed = parseSse(encodeSse(out), { keepComments: true });
          const expected = libraryParse(chunks);
          expect(reparsed).toEqual([...expected.messages, ...expected.cut]);
          for (const message of out) {
            const own = wireBytesOf(message);
            if (message.raw === undefined) {
              // An event read with its bytes: they are its wire text (parsed, the same event),
              // and only from ASCII chunks.
              if (own) {
                withBytes += 1;
                expect(parseSse(own)).toEqual([message]);
                expect(own.every((byte) => byte < 0x80)).toBe(true);
              }
              continue;
            }
            expect(own).toBeUndefined();
            expect(message.data).toBe('');
            expect(text).toContain(message.raw);
            // The upstream's bytes, when kept, are exactly the run's text.
            if (message.rawBytes) {
              expect(new TextDecoder().decode(message.rawBytes)).toBe(message.raw);
            }
            // Never an event with an error in it: those are scanned for secrets.
            expect(message.raw).not.toContain('rror"');
          }
        },
      ),
      { numRuns: 800 },
    );
    expect(withBytes).toBeGreaterThan(0);
  });

  it('with `plain`, keeps the bytes of a run read unchanged from an ASCII chunk, then from what pushUntil held', () => {
    const parser = createSseParser({ plain: (_event, data) => data, wireBytes: true });
    const bytes = Buffer.from('data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4');
    expect(parser.pushUntil(bytes, () => true)).toEqual([{ data: '1' }]);
    // The head's empty chunk hands on the held events at once, as a view of the upstream's bytes.
    const [run, ...rest] = parser.push(new Uint8Array(0));
    expect(rest).toEqual([]);
    expect(run).toMatchObject({ data: '', raw: 'data: 2\n\ndata: 3\n\n' });
    expect(run?.rawBytes?.buffer).toBe(bytes.buffer);
    expect(Buffer.from(run?.rawBytes ?? []).toString()).toBe('data: 2\n\ndata: 3\n\n');
    // The held event finished by the next chunk is joined to it, its bytes too (one copy).
    const [joined, after, ...none] = parser.push(Buffer.from('\n\ndata: 5\n\ndata: 6\n\n'));
    expect(none).toEqual([]);
    expect(joined).toMatchObject({ data: '', raw: 'data: 4\n\n' });
    expect(Buffer.from(joined?.rawBytes ?? []).toString()).toBe('data: 4\n\n');
    expect(after).toMatchObject({ data: '', raw: 'data: 5\n\ndata: 6\n\n' });
    expect(Buffer.from(after?.rawBytes ?? []).toString()).toBe('data: 5\n\ndata: 6\n\n');
    // Stopped again inside what it held: the new text waits with the rest, read at the next push.
    expect(parser.pushUntil(Buffer.from('data: 9\n\ndata: 10\n\ndata: 11'), () => true)).toEqual([
      { data: '9' },
    ]);
    expect(parser.pushUntil(Buffer.from('\n\ndata: 12\n\n'), () => true)).toEqual([{ data: '10' }]);
    expect(parser.push(Buffer.from('data: 13'))).toEqual([
      { data: '', raw: 'data: 11\n\ndata: 12\n\n' },
    ]);
    // (Held after text without its bytes: text.)
    expect(parser.push(Buffer.from('\n\n'))).toEqual([{ data: '', raw: 'data: 13\n\n' }]);
    // Not from a chunk with other than ASCII (one character is then not one byte), nor text.
    expect(parser.push(Buffer.from('data: é\n\n'))).toEqual([{ data: '', raw: 'data: é\n\n' }]);
    expect(parser.push('data: 8\n\n')).toEqual([{ data: '', raw: 'data: 8\n\n' }]);
  });

  it('with `plain`, puts the data it returns in place of the event data, keeping the event line', () => {
    const parser = createSseParser({
      plain: (event, data) => (event === 'delta' ? data.replace('"m"', '"client"') : undefined),
    });
    const text =
      'event: delta\ndata: {"model":"m","i":1}\n\nevent: delta\ndata: {"model":"m","i":2}\n\n' +
      'event: stop\ndata: {"model":"m"}\n\nevent: delta\ndata:{"model":"x"}\n\n';
    const out = [...parser.push(text), ...parser.end()];
    expect(out).toEqual([
      {
        data: '',
        raw: 'event: delta\ndata: {"model":"client","i":1}\n\nevent: delta\ndata: {"model":"client","i":2}\n\n',
      },
      { event: 'stop', data: '{"model":"m"}' },
      { data: '', raw: 'event: delta\ndata:{"model":"x"}\n\n' },
    ]);
  });

  it('never makes a run of an event cut by the end of input, or of one carrying a retry', () => {
    const parser = createSseParser({ plain: (_event, data) => data });
    const out = [
      ...parser.push('retry: 5\n\ndata: {"a":1}\n\ndata: {"a":2}\n\ndata: {"a":3}'),
      ...parser.end(),
    ];
    expect(out).toEqual([
      { data: '{"a":1}', retry: 5 },
      { data: '', raw: 'data: {"a":2}\n\n' },
      { data: '{"a":3}' },
    ]);
    expect(isUnterminated(out[2]!)).toBe(true);
  });
});
