/** The wire text of the SSE serialiser, and of the events encoders write whole. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSse, encodeSseMessage, oneLineData, oneLineEvent } from './encode.js';
import { parseSse } from './parse.js';

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
