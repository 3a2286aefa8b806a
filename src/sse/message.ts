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
