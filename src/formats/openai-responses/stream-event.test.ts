import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SseMessage } from '../../sse/message.js';
import { parseSse } from '../../sse/parse.js';
import { MAX_STREAM_INDEX } from '../../util/narrow.js';
import {
  parseScanned,
  readRunOutputIndexes,
  scanItemDone,
  scanStreamEvent,
} from './stream-event.js';

const DELTA =
  '{"type":"response.output_text.delta","sequence_number":12,"item_id":"msg_1","output_index":3,"content_index":0,"delta":"a\\"b\\u00e9","logprobs":[],"obfuscation":"xY"}';

function message(data: string, event: string | undefined = 'response.output_text.delta') {
  return event === undefined ? { data } : { event, data };
}

describe('scanStreamEvent (the fast paths read events without parsing them)', () => {
  it('reads a compact flat event: type, number and where it is, output index', () => {
    const scanned = scanStreamEvent(message(DELTA));
    expect(scanned).toMatchObject({
      type: 'response.output_text.delta',
      flat: true,
      outputIndex: 3,
      sequence: { value: 12 },
    });
    const sequence = scanned?.sequence ?? { start: 0, end: 0 };
    expect(DELTA.slice(sequence.start, sequence.end)).toBe('12');
    // Without an event line, the type in the data stands.
    expect(scanStreamEvent(message(DELTA, undefined))?.type).toBe('response.output_text.delta');
  });

  it('reads only the prefix of a nested event, and parseScanned parses it', () => {
    const data =
      '{"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"type":"message","content":[]}}';
    const scanned = scanStreamEvent(message(data, 'response.output_item.done'));
    expect(scanned).toMatchObject({ flat: false, sequence: { value: 7 } });
    expect(scanned?.outputIndex).toBeUndefined();
    expect(scanned && parseScanned(scanned)).toEqual(JSON.parse(data));
  });

  it('leaves the output index unknown when it is not one plain integer', () => {
    for (const index of ['-1', '1.5', '"2"', '01', String(MAX_STREAM_INDEX + 1)]) {
      const data = DELTA.replace('"output_index":3', `"output_index":${index}`);
      const scanned = scanStreamEvent(message(data));
      expect(scanned?.outputIndex, index).toBeUndefined();
    }
    const twice = DELTA.replace('"output_index":3', '"output_index":3,"output_index":4');
    expect(scanStreamEvent(message(twice))).toMatchObject({ flat: false });
    expect(scanStreamEvent(message(twice))?.outputIndex).toBeUndefined();
  });

  const unrecognised: Record<string, SseMessage> = {
    'pretty-printed JSON': message(JSON.stringify(JSON.parse(DELTA), null, 2)),
    'a space after a colon': message(DELTA.replace('"type":"', '"type": "')),
    'another key order': message(
      '{"sequence_number":12,"type":"response.output_text.delta","delta":"a"}',
    ),
    'no sequence number': message('{"type":"response.output_text.delta","delta":"a"}'),
    'a number as a string': message(
      DELTA.replace('"sequence_number":12', '"sequence_number":"12"'),
    ),
    'a number with a leading zero': message(DELTA.replace(':12,', ':012,')),
    'a fractional number': message(DELTA.replace(':12,', ':12.0,')),
    'an event name that differs from the type': message(DELTA, 'response.refusal.delta'),
    'an escape in the type': message(
      DELTA.replace('output_text.delta', 'output\\u005ftext.delta'),
      undefined,
    ),
    'a comment': { data: DELTA, comment: 'x' },
    'a second sequence_number in a nested object': message(
      '{"type":"response.output_item.added","sequence_number":1,"item":{"sequence_number":2}}',
      'response.output_item.added',
    ),
    'a second sequence_number in a flat object': message(
      DELTA.replace('"delta":', '"sequence_number":13,"delta":'),
    ),
  };
  for (const [name, input] of Object.entries(unrecognised)) {
    it(`does not recognise ${name}`, () => {
      expect(scanStreamEvent(input)).toBeUndefined();
    });
  }

  it('does not recognise an event the end of input cut short', () => {
    const [cut] = parseSse(`event: response.output_text.delta\ndata: ${DELTA}`);
    expect(cut?.data).toBe(DELTA);
    expect(scanStreamEvent(cut as SseMessage)).toBeUndefined();
    const [whole] = parseSse(`event: response.output_text.delta\ndata: ${DELTA}\n\n`);
    expect(scanStreamEvent(whole as SseMessage)?.flat).toBe(true);
  });

  it('takes no invalid JSON for a flat event, and parseScanned rejects it', () => {
    for (const bad of [
      DELTA.replace('"xY"', '"x\tY"'), // a raw control character
      DELTA.replace('"xY"', '"x\\qY"'), // an unknown escape
      DELTA.replace('"xY"}', '"xY"'), // not closed
      DELTA.replace('"logprobs":[]', '"logprobs":[1'), // broken array
    ]) {
      const scanned = scanStreamEvent(message(bad));
      expect(scanned?.flat, bad).not.toBe(true);
      if (scanned) expect(parseScanned(scanned)).toBeUndefined();
    }
  });

  it('sends a nested event with a second, different type to the full path', () => {
    const data =
      '{"type":"response.output_item.added","sequence_number":1,"item":{"type":"message"},"type":"response.output_item.done"}';
    const scanned = scanStreamEvent(message(data, 'response.output_item.added'));
    expect(scanned?.flat).toBe(false);
    expect(scanned && parseScanned(scanned)).toBeUndefined();
    // A flat one is not flat at all.
    const flat = DELTA.replace('"delta":', '"type":"response.refusal.delta","delta":');
    expect(scanStreamEvent(message(flat))?.flat).not.toBe(true);
  });
});

