import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonText } from '../util/json-text.js';
import { nestingDepth, readJsonBody } from './read-body.js';

/** The reference: every character in turn, a backslash inside a string skipping the next one. */
function nestingDepthByCharacter(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 92) i++;
      else if (char === 34) inString = false;
      continue;
    }
    if (char === 34) inString = true;
    else if (char === 123 || char === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (char === 125 || char === 93) depth--;
  }
  return max;
}

describe('nestingDepth', () => {
  it('counts like a character-by-character scan, on JSON and on any text of its characters', () => {
    fc.assert(
      fc.property(
        fc.json({ depthSize: 'large' }),
        (json) => nestingDepth(json) === nestingDepthByCharacter(json),
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('"', '\\\\', '\\\\"', '{', '}', '[', ']', 'a', ':', ','), {
          maxLength: 40,
        }),
        (pieces) => {
          const text = pieces.join('');
          return nestingDepth(text) === nestingDepthByCharacter(text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestingDepth('{"a":"[[[{\\"}}}","b":[[1]]}')).toBe(3);
    expect(nestingDepth('{"a":"\\\\"}')).toBe(1);
    expect(nestingDepth('"unterminated [[[')).toBe(0);
  });
});

describe('readJsonBody on a Node stream', () => {
  const source = (stream: PassThrough) => ({ contentLength: undefined, chunks: stream });

  it('reads chunks written before and after it starts, up to the end', async () => {
    const stream = new PassThrough();
    stream.write('{"model":');
    const body = readJsonBody(source(stream), 1000);
    setImmediate(() => stream.end('"m","messages":[]}'));
    expect(await body).toEqual({ model: 'm', messages: [] });
  });

  it('keeps the text of an object body (frozen), unless told the route converts it', async () => {
    const text = '{"model" : "m","messages":[]}';
    const read = (keepText?: boolean) => {
      const stream = new PassThrough();
      stream.end(text);
      return readJsonBody(source(stream), 1000, keepText);
    };
    const kept = (await read()) as object;
    expect(jsonText(kept)).toBe(text);
    expect(Object.isFrozen(kept)).toBe(true);
    const converted = (await read(false)) as object;
    expect(converted).toEqual(kept);
    expect(jsonText(converted)).toBe('{"model":"m","messages":[]}');
    expect(Object.isFrozen(converted)).toBe(false);
  });

  it('is 413 past the limit, and the rest of the upload is drained', async () => {
    const stream = new PassThrough();
    const body = readJsonBody(source(stream), 10);
    stream.write('{"model":"0123456789"');
    await expect(body).rejects.toMatchObject({ code: 'request_too_large', status: 413 });
    stream.write('x'.repeat(100_000));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.readableFlowing).toBe(true);
    expect(stream.readableLength).toBe(0);
  });

  it('rejects when the request fails or closes before its end', async () => {
    const failing = new PassThrough();
    const failed = readJsonBody(source(failing), 1000);
    failing.write('{"model"');
    failing.destroy(new Error('aborted'));
    await expect(failed).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('closed before its body ended'),
    });

    const closing = new PassThrough();
    const closed = readJsonBody(source(closing), 1000);
    closing.write('{"model"');
    closing.destroy();
    await expect(closed).rejects.toThrow('closed before its body ended');

    const gone = new PassThrough();
    gone.destroy();
    await expect(readJsonBody(source(gone), 1000)).rejects.toThrow('closed before its body ended');
  });
});
