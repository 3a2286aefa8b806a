/** The wire text of the SSE serialiser, and of the events encoders write whole. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSseSerializer,
  encodeSse,
  encodeSseMessage,
  oneLineData,
  oneLineEvent,
} from './encode.js';
import { wireBytesOf } from './message.js';
import { createSseParser, parseSse } from './parse.js';

/** A text without line breaks (the data of a JSON event, an event name). */
const oneLine = fc
  .string({ unit: 'binary', maxLength: 60 })
  .map((text) => text.replace(/[\r\n]/g, ' '));

describe('oneLineEvent and oneLineData', () => {
  it('write what the serialiser writes for the same event, and parse back to it', () => {
    fc.assert(
      fc.property(
        oneLine.filter((name) => name.trim() === name && name !== ''),
        oneLine,
        (event, data) => {
          const whole = oneLineEvent(event, data);
          expect(encodeSseMessage(whole)).toBe(encodeSseMessage({ event, data }));
          expect(parseSse(encodeSse([whole]))).toEqual([{ event, data }]);
          const dataOnly = oneLineData(data);
          expect(encodeSseMessage(dataOnly)).toBe(encodeSseMessage({ data }));
          expect(parseSse(encodeSse([dataOnly]))).toEqual([{ data }]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('are written as they are, beside messages of fields', () => {
    const text = encodeSse([
      { event: 'a', data: '1' },
      oneLineEvent('b', '{"x":2}'),
      oneLineData('[DONE]'),
    ]);
    expect(text).toBe('event: a\ndata: 1\n\nevent: b\ndata: {"x":2}\n\ndata: [DONE]\n\n');
  });
});

describe('the serialiser on a pass-through route', () => {
  it("forwards an event read whole as the upstream's own bytes, and an edited copy as its text", () => {
    // The upstream wrote it without the spaces the serialiser writes: its bytes go as they came.
    const wire = Buffer.from('event:ping\ndata:{"n":1}\n\n');
    const parser = createSseParser({ plain: () => undefined, wireBytes: true });
    const [message] = parser.push(wire);
    expect(message).toEqual({ event: 'ping', data: '{"n":1}' });
    const serialiser = createSseSerializer();
    const [sent] = serialiser.push(message!);
    expect(sent).toBeInstanceOf(Uint8Array);
    expect((sent as Uint8Array).buffer).toBe(wire.buffer);
    expect(Buffer.from(sent as Uint8Array).toString()).toBe(wire.toString());
    // A step that changes it makes a new message: the bytes do not follow it.
    const edited = { ...message!, data: '{"n":2}' };
    expect(wireBytesOf(edited)).toBeUndefined();
    expect(serialiser.push(edited)).toEqual(['event: ping\ndata: {"n":2}\n\n']);
    // Nor are they kept without `wireBytes` (a converting route's parser, a reassembler), or
    // with a `retry` line.
    expect(wireBytesOf(parseSse(wire)[0]!)).toBeUndefined();
    expect(wireBytesOf(createSseParser({ plain: () => undefined }).push(wire)[0]!)).toBeUndefined();
    const retried = createSseParser({ plain: () => undefined, wireBytes: true }).push(
      Buffer.from('retry: 5\n\nevent:ping\ndata:{"n":1}\n\n'),
    );
    expect(retried).toEqual([{ event: 'ping', data: '{"n":1}', retry: 5 }]);
    expect(wireBytesOf(retried[0]!)).toBeUndefined();
  });

  it('forwards an event split across chunks as its bytes joined, when every chunk was ASCII', () => {
    const text = `event: big\ndata: {"text":"${'x'.repeat(300)}"}\n\n`;
    const read = (chunks: Uint8Array[]) => {
      const parser = createSseParser({ plain: () => undefined, wireBytes: true });
      return chunks.flatMap((chunk) => parser.push(chunk));
    };
    const ascii = Buffer.from(text);
    const [whole] = read([ascii.subarray(0, 100), ascii.subarray(100, 200), ascii.subarray(200)]);
    expect(Buffer.from(wireBytesOf(whole!) ?? []).toString()).toBe(text);
    // One chunk with other than ASCII: the event goes as its text.
    const other = Buffer.from(text.replace('xxx', 'é'));
    const [mixed] = read([other.subarray(0, 100), other.subarray(100)]);
    expect(mixed?.data).toContain('é');
    expect(wireBytesOf(mixed!)).toBeUndefined();
    // Longer than the parser keeps bytes for (1 MiB): its text.
    const long = Buffer.from(`data: "${'y'.repeat(1024 * 1024)}"\n\n`);
    const [longest] = read([long.subarray(0, 600_000), long.subarray(600_000)]);
    expect(longest?.data.length).toBe(1024 * 1024 + 2);
    expect(wireBytesOf(longest!)).toBeUndefined();
  });
});