describe('readRunOutputIndexes', () => {
  /** The definition it reads by hand. */
  const reference = (text: string) => {
    const indexes: number[] = [];
    let count = 0;
    for (const found of text.matchAll(/"output_index":(0|[1-9]\d{0,8})[,}]/g)) {
      const index = Number(found[1]);
      if (index > MAX_STREAM_INDEX) continue;
      if (!indexes.includes(index)) indexes.push(index);
      count++;
    }
    return { count, indexes };
  };
  const read = (text: string) => {
    const indexes: number[] = [];
    return { count: readRunOutputIndexes(text, indexes), indexes };
  };

  it('reads the keys of a run, and only well-formed ones', () => {
    const run = (index: string, after = ',') =>
      `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":1,"output_index":${index}${after}"delta":"x"}\n\n`;
    expect(read(run('0') + run('2') + run('0'))).toEqual({ count: 3, indexes: [0, 2] });
    expect(read(run('4095', '}'))).toEqual({ count: 1, indexes: [4095] });
    // Beyond MAX_STREAM_INDEX: read as absent, like a malformed key.
    expect(read(run('4096', '}'))).toEqual({ count: 0, indexes: [] });
    expect(read(run('123456789', '}'))).toEqual({ count: 0, indexes: [] });
    for (const bad of ['01', '1234567890', '-1', '1.5', '"1"', '', '1 ']) {
      expect(read(run(bad))).toEqual({ count: 0, indexes: [] });
    }
  });

  it('agrees with its definition on any text', () => {
    const piece = fc.constantFrom(
      '"output_index":',
      '"output_index":0',
      '"output_index":01',
      '"output_index":9',
      '"output_index"',
      '"output_inde',
      'x":',
      'x":1,',
      '0',
      '7',
      '12345',
      '4095',
      '4096',
      '1234567890',
      ',',
      '}',
      '"',
      'x',
      '\n\n',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect(read(text)).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("scanItemDone (an output_item.done read as its item's text)", () => {
  const done = (item: unknown, index: unknown = 2) =>
    `{"type":"response.output_item.done","sequence_number":9,"output_index":${JSON.stringify(index)},"item":${JSON.stringify(item)}}`;
  const read = (data: string) => {
    const scanned = scanStreamEvent({ event: 'response.output_item.done', data });
    return scanned && scanItemDone(scanned);
  };

  it("gives the output index and the item's own text", () => {
    const text = '{"type":"message","content":[{"type":"output_text","text":"a\\/b \\u00e9"}]}';
    const data = `{"type":"response.output_item.done","sequence_number":9,"output_index":0,"item":${text}}`;
    expect(read(data)).toEqual({ index: 0, text });
  });

  it('leaves any other form to the full parse', () => {
    const item = { type: 'message', content: [] };
    const cases = [
      // A key after the item, or a second item: the text up to the last brace is not the item.
      `${done(item).slice(0, -1)},"extra":1}`,
      `${done(item).slice(0, -1)},"item":{"type":"other"}}`,
      done(item).replace(',"item":', ', "item":'),
      done(item).replace('"output_index":2', '"output_index":"2"'),
      done(item).replace('"output_index":2,', ''),
      done(item, MAX_STREAM_INDEX + 1),
      done('text'),
      done([item]),
      done(null),
      `${done(item)} `,
      done(item).replace('"type":"message"', '"type":"message",'),
      done(item).replace('response.output_item.done', 'response.output_item.added'),
    ];
    for (const data of cases) expect(read(data), data).toBeUndefined();
  });

  it('agrees with JSON.parse on any text of the usual prefix (property)', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    const glue = fc.constantFrom('', ' ', ',', '}', '{', ']', '"', ',"item":', ',"k":1');
    fc.assert(
      fc.property(json, fc.nat(20), glue, glue, (item, index, before, after) => {
        const data = `{"type":"response.output_item.done","sequence_number":9,"output_index":${index},"item":${before}${JSON.stringify(item)}${after}}`;
        const found = read(data);
        if (found === undefined) return;
        const event = JSON.parse(data) as Record<string, unknown>;
        expect(Object.keys(event)).toEqual(['type', 'sequence_number', 'output_index', 'item']);
        expect(found.index).toBe(event.output_index);
        expect(JSON.parse(found.text)).toEqual(event.item);
      }),
    );
    // The usual form of an object item is always read so.
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (item) => {
        expect(JSON.parse(read(done(item))?.text ?? 'null')).toEqual(
          JSON.parse(JSON.stringify(item)),
        );
      }),
    );
  });
});
