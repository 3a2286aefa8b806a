/**
 * The client's side of a request as the proxy reads it: whether the client went away, and a
 * listener for when it does. `AbortSignal` has this shape, and `RequestAbort` is the cheap kind.
 */

/** The part of `AbortSignal` the pipeline and the providers read. */
export interface RequestSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A `RequestSignal` its owner aborts (the server, when the client's connection closes early).
 * Node 20 builds every `AbortSignal` as a transferable object with native state: about 3 µs to
 * make, and a weak handle every young-generation collection must visit while the request lives.
 * A request's signal needs none of that. As with `AbortSignal`, listeners run once, in the order
 * they were added, and a listener added after the abort never runs.
 */
export class RequestAbort implements RequestSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Array<() => void> | undefined;

  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (this.aborted) return;
    this.#listeners ??= [];
    this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    const at = listeners ? listeners.indexOf(listener) : -1;
    if (at !== -1) listeners?.splice(at, 1);
  }

  /** Aborts once; every listener runs even when one throws (the first error is thrown after). */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) runListeners(listeners);
  }
}

/**
 * A `RequestSignal` shared by every request in flight: the server's shutdown, which each open
 * stream listens to while it lasts. An `AbortSignal` there held one listener per open stream:
 * Node then warned of a possible memory leak (`MaxListenersExceededWarning`) from the eleventh
 * concurrent stream on, and adding or removing a listener walked all the others. Here both take
 * constant time, whatever the number of streams. Listeners run once, in the order they were
 * added; one removed or added while the others run does not run.
 */
export class SharedAbort implements RequestSignal {
  aborted = false;
  reason: unknown = undefined;
  readonly #listeners = new Set<() => void>();

  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (!this.aborted) this.#listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.#listeners.delete(listener);
  }

  /** The number of listeners waiting (for tests). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Aborts once; every listener runs even when one throws (the first error is thrown after). */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    // The set's own iteration: a listener removed by another before its turn does not run.
    try {
      runListeners(this.#listeners);
    } finally {
      this.#listeners.clear();
    }
  }
}

/** Runs every listener even when one throws; throws the first error after the last one ran. */
function runListeners(listeners: Iterable<() => void>): void {
  let failure: { error: unknown } | undefined;
  for (const listener of listeners) {
    try {
      listener();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}
