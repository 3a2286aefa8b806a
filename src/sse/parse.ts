/** SSE parsing: bytes in, messages out, on top of eventsource-parser. */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { StreamStep } from '../streams/step.js';
import { createUtf8Decoder } from '../util/utf8.js';
import type { SseMessage } from './message.js';

/** The messages dispatched only at the end of input, without their blank line. */
const unterminated = new WeakSet<SseMessage>();

/**
 * True for a message the parser dispatched only at the end of input, without its blank line: the
 * upstream closed mid-event, so its data may be cut short. A fast path that scans instead of
 * parsing takes the full path for it.
 */
export function isUnterminated(message: SseMessage): boolean {
  return unterminated.has(message);
}

/** Options of the SSE parser. */
export interface SseParserOptions {
  /** Largest partial line or event to buffer, in characters (default 16 MiB). */
  maxBufferSize?: number;
  /** Keep comment lines as messages (default false: decoders never need them). */
  keepComments?: boolean;
}

/**
 * Creates a step that parses SSE bytes (or already decoded text) into messages. Lines may end
 * in LF, CRLF or CR, even split across chunks; UTF-8 may be split anywhere. Unlike a browser,
 * a last event without its blank line is still delivered at `end()`, because upstreams that
 * close abruptly often omit it and the content is real (a half JSON payload is the decoder's to
 * reject). Exceeding the buffer limit throws, which the stream fence turns into an error event.
 */
export function createSseParser(
  options: SseParserOptions = {},
): StreamStep<Uint8Array | string, SseMessage> {
  const decoder = createUtf8Decoder();
  let out: SseMessage[] = [];
  let pendingRetry: number | undefined;
  let overflow: Error | undefined;
  const parser: EventSourceParser = createParser({
    maxBufferSize: options.maxBufferSize ?? 16 * 1024 * 1024,
    onEvent(event) {
      const message: SseMessage = { data: event.data };
      if (event.event !== undefined) message.event = event.event;
      if (event.id !== undefined) message.id = event.id;
      if (pendingRetry !== undefined) {
        message.retry = pendingRetry;
        pendingRetry = undefined;
      }
      out.push(message);
    },
    onRetry(retry) {
      pendingRetry = retry;
    },
    onComment: options.keepComments
      ? (comment) => {
          out.push({ data: '', comment });
        }
      : undefined,
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') overflow = error;
    },
  });

  function drain(): SseMessage[] {
    if (overflow)
      throw new Error(
        `SSE message exceeds ${options.maxBufferSize ?? 16 * 1024 * 1024} characters`,
      );
    const messages = out;
    out = [];
    return messages;
  }

  return {
    push(input) {
      const text = typeof input === 'string' ? input : decoder.write(input);
      if (text !== '') parser.feed(text);
      return drain();
    },
    end() {
      const rest = decoder.end();
      if (rest !== '') parser.feed(rest);
      // Two line ends finish a pending line (or a CR awaiting its LF) and dispatch a pending
      // event; when nothing is pending they are blank lines and dispatch nothing.
      parser.feed('\n\n');
      const messages = drain();
      for (const message of messages) unterminated.add(message);
      return messages;
    },
  };
}

/** Parses a complete SSE text or byte buffer into messages. */
export function parseSse(input: Uint8Array | string, options: SseParserOptions = {}): SseMessage[] {
  const parser = createSseParser(options);
  return [...parser.push(input), ...parser.end()];
}
