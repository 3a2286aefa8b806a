/**
 * SSE parsing: bytes in, messages out. eventsource-parser reads every line; a splitter in front
 * of it hands it one complete event at a time and reads the two shapes nearly every upstream
 * event has (`data: …` alone, or `event: …` then `data: …`) itself, so that a same-format route
 * can forward a run of such events as the text it came in (`SseParserOptions.plain`): the
 * library's callback API only gives values, never the text they were read from.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { StreamStep } from '../streams/step.js';
import { lastIndexOfText } from '../util/text-at.js';
import { createUtf8Decoder } from '../util/utf8.js';
import { type SseMessage, WireMessage } from './message.js';

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

/**
 * Reads a complete event's data (as parsed) and says what a same-format route forwards for it:
 * the same string when the event goes as it came, other data to forward in its place (only the
 * data line changes), or `undefined` when the event needs the full path (a message). An event
 * with `rror"` in its data takes the full path whatever this answers (it is asked first: a long
 * event it refuses at once is then never searched).
 */
export type PlainEvent = (event: string | undefined, data: string) => string | undefined;

/**
 * A run of events a format forwards without reading them one by one (`SseParserOptions.plainRun`):
 * a sticky pattern (flag `y`) matching, from an event's first character, one or more whole events
 * in their usual wire form for which `plain` gives the same data back, with no `rror"` in their
 * data.
 */
export interface PlainRun {
  pattern: RegExp;
}

/** Options of the SSE parser. */
export interface SseParserOptions {
  /** Largest partial line or event to buffer, in characters (default 16 MiB). */
  maxBufferSize?: number;
  /** Keep comment lines as messages (default false: decoders never need them). */
  keepComments?: boolean;
  /**
   * Same-format forwarding: a run of consecutive complete events this accepts (and with no
   * `rror"` in its data, so no error to scrub) is handed on as one message whose `raw` is their
   * wire text (`SseMessage.raw`), not one message each. Only `push` makes runs; `pushUntil` and a
   * message cut by the end of input never do.
   */
  plain?: PlainEvent;
  /**
   * With `plain`: the run the format can match at once at this point of the stream (asked
   * before each event until it gives one: the format may learn it from an event `plain` has just
   * read). A run it matches joins the
   * raw run in one test instead of event by event (about 200 ns an event less on a long
   * stream). Anything it does not match takes the path above; a differential test of each
   * format checks the runs are the ones `plain` makes.
   */
  plainRun?: () => PlainRun | undefined;
  /**
   * Same-format forwarding: an event read from ASCII bytes in one of the usual shapes is a
   * `WireMessage` holding its bytes, which the serialiser sends when the event goes unchanged,
   * and the bytes of an event split across chunks are kept beside its text (up to 1 MiB) and
   * joined once it completes. Only for a parser whose messages are forwarded: a reader (the
   * reassembler of a non-streamed answer) would only pay for them.
   */
  wireBytes?: boolean;
}

/** The SSE parsing step (of bytes, or of bytes or text). */
export interface SseParseStep<In = Uint8Array> extends StreamStep<In, SseMessage> {
  /**
   * Like `push`, but parses only up to the first message `stop` returns true for (`stop` sees
   * each message in order until then); the rest of the input is kept, unparsed, for the next
   * `push` or `end`. Makes no runs.
   */
  pushUntil(input: In, stop: (message: SseMessage) => boolean): SseMessage[];
}

const LF = 0x0a;
const SPACE = 0x20;

/**
 * The most bytes of one partial event a pass-through parser keeps beside its text, so that the
 * event goes out as the upstream's bytes once it completes (`heldPieces`). A longer event is
 * forwarded as its text: its bytes would double what the parser holds.
 */
const MAX_HELD_BYTES = 1024 * 1024;

/**
 * Whether a `data:` field name starts at `at`. Compared code by code: `startsWith` with a
 * position is a call V8 does not inline, and it ran twice for every event (4% of a stream).
 */
function isDataField(text: string, at: number): boolean {
  return (
    text.charCodeAt(at) === 0x64 &&
    text.charCodeAt(at + 1) === 0x61 &&
    text.charCodeAt(at + 2) === 0x74 &&
    text.charCodeAt(at + 3) === 0x61 &&
    text.charCodeAt(at + 4) === 0x3a
  );
}

/** Whether an `event:` field name starts at `at` (as `isDataField`). */
function isEventField(text: string, at: number): boolean {
  return (
    text.charCodeAt(at) === 0x65 &&
    text.charCodeAt(at + 1) === 0x76 &&
    text.charCodeAt(at + 2) === 0x65 &&
    text.charCodeAt(at + 3) === 0x6e &&
    text.charCodeAt(at + 4) === 0x74 &&
    text.charCodeAt(at + 5) === 0x3a
  );
}

