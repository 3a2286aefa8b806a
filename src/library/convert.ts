/**
 * Format conversion for library users: a request, a response body or an SSE stream from any of
 * the three wire formats to any other, through the neutral IR, with the warnings of the way.
 */
import { isProxyError } from '../errors.js';
import type { EncodeContext, IrErrorEvent, WireBody, WireFormatId } from '../formats/format.js';
import { formats } from '../formats/index.js';
import type { IrEvent } from '../ir/events.js';
import type { IrRequest } from '../ir/request.js';
import type { ConversionWarning } from '../ir/warnings.js';
import { createSseSerializer } from '../sse/encode.js';
import type { SseMessage } from '../sse/message.js';
import { createSseParser } from '../sse/parse.js';
import { type ChunkSource, createFencedStream } from '../streams/fenced-stream.js';
import { composeSteps } from '../streams/step.js';
import { createId } from '../util/ids.js';

/** The two formats of a conversion. */
export interface ConvertFormats {
  /** The format of the input. */
  from: WireFormatId;
  /** The format to produce. */
  to: WireFormatId;
}

/** Options of `convertResponse` and `convertStream`. */
export interface ConvertOutputOptions extends ConvertFormats {
  /** Model name to show in the output (default: the one in the input). */
  model?: string;
  /**
   * The request the output answers, in the `to` format, when you have it: some outputs echo it
   * (Responses envelopes repeat `tools` and `instructions`; Chat streams honour
   * `stream_options.include_usage`).
   */
  request?: unknown;
  /** Called with each warning as it is raised (they are also returned). */
  onWarning?(warning: ConversionWarning): void;
}

/** A converted body and what the conversion could not carry over. */
export interface ConvertResult {
  body: WireBody;
  warnings: ConversionWarning[];
}

/** A converted stream; `warnings` fills up while the stream is read. */
export interface ConvertStreamResult {
  /** The SSE bytes in the `to` format; always ends with that format's terminal event. */
  stream: ReadableStream<Uint8Array>;
  /** Warnings raised so far (complete once `stream` has been read to its end). */
  warnings: ConversionWarning[];
}

/** SSE input: a web stream, a Node stream or any async iterable of bytes or text. */
export type StreamInput = ReadableStream<Uint8Array | string> | AsyncIterable<Uint8Array | string>;

const textEncoder = new TextEncoder();

function collector(onWarning?: (warning: ConversionWarning) => void): {
  warnings: ConversionWarning[];
  sink(warning: ConversionWarning): void;
} {
  const warnings: ConversionWarning[] = [];
  return {
    warnings,
    sink(warning) {
      warnings.push(warning);
      onWarning?.(warning);
    },
  };
}

function encodeContext(options: ConvertOutputOptions, onWarning: EncodeContext['onWarning']) {
  let request: IrRequest | undefined;
  if (options.request !== undefined) {
    const decoded = formats[options.to].decodeRequest(options.request);
    request = decoded.value;
  }
  const context: EncodeContext = {
    createdAt: Math.floor(Date.now() / 1000),
    createId: (prefix) => createId(prefix),
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(request !== undefined ? { request } : {}),
    ...(onWarning !== undefined ? { onWarning } : {}),
  };
  return context;
}

/**
 * Converts a client request body from one format to another (for example an OpenAI Chat
 * Completions request to an Anthropic Messages request). Throws a `ProxyError` with code
 * `invalid_request`, naming the field, when the body is not a valid request of `from`.
 */
export function convertRequest(body: unknown, options: ConvertFormats): ConvertResult {
  const decoded = formats[options.from].decodeRequest(body);
  const encoded = formats[options.to].encodeRequest(decoded.value);
  return { body: encoded.value, warnings: [...decoded.warnings, ...encoded.warnings] };
}

/**
 * Converts a non-streaming response body from one format to another. Lenient like the proxy:
 * unknown fields and items are kept where the target can hold them, otherwise reported.
 */
export function convertResponse(body: unknown, options: ConvertOutputOptions): ConvertResult {
  const { warnings, sink } = collector(options.onWarning);
  const decoded = formats[options.from].decodeResponse(body);
  for (const warning of decoded.warnings) sink(warning);
  const encoded = formats[options.to].encodeResponse(
    decoded.value,
    encodeContext(options, undefined),
  );
  for (const warning of encoded.warnings) sink(warning);
  return { body: encoded.value, warnings };
}

function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? textEncoder.encode(value) : value;
}

/** Reads any accepted input chunk by chunk; cancelling it cancels (or returns) the input. */
function toChunkSource(input: StreamInput): ChunkSource {
  if (input instanceof ReadableStream) {
    const reader = input.getReader();
    return {
      read: async () => {
        const result = await reader.read();
        return result.done ? { done: true } : { done: false, value: toBytes(result.value) };
      },
      cancel: (reason) => reader.cancel(reason),
    };
  }
  const iterator = input[Symbol.asyncIterator]();
  return {
    read: async () => {
      const result = await iterator.next();
      return result.done ? { done: true } : { done: false, value: toBytes(result.value) };
    },
    cancel: async (reason) => {
      await iterator.return?.(reason);
    },
  };
}

/**
 * Converts an SSE stream from one format to another, event by event, as it arrives. A stream
 * that breaks off or fails ends with the target format's error event, never with a success;
 * between the same format the events are forwarded with that format's own fixes only.
 */
export function convertStream(
  input: StreamInput,
  options: ConvertOutputOptions,
): ConvertStreamResult {
  const { warnings, sink } = collector(options.onWarning);
  const context = encodeContext(options, sink);
  const source = toChunkSource(input);
  const toErrorItem = (error: unknown): IrErrorEvent => ({
    type: 'error',
    error: isProxyError(error)
      ? { code: error.code, message: error.message }
      : { code: 'upstream_protocol', message: 'The input stream failed before its end' },
  });
  if (options.from === options.to) {
    const passthrough = formats[options.to].createStreamPassthrough(context, { onWarning: sink });
    return {
      stream: createFencedStream<SseMessage | IrErrorEvent>({
        source,
        decode: createSseParser({ keepComments: true }),
        encode: composeSteps(passthrough, createSseSerializer()),
        toErrorItem,
      }),
      warnings,
    };
  }
  const decode = composeSteps(
    createSseParser(),
    formats[options.from].createStreamDecoder({ onWarning: sink }),
  );
  const encode = composeSteps(
    formats[options.to].createStreamEncoder(context),
    createSseSerializer(),
  );
  return {
    stream: createFencedStream<IrEvent>({ source, decode, encode, toErrorItem }),
    warnings,
  };
}
