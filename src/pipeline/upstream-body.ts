/**
 * What an upstream answered in one piece: its JSON answer, or the client's error for a body that
 * is not one (empty, HTML, an error report in a 200). Shared by non-streaming clients and by the
 * fake streaming of a streaming client, so both judge a body the same way.
 */
import { ProxyError } from '../errors.js';
import type { WireBody, WireFormat } from '../formats/format.js';
import { readBodyJson, type UpstreamResponse } from '../http/upstream-fetch.js';
import type { IrResponse } from '../ir/response.js';
import type { RequestCapture } from '../observability/request-capture.js';
import { isRecord, tryParseJson } from '../util/json.js';
import { keepJsonText } from '../util/json-text.js';
import { createUtf8Decoder, decodeUtf8 } from '../util/utf8.js';
import { irErrorToProxy, streamFailureToIr, withRetryAfter } from './to-ir-error.js';

/** How much of a stream's start is kept to explain a body that is not an event stream. */
export const HEAD_TEXT_LIMIT = 64 * 1024;

/**
 * The first `HEAD_TEXT_LIMIT` bytes of an upstream body, kept as they came and decoded only when
 * a body that is not a stream must be explained (rarely): a healthy stream is decoded once.
 */
export interface HeadBytes {
  push(bytes: Uint8Array): void;
  text(): string;
}

export function createHeadBytes(): HeadBytes {
  const chunks: Uint8Array[] = [];
  let size = 0;
  return {
    push(bytes) {
      if (size >= HEAD_TEXT_LIMIT) return;
      chunks.push(bytes);
      size += bytes.byteLength;
    },
    text: () => decodeUtf8(chunks),
  };
}

/** True when a text has a line only an event stream has (a field or a comment). */
export function isEventStreamText(text: string): boolean {
  return /^(?:data|event|id|retry)?:/m.test(text);
}

/**
 * True when a JSON body reports an error instead of answering: Anthropic's `{"type": "error"}`,
 * vLLM's `{"object": "error"}`, or an `error` (OpenAI and most compatible servers) or `detail`
 * (the Codex backend, FastAPI servers) beside no answer. A Responses body that failed keeps its
 * answer shape and is judged from its decoded `error` instead (see `failureOf`).
 */
function isErrorBody(body: WireBody): boolean {
  if (body.type === 'error' || body.object === 'error') return true;
  if (Array.isArray(body.choices) || Array.isArray(body.output) || Array.isArray(body.content)) {
    return false;
  }
  const { error, detail } = body;
  return (
    isRecord(error) ||
    (typeof error === 'string' && error !== '') ||
    isRecord(detail) ||
    (typeof detail === 'string' && detail !== '')
  );
}

/**
 * The error a body stands for when it is not what was expected (`a JSON object`, or `an event
 * stream` for a streaming answer): the upstream's own error when the body is one, else an
 * `upstream_protocol` failure (502) saying what came instead.
 */
export function bodyFailure(
  text: string,
  upstream: WireFormat,
  response: UpstreamResponse,
  expected: 'a JSON object' | 'an event stream',
): ProxyError {
  if (text.trim() === '') {
    return new ProxyError(
      'upstream_protocol',
      `Upstream answered HTTP ${response.status} with an empty body`,
    );
  }
  const parsed = tryParseJson(text.trim());
  if (isRecord(parsed) && isErrorBody(parsed)) {
    return upstream.decodeError(response.status, parsed, response.headers);
  }
  const type = response.headers.get('content-type');
  return new ProxyError(
    'upstream_protocol',
    `Upstream answered HTTP ${response.status} with a body that is not ${expected}${type ? ` (content-type ${type.split(';')[0]})` : ''}`,
  );
}

/**
 * The client's error for an upstream's error status: its body decoded by the upstream's format
 * (status, message, `retry-after` kept), the body shown to the capture.
 */
export async function upstreamError(
  response: UpstreamResponse,
  upstream: WireFormat,
  capture: RequestCapture | undefined,
): Promise<ProxyError> {
  const errorBody = await readBodyJson(response);
  capture?.upstream(
    new TextEncoder().encode(typeof errorBody === 'string' ? errorBody : JSON.stringify(errorBody)),
  );
  return upstream.decodeError(response.status, errorBody, response.headers);
}

/** Reads the whole body as text, showing the bytes to the capture; a cut connection is a 502. */
async function readText(
  response: UpstreamResponse,
  capture: RequestCapture | undefined,
): Promise<string> {
  const decoder = createUtf8Decoder();
  let text = '';
  try {
    for (;;) {
      const next = await response.body.read();
      if (next.done) return text + decoder.end();
      capture?.upstream(next.value);
      text += decoder.write(next.value);
    }
  } catch (error) {
    response.body.cancel(error).catch(() => {});
    throw irErrorToProxy(streamFailureToIr(error));
  }
}

/**
 * The upstream's one JSON answer (a non-streaming body). Throws the client's error for an empty
 * body, a body that is not a JSON object, and an error report sent with a success status.
 */
export async function readUpstreamAnswer(
  response: UpstreamResponse,
  upstream: WireFormat,
  capture: RequestCapture | undefined,
  keepText = true,
): Promise<WireBody> {
  const text = await readText(response, capture);
  const parsed = tryParseJson(text);
  if (!isRecord(parsed) || isErrorBody(parsed)) {
    throw bodyFailure(text, upstream, response, 'a JSON object');
  }
  // Kept with its text: a same-format route answers with the upstream's own bytes (a
  // converting route never sends it: `keepText` false).
  return keepText ? keepJsonText(parsed, text) : parsed;
}

/**
 * The failure a decoded answer reports (a failed Responses body, a stream that failed or broke
 * off), as the client's error with the wait to honour; `undefined` for an answer, including one
 * the upstream cut for length.
 */
export function failureOf(response: IrResponse, headers: Headers): ProxyError | undefined {
  if (response.error === undefined) return undefined;
  return irErrorToProxy(withRetryAfter(response.error, headers));
}
