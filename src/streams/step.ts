/** The stream step: a pure, synchronous stage of a stream (decode, encode, accumulate). */

/**
 * A stage that turns inputs into outputs. `push` handles one input; `end` flushes at end of
 * input (closing open blocks, writing terminal events). Steps hold per-stream state, do no I/O,
 * and never read the clock: everything they need comes from their factory's arguments.
 */
export interface StreamStep<In, Out> {
  push(input: In): Out[];
  end(): Out[];
}

/** Chains two steps into one: outputs of `first` feed `second`, synchronously. */
export function composeSteps<A, B, C>(
  first: StreamStep<A, B>,
  second: StreamStep<B, C>,
): StreamStep<A, C> {
  function feed(items: B[]): C[] {
    if (items.length === 0) return [];
    if (items.length === 1) return second.push(items[0]!);
    const out: C[] = [];
    for (const item of items) {
      const produced = second.push(item);
      for (const value of produced) out.push(value);
    }
    return out;
  }
  return {
    push: (input) => feed(first.push(input)),
    end: () => {
      const out = feed(first.end());
      for (const value of second.end()) out.push(value);
      return out;
    },
  };
}

/** Runs a whole input list through a step (tests, replay, non-streaming use). */
export function runStep<In, Out>(step: StreamStep<In, Out>, inputs: Iterable<In>): Out[] {
  const out: Out[] = [];
  for (const input of inputs) for (const value of step.push(input)) out.push(value);
  for (const value of step.end()) out.push(value);
  return out;
}