/**
 * Creates a step that parses SSE bytes (or already decoded text) into messages. Lines may end
 * in LF, CRLF or CR, even split across chunks; UTF-8 may be split anywhere. Unlike a browser,
 * a last event without its blank line is still delivered at `end()`, because upstreams that
 * close abruptly often omit it and the content is real (a half JSON payload is the decoder's to
 * reject). Exceeding the buffer limit throws, which the stream fence turns into an error event.
 *
 * While the input has only LF line ends, the text after the last blank line is held here and
 * the library is fed whole events, so it holds nothing between them; the first CR (in any
 * chunk) hands the rest of the stream to the library as it comes.
 */
export function createSseParser(options: SseParserOptions = {}): SseParseStep<Uint8Array | string> {
  const decoder = createUtf8Decoder();
  const maxBufferSize = options.maxBufferSize ?? 16 * 1024 * 1024;
  const plain = options.plain;
  const plainRun = plain === undefined ? undefined : options.plainRun;
  const wireBytes = options.wireBytes === true;
  let out: SseMessage[] = [];
  let pendingRetry: number | undefined;
  let overflow: Error | undefined;
  /** True once a CR was seen: every later character goes to the library as it comes. */
  let libraryOnly = false;
  /** Text after the last complete event (LF mode), not yet given to anyone. */
  let held = '';
  /** True when `held` may hold complete events (`pushUntil` stopped before them). */
  let heldEvents = false;
  /**
   * The bytes of `held`, when it was cut from an ASCII chunk and holds complete events
   * (`heldEvents`): their runs keep them (`SseMessage.rawBytes`). A stream's head is read with
   * `pushUntil`, so the rest of its first chunk is held so.
   */
  let heldBytes: Uint8Array | undefined;
  /**
   * The bytes of `held` when it is a partial event (not `heldEvents`) and every piece of it came
   * from an ASCII chunk: a pass-through route's parser (`wireBytes`) keeps them, so that the event,
   * once complete, is read with its bytes (`WireMessage`, runs' `rawBytes`) rather than encoded
   * again; up to `MAX_HELD_BYTES`. (Views of the chunks: the held text, a slice of each chunk's
   * text, keeps as much alive.)
   */
  let heldPieces: Uint8Array[] | undefined;
  let heldPiecesLength = 0;
  const parser: EventSourceParser = createParser({
    maxBufferSize,
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
  // The library drops a BOM from its first chunk; the decoder already did, and the library's
  // first chunk here may come from the middle of the stream.
  parser.feed('');

  function overflowError(): Error {
    return new Error(`SSE message exceeds ${maxBufferSize} characters`);
  }

  function drain(): SseMessage[] {
    if (overflow) throw overflowError();
    const messages = out;
    out = [];
    return messages;
  }

  /** A message read here (the library's for the same lines, with a pending `retry`). */
  function message(event: string | undefined, data: string): SseMessage {
    const read: SseMessage = { data };
    if (event !== undefined) read.event = event;
    if (pendingRetry !== undefined) {
      read.retry = pendingRetry;
      pendingRetry = undefined;
    }
    return read;
  }

  /**
   * Parses the complete events of `text` (LF line ends only) into `out`; holds what follows the
   * last blank line. With `stop`, stops after the event holding the first message it accepts and
   * holds the rest; with `runs`, joins plain events into raw runs. Returns whether `stop` stopped it.
   */
  function split(
    text: string,
    stop: ((message: SseMessage) => boolean) | undefined,
    runs: boolean,
    bytes?: Uint8Array,
  ): boolean {
    const last = lastIndexOfText(text, '\n\n');
    if (last === -1) {
      held = text;
      heldBytes = undefined;
      holdPieces(bytes);
      checkHeld();
      return false;
    }
    const limit = last + 2;
    let pos = 0;
    // The run being built: its finished text, and the span of the original text it goes on with.
    let run = '';
    let runStart = -1;
    let runEnd = -1;
    const endRun = () => {
      // A run that is one span of `text`, unchanged, is also that span of `bytes` when given.
      const own = run === '' && runStart !== -1 ? bytes?.subarray(runStart, runEnd) : undefined;
      if (runStart !== -1) run += text.slice(runStart, runEnd);
      if (own !== undefined) out.push({ data: '', raw: run, rawBytes: own });
      else if (run !== '') out.push({ data: '', raw: run });
      run = '';
      runStart = -1;
    };
    // Asked again before each event until the format knows it (it may learn it from an event
    // `plain` reads in this very text).
    const askRun = runs ? plainRun : undefined;
    let known: PlainRun | undefined;
    let stopped = false;
    while (pos < limit) {
      if (known === undefined && askRun !== undefined) known = askRun();
      if (known !== undefined && pendingRetry === undefined) {
        const pattern = known.pattern;
        pattern.lastIndex = pos;
        if (pattern.test(text)) {
          if (runStart === -1) runStart = pos;
          runEnd = pattern.lastIndex;
          pos = runEnd;
          continue;
        }
      }
      if (text.charCodeAt(pos) === LF) {
        // A blank line with no event before it dispatches nothing.
        pos += 1;
        continue;
      }
      let event: string | undefined;
      let dataLine = pos;
      let lineEnd = text.indexOf('\n', pos);
      if (isEventField(text, pos) && isDataField(text, lineEnd + 1)) {
        const nameStart = text.charCodeAt(pos + 6) === SPACE ? pos + 7 : pos + 6;
        event = nameStart < lineEnd ? text.slice(nameStart, lineEnd) : undefined;
        dataLine = lineEnd + 1;
        lineEnd = text.indexOf('\n', dataLine);
      }
      if (isDataField(text, dataLine) && text.charCodeAt(lineEnd + 1) === LF) {
        // The common shapes: one data line (after an event line), then the blank line.
        const dataStart = text.charCodeAt(dataLine + 5) === SPACE ? dataLine + 6 : dataLine + 5;
        const data = text.slice(dataStart, lineEnd);
        const next = lineEnd + 2;
        if (runs && pendingRetry === undefined && plain !== undefined) {
          // An event with `rror"` in its data is never plain (it may hold an error to scrub):
          // searched only in what `plain` accepts (a long event it refuses is not searched).
          let forwarded = plain(event, data);
          if (forwarded !== undefined && data.includes('rror"')) forwarded = undefined;
          if (forwarded === data) {
            if (runStart === -1) runStart = pos;
            runEnd = next;
            pos = next;
            continue;
          }
          if (forwarded !== undefined) {
            if (runStart !== -1) run += text.slice(runStart, runEnd);
            run += `${text.slice(pos, dataStart)}${forwarded}\n\n`;
            runStart = -1;
            pos = next;
            continue;
          }
        }
        endRun();
        // The event's own bytes go with it on a pass-through route (not with a `retry` the
        // message takes from an earlier line: then they are not all of its text).
        const read =
          wireBytes && pendingRetry === undefined && bytes !== undefined
            ? new WireMessage(event, data, bytes.subarray(pos, next))
            : message(event, data);
        out.push(read);
        pos = next;
        if (stop?.(read)) {
          stopped = true;
          break;
        }
        continue;
      }
      // Any other event (comments, ids, retry, several data lines, unknown fields): the library
      // reads it whole, from a clean state.
      endRun();
      const end = text.indexOf('\n\n', pos);
      const from = out.length;
      parser.feed(text.slice(pos, end + 2));
      pos = end + 2;
      if (overflow) throw overflowError();
      if (stop && out.slice(from).some((read) => stop(read))) {
        stopped = true;
        break;
      }
    }
    endRun();
    held = pos < text.length ? text.slice(pos) : '';
    heldEvents = pos < limit;
    // Complete events held keep their bytes here, a partial event in `heldPieces`.
    heldBytes = heldEvents ? bytes?.subarray(pos) : undefined;
    holdPieces(heldEvents || held === '' ? undefined : bytes?.subarray(pos));
    checkHeld();
    return stopped;
  }

  /** Starts `heldPieces` with the bytes of a partial event just held (none: not kept). */
  function holdPieces(bytes: Uint8Array | undefined): void {
    if (!wireBytes || bytes === undefined || bytes.byteLength > MAX_HELD_BYTES) {
      heldPieces = undefined;
      return;
    }
    heldPieces = [bytes];
    heldPiecesLength = bytes.byteLength;
  }

  /** Adds a chunk's bytes to the held partial event's (none: the event's bytes are not kept). */
  function addHeldPiece(bytes: Uint8Array | undefined): void {
    if (heldPieces === undefined) return;
    heldPiecesLength += bytes?.byteLength ?? 0;
    if (bytes === undefined || heldPiecesLength > MAX_HELD_BYTES) heldPieces = undefined;
    else heldPieces.push(bytes);
  }

  /**
   * Comment lines at the start of `held` go to the library now, which dispatches them at once
   * (a keepalive must not wait for the next event); they leave its state clean.
   */
  function releaseComments(): void {
    if (held.charCodeAt(0) !== 0x3a) return;
    let at = 0;
    while (held.charCodeAt(at) === 0x3a) {
      const lineEnd = held.indexOf('\n', at);
      if (lineEnd === -1) break;
      at = lineEnd + 1;
    }
    if (at === 0) return;
    parser.feed(held.slice(0, at));
    held = held.slice(at);
    // (Rare: the event after them is forwarded as text.)
    heldPieces = undefined;
  }

  function checkHeld(): void {
    // Only before a partial event: complete events held (after `pushUntil`) are read, their
    // comments with them, on the next push.
    if (!heldEvents) releaseComments();
    if (held.length > maxBufferSize) {
      held = '';
      heldPieces = undefined;
      throw overflowError();
    }
  }

  /** Hands everything from now on to the library. */
  function toLibrary(text: string): void {
    libraryOnly = true;
    const all = held + text;
    held = '';
    heldBytes = undefined;
    heldPieces = undefined;
    if (all !== '') parser.feed(all);
  }

  function read(
    input: Uint8Array | string,
    stop: ((message: SseMessage) => boolean) | undefined,
    runs: boolean,
  ): SseMessage[] {
    const text = typeof input === 'string' ? input : decoder.write(input);
    // The input's bytes, when each character of `text` is one of them (`wroteAscii`).
    const bytes = typeof input !== 'string' && decoder.wroteAscii() ? input : undefined;
    if (libraryOnly) {
      if (text !== '') parser.feed(text);
      return drain();
    }
    if (text.includes('\r')) {
      toLibrary(text);
      return drain();
    }
    if (heldEvents && heldBytes !== undefined) {
      // Complete events `pushUntil` held, with their bytes: read on their own first (so their
      // runs keep their bytes), then `text` after what is left of them, as below.
      const previous = held;
      const previousBytes = heldBytes;
      held = '';
      heldBytes = undefined;
      heldEvents = false;
      if (split(previous, stop, runs, previousBytes)) {
        // The rest waits, as after a stop below.
        held += text;
        heldBytes = undefined;
        heldPieces = undefined;
        heldEvents = true;
        return drain();
      }
    }
    // Nothing completes an event: held on (the common case inside a long event).
    if (
      held !== '' &&
      !heldEvents &&
      text.indexOf('\n\n') === -1 &&
      !(text.charCodeAt(0) === LF && held.charCodeAt(held.length - 1) === LF)
    ) {
      held += text;
      // (An empty chunk, such as the one that hands on the head's messages, adds nothing.)
      if (text !== '') addHeldPiece(bytes);
      checkHeld();
      // (Events held before `text` may have been read just above.)
      return drain();
    }
    if (held !== '' && !heldEvents) {
      // The held partial event is finished in `text`: only that event is joined and read, then
      // the rest of `text` as it is. (Joining the two whole made V8 copy the whole chunk when it
      // was first searched: a second copy of every stream, 18% of a Responses stream's
      // allocation.)
      const seam =
        text.charCodeAt(0) === LF && held.charCodeAt(held.length - 1) === LF
          ? 1
          : text.indexOf('\n\n') + 2;
      const first = held + text.slice(0, seam);
      // Its bytes, when every piece was ASCII: copied into one buffer (a memory copy, where its
      // text would be copied twice more on the way out: joined, then encoded at the socket).
      addHeldPiece(bytes?.subarray(0, seam));
      const firstBytes =
        heldPieces === undefined ? undefined : Buffer.concat(heldPieces, heldPiecesLength);
      held = '';
      heldPieces = undefined;
      const stopped = split(first, stop, runs, firstBytes);
      if (seam < text.length) {
        if (stopped) {
          // The rest waits, as after a stop in one text.
          held += text.slice(seam);
          heldEvents = true;
        } else split(text.slice(seam), stop, runs, bytes?.subarray(seam));
      }
      return drain();
    }
    const all = held === '' ? text : held + text;
    const allBytes = held === '' ? bytes : undefined;
    held = '';
    heldPieces = undefined;
    heldEvents = false;
    if (all !== '') split(all, stop, runs, allBytes);
    return drain();
  }

  return {
    push: (input) => read(input, undefined, true),
    pushUntil: (input, stop) => read(input, stop, false),
    end() {
      const rest = decoder.end();
      // The complete events still held (or in `rest`) first: they are not cut.
      const complete = read(rest, undefined, true);
      if (held !== '') {
        parser.feed(held);
        held = '';
        heldPieces = undefined;
      }
      // Two line ends finish a pending line (or a CR awaiting its LF) and dispatch a pending
      // event; when nothing is pending they are blank lines and dispatch nothing.
      parser.feed('\n\n');
      const messages = drain();
      for (const message of messages) unterminated.add(message);
      return complete.length === 0 ? messages : complete.concat(messages);
    },
  };
}

/** Parses a complete SSE text or byte buffer into messages. */
export function parseSse(input: Uint8Array | string, options: SseParserOptions = {}): SseMessage[] {
  return parseChunks([input], options);
}

/** Parses an SSE stream given in chunks (as it came) into messages, the end's included. */
export function parseChunks(
  chunks: ReadonlyArray<Uint8Array | string>,
  options: SseParserOptions = {},
): SseMessage[] {
  const parser = createSseParser(options);
  const messages: SseMessage[] = [];
  for (const chunk of chunks) for (const message of parser.push(chunk)) messages.push(message);
  for (const message of parser.end()) messages.push(message);
  return messages;
}
