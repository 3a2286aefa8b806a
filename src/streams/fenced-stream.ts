/**
 * The stream fence: runs an upstream byte stream through a decoding half and an encoding half,
 * turning any failure of the source or the decoding half into one last item for the encoding
 * half, so the client always gets its dialect's terminal event and a clean close.
 */
import type { RequestSignal } from '../util/request-signal.js';
import type { StreamStep } from './step.js';

/** Options of `createFencedStream`. */
export interface FencedStreamOptions<Mid> {
  /** The upstream body, read chunk by chunk (a web stream reader, or the upstream client's own). */
  source: ChunkSource;
  /** Parse and decode: upstream bytes to neutral items. */
  decode: StreamStep<Uint8Array, Mid>;
  /** Encode: neutral items to client text or bytes. Must never throw on a well-formed item. */
  encode: StreamStep<Mid, string | Uint8Array>;
  /** The item that reports a failure (a network error, a parser overflow, a decoder bug). */
  toErrorItem(error: unknown): Mid;
  /**
   * Ends the stream early (server shutdown): reading stops, the source is cancelled, and the
   * signal's reason becomes the last item, so the client still gets its format's error event.
   */
  stop?: RequestSignal;
  /** Called with the first bytes handed to the client (time to first byte). */
  onFirstBytes?(): void;
  /** Called once when the client goes away before the end. */
  onCancel?(reason: unknown): void;
  /** Called once when the stream has been fully written (not on cancel). */
  onDone?(): void;
}

const textEncoder = new TextEncoder();

/** Where the fence reads from: `read()` until done; `cancel()` when the client goes away. */
export interface ChunkSource {
  read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
  /**
   * True when `read()` would only say the source is done (optional): the pull that read the last
   * chunk then ends the answer too, so its last bytes and its end leave in one write.
   */
  atEnd?(): boolean;
}

/**
 * What one pull hands the client: text, bytes, or pieces of both to write in that order (text
 * between runs of events forwarded as the upstream's own bytes, `SseMessage.rawBytes`).
 */
export type FencedText = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

/** Whether a pull's output is pieces to write in order. */
export function isPieces(text: FencedText): text is ReadonlyArray<string | Uint8Array> {
  return Array.isArray(text);
}

/** One pull of a fenced answer: what the client gets, and whether it was the last. */
export interface FencedChunk {
  chunk: FencedText | undefined;
  done: boolean;
}

/**
 * The client-facing answer, pulled chunk by chunk: `next()` reads from `source` only when asked
 * (backpressure) and resolves with what the client gets next, `done` with the last of it;
 * `cancel()` (the client went away) cancels `source`, which aborts the upstream request. Served
 * either as a web stream (`fencedStream`) or written straight to a Node response by the server
 * (src/server/send-stream.ts), which can then send the last chunk with the response's end.
 */
