import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChunkSource, createFencedSource, fencedStream } from './fenced-stream.js';

/** A source that yields `pulls` chunks (their content is not read). */
function sourceOf(pulls: number): ChunkSource {
  let left = pulls;
  return {
    read: async () => (left-- > 0 ? { done: false, value: new Uint8Array(1) } : { done: true }),
    cancel: async () => {},
  };
}

/** A fenced source whose every pull encodes to the next list of `pulls`. */
function fenced(pulls: string[][]) {
  let index = 0;
  return createFencedSource<string>({
    source: sourceOf(pulls.length),
    decode: { push: () => pulls[index++] ?? [], end: () => [] },
    encode: { push: (text) => [text], end: () => [] },
    toErrorItem: (error) => `error: ${String(error)}`,
  });
}

const long = (char: string, length = 9000) => char.repeat(length);

/** A fenced source whose halves alone hold an object (`state` sees whether it is still alive). */
function holding(pulls: number) {
  const held = { items: new Array(1000).fill('item') };
  const source = createFencedSource<string>({
    source: sourceOf(pulls),
    decode: { push: () => ['a'], end: () => [] },
    encode: { push: (text) => [text, String(held.items.length)], end: () => ['|end'] },
    toErrorItem: (error) => `error: ${String(error)}`,
  });
  return { source, state: new WeakRef(held) };
}

/** V8's full collection, reached without starting the test process with `--expose-gc`. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('a fenced pull', () => {
  it.each([
    ['ended', false],
    ['cancelled', true],
  ])(
    'lets go of its halves once %s, though the answer is still referenced',
    async (_name, cancel) => {
      // What the halves keep for the end of a stream (a Responses stream's items) must not live on
      // while the client reads the answer.
      const { source, state } = holding(cancel ? 5 : 1);
      expect(await source.next()).toEqual({ chunk: 'a1000', done: false });
      if (cancel) await source.cancel(new Error('gone'));
      else expect(await source.next()).toEqual({ chunk: '|end', done: true });
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
      expect(state.deref()).toBeUndefined();
      // (Still answers, with nothing more.)
      expect(await source.next()).toEqual({ chunk: undefined, done: true });
    },
  );

  it('joins the texts of one pull into one', async () => {
    const source = fenced([['a', 'b', 'c'], ['x', long('L'), 'z'], []]);
    expect(await source.next()).toEqual({ chunk: 'abc', done: false });
    expect(await source.next()).toEqual({ chunk: `x${long('L')}z`, done: false });
    expect(await source.next()).toEqual({ chunk: undefined, done: true });
  });

  it('hands bytes on as they are, between the joined texts around them, and streams them in order', async () => {
    const bytes = [new TextEncoder().encode('<run 1>'), new TextEncoder().encode('<run 2>')];
    const pulls: Array<Array<string | Uint8Array>> = [['a', 'b', bytes[0]!, 'c', bytes[1]!], []];
    const make = () => {
      let index = 0;
      return createFencedSource<string | Uint8Array>({
        source: sourceOf(pulls.length),
        decode: { push: () => pulls[index++] ?? [], end: () => [] },
        encode: { push: (piece) => [piece], end: () => [] },
        toErrorItem: (error) => `error: ${String(error)}`,
      });
    };
    const source = make();
    const first = await source.next();
    expect(first).toEqual({ chunk: ['ab', bytes[0], 'c', bytes[1]], done: false });
    // The very bytes the decoding half gave, not copies.
    expect((first.chunk as unknown[])[1]).toBe(bytes[0]);
    const text = await new Response(fencedStream(make())).text();
    expect(text).toBe('ab<run 1>c<run 2>');
  });

  it('ends the answer in the pull that read the last chunk when the source says it is at its end', async () => {
    const run = async (knowsEnd: boolean) => {
      let left = 2;
      const source = createFencedSource<string>({
        source: {
          read: async () =>
            left-- > 0 ? { done: false, value: new Uint8Array(1) } : { done: true },
          cancel: async () => {},
          ...(knowsEnd ? { atEnd: () => left <= 0 } : {}),
        },
        decode: { push: () => ['a'], end: () => ['b'] },
        encode: { push: (text) => [text], end: () => ['|end'] },
        toErrorItem: (error) => `error: ${String(error)}`,
      });
      const pulls = [];
      for (let pull = await source.next(); ; pull = await source.next()) {
        pulls.push(pull);
        if (pull.done) return pulls;
      }
    };
    expect(await run(true)).toEqual([
      { chunk: 'a', done: false },
      { chunk: 'ab|end', done: true },
    ]);
    expect(await run(false)).toEqual([
      { chunk: 'a', done: false },
      { chunk: 'a', done: false },
      { chunk: 'b|end', done: true },
    ]);
  });

  it('gives the client the same bytes, whatever the texts (web stream)', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.integer({ min: 8000, max: 9000 }).map((length) => long('é', length)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(text, { maxLength: 6 }), { maxLength: 4 }),
        async (pulls) => {
          const response = new Response(fencedStream(fenced(pulls)));
          expect(await response.text()).toBe(pulls.flat().join(''));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('ends with the error item when the source or the decoding fails, and cancels the source', async () => {
    let cancelled: unknown;
    let reads = 0;
    const source = createFencedSource<string>({
      source: {
        read: async () => {
          reads += 1;
          if (reads === 2) throw new Error('socket hang up');
          return { done: false, value: new Uint8Array(1) };
        },
        cancel: async (reason) => {
          cancelled = reason;
        },
      },
      decode: { push: () => ['a'], end: () => ['never'] },
      encode: { push: (text) => [text], end: () => ['|end'] },
      toErrorItem: (error) => `|error: ${(error as Error).message}`,
    });
    expect(await source.next()).toEqual({ chunk: 'a', done: false });
    expect(await source.next()).toEqual({ chunk: '|error: socket hang up|end', done: true });
    expect((cancelled as Error).message).toBe('socket hang up');

    const failing = createFencedSource<string>({
      source: sourceOf(1),
      decode: {
        push: () => {
          throw new Error('decoder bug');
        },
        end: () => [],
      },
      encode: { push: (text) => [text], end: () => [] },
      toErrorItem: (error) => `error: ${(error as Error).message}`,
    });
    expect(await failing.next()).toEqual({ chunk: 'error: decoder bug', done: true });
  });
});
