/** The SSE message: one dispatched event (or comment) of an event stream. */

/**
 * One SSE message. A comment line (`: keepalive`) is a message with `comment` set and empty
 * `data`; format decoders skip those. `retry` is attached to the event dispatched with it.
 */
export interface SseMessage {
  event?: string;
  data: string;
  id?: string;
  retry?: number;
  comment?: string;
  /**
   * Wire text written as it is; `data` is then empty and the other fields are unset. Either a run
   * of events a same-format route forwards as the upstream wrote them (see
   * `SseParserOptions.plain`; only the parser of a pass-through route makes these), or one event
   * an encoder wrote whole (`oneLineEvent`, `stringDeltaEvent`), which only the serialiser reads.
   */
  raw?: string;
  /**
   * The upstream's own bytes of `raw`, when the parser read the run from an ASCII chunk and the
   * run is that chunk's text unchanged: the serialiser then forwards them, and the text is never
   * encoded again (issue 13: forward the upstream's bytes). A step that changes `raw` drops it.
   */
  rawBytes?: Uint8Array;
  /**
   * Set by a pass-through step on an event it forwards edited only where no error report can be
   * made or unmade (its `sequence_number`, its model's name): the upstream's `data` it was edited
   * from. The search for upstream error reports reads this instead of `data`, a rope of pieces
   * that a search would first copy whole (issue 13).
   */
  sourceData?: string;
}

/**
 * A message a pass-through parser read whole from ASCII bytes in one of the usual shapes
 * (`event:` then `data:`, or `data:` alone), with the upstream's own bytes of it, for the
 * serialiser to forward instead of encoding its text again (issue 13: forward the upstream's
 * bytes). The bytes are a private field, not a property: a step that changes a message makes a
 * new one (`{ ...message, data }`), which does not copy them, so edited text can never go out as
 * the upstream's bytes. (A `WeakMap` beside the messages did the same at about 1 µs a message.)
 */
export class WireMessage implements SseMessage {
  declare event?: string;
  data: string;
  readonly #bytes: Uint8Array;

  constructor(event: string | undefined, data: string, bytes: Uint8Array) {
    if (event !== undefined) this.event = event;
    this.data = data;
    this.#bytes = bytes;
  }

  /** The upstream's bytes of `message`, when the parser read it with them (see `WireMessage`). */
  static bytesOf(message: SseMessage): Uint8Array | undefined {
    return #bytes in message ? (message as WireMessage).#bytes : undefined;
  }
}

/** The upstream's own bytes of a message (`WireMessage`), if it has them. */
export const wireBytesOf = WireMessage.bytesOf;