export interface FencedSource {
  next(): Promise<FencedChunk>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Joins one pull's output: consecutive text into one string (the socket encodes it once), bytes
 * left as they are, never copied into a buffer of their own.
 */
function join(chunks: Array<string | Uint8Array>): FencedText | undefined {
  if (chunks.length === 0) return undefined;
  if (chunks.length === 1) return chunks[0]!;
  // Text alone (every converted stream, most pulls): one string, no pieces built.
  if (chunks.every((chunk) => typeof chunk === 'string')) return chunks.join('');
  const pieces: Array<string | Uint8Array> = [];
  let texts: string[] = [];
  for (const chunk of chunks) {
    if (typeof chunk === 'string') {
      texts.push(chunk);
      continue;
    }
    if (texts.length > 0) pieces.push(texts.join(''));
    texts = [];
    pieces.push(chunk);
  }
  if (texts.length > 0) pieces.push(texts.join(''));
  return pieces.length === 1 ? pieces[0]! : pieces;
}

/** What a settled answer's halves become: nothing is pushed to them any more. */
const ENDED: StreamStep<unknown, never> = { push: () => [], end: () => [] };

/** Creates the fenced answer (see `FencedSource`). */
export function createFencedSource<Mid>(options: FencedStreamOptions<Mid>): FencedSource {
  // Read out of `options`, which the closures below do not keep: once the answer is settled, its
  // halves (and all a stream keeps for its end: a Responses stream's items and envelope) are let
  // go, though the answer lives on until the client has read it (issue 13: what it held would
  // otherwise be moved to the old generation meanwhile).
  // (`toErrorItem` too: a closure made beside a half shares its scope, and so holds it.)
  const { source: reader, stop, onFirstBytes, onCancel, onDone } = options;
  let decode: StreamStep<Uint8Array, Mid> = options.decode;
  let encode: StreamStep<Mid, string | Uint8Array> = options.encode;
  let toErrorItem: ((error: unknown) => Mid) | undefined = options.toErrorItem;
  let finished = false;
  let settled = false;
  let sentFirstBytes = false;
  const onStop = () => {
    reader.cancel(stop?.reason).catch(() => {});
  };
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });
  const release = () => {
    stop?.removeEventListener('abort', onStop);
    decode = ENDED;
    encode = ENDED;
    toErrorItem = undefined;
  };

  function encodeAll(items: Mid[], out: Array<string | Uint8Array>): void {
    for (const item of items) for (const chunk of encode.push(item)) out.push(chunk);
  }

  function finishWithError(error: unknown, out: Array<string | Uint8Array>): void {
    // The decoding half is not ended: its end would report the early end of the input, and a
    // half-received event is discarded (as SSE requires); the failure itself is the last item.
    // (Never after `release`: a settled answer reads nothing more.)
    if (toErrorItem !== undefined) encodeAll([toErrorItem(error)], out);
    for (const chunk of encode.end()) out.push(chunk);
  }

  return {
    async next() {
      const out: Array<string | Uint8Array> = [];
      // Read on while there is nothing to hand over, or while the source has no more than its end.
      while (!finished && (out.length === 0 || reader.atEnd?.() === true)) {
        let result: Awaited<ReturnType<typeof reader.read>>;
        try {
          result = await reader.read();
          // A source that ends quietly when cancelled still ends with the stop's reason.
          if (result.done && stop?.aborted) throw stop.reason;
        } catch (error) {
          if (settled) return { chunk: undefined, done: true };
          finished = true;
          reader.cancel(error).catch(() => {});
          finishWithError(stop?.aborted ? stop.reason : error, out);
          break;
        }
        if (settled) return { chunk: undefined, done: true };
        try {
          if (result.done) {
            finished = true;
            encodeAll(decode.end(), out);
            for (const chunk of encode.end()) out.push(chunk);
          } else {
            encodeAll(decode.push(result.value), out);
          }
        } catch (error) {
          finished = true;
          reader.cancel(error).catch(() => {});
          finishWithError(error, out);
        }
      }
      const chunk = join(out);
      if (chunk !== undefined && !sentFirstBytes) {
        sentFirstBytes = true;
        onFirstBytes?.();
      }
      if (finished && !settled) {
        settled = true;
        release();
        // Done once its last chunk is handed over: the caller writes it before anything else.
        queueMicrotask(() => onDone?.());
      }
      return { chunk, done: finished };
    },
    cancel(reason) {
      if (settled) return Promise.resolve();
      settled = true;
      finished = true;
      release();
      onCancel?.(reason);
      return reader.cancel(reason).catch(() => {});
    },
  };
}

/** The fenced answer as a web byte stream (pulled only as fast as the client reads). */
export function fencedStream(source: FencedSource): ReadableStream<Uint8Array> {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { chunk, done } = await source.next();
        if (chunk !== undefined) {
          for (const piece of isPieces(chunk) ? chunk : [chunk]) {
            controller.enqueue(typeof piece === 'string' ? textEncoder.encode(piece) : piece);
          }
        }
        // (After a cancel the stream is closed already: nothing to close.)
        if (done && !cancelled) controller.close();
      },
      cancel: (reason) => {
        cancelled = true;
        return source.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return stream;
}

/**
 * Creates the client-facing byte stream. It pulls from `source` only as fast as the client
 * reads (backpressure), and cancelling it cancels `source` (which aborts the upstream request).
 */
export function createFencedStream<Mid>(
  options: FencedStreamOptions<Mid>,
): ReadableStream<Uint8Array> {
  return fencedStream(createFencedSource(options));
}
