/**
 * Stream encoders write some events whole, as their wire text (`SseMessage.raw`); a test reads
 * what they wrote as a client does: serialised, then parsed again into one message per event.
 */
import { encodeSse } from '../../src/sse/encode.js';
import type { SseMessage } from '../../src/sse/message.js';
import { parseSse } from '../../src/sse/parse.js';

/** The messages as a client reads them off the wire. */
export function onTheWire(messages: Iterable<SseMessage>): SseMessage[] {
  return parseSse(encodeSse(messages));
}
