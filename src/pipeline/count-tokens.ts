/**
 * `count_tokens`, a small exchange built from the pipeline's pieces: the body checked as for a
 * request and validated by the Messages decoder, then counted by the provider's upstream (its
 * errors decoded as a request's are) or estimated locally.
 */
import type { WireBody, WireFormat } from '../formats/format.js';
import { readBodyJson } from '../http/upstream-fetch.js';
import type { Provider } from '../providers/provider.js';
import type { RequestSignal } from '../util/request-signal.js';
import { requireObjectBody } from './client-body.js';
import { upstreamError } from './upstream-body.js';

/** One `count_tokens` request. */
export interface CountTokensInput {
  provider: Provider;
  body: unknown;
  headers: Headers;
  signal: RequestSignal;
  /** The Messages format (the only one with a `count_tokens` route). */
  messages: WireFormat;
  /** The local estimate, for providers without a counter of their own. */
  estimate(body: WireBody): number;
}

/**
 * The `count_tokens` answer (the upstream's body as it came, or `{input_tokens}`); throws
 * `ProxyError` for a bad body or an upstream error.
 */
export async function countTokens(input: CountTokensInput): Promise<unknown> {
  const body = requireObjectBody(input.body);
  // count_tokens bodies carry no max_tokens; the Messages decoder requires one. Decoding
  // validates the body (400 naming the field) before it is counted.
  input.messages.decodeRequest({ max_tokens: 1, ...body });
  if (!input.provider.countTokens) return { input_tokens: input.estimate(body) };
  const counted = await input.provider.countTokens(body, {
    clientHeaders: input.headers,
    signal: input.signal,
  });
  if (!counted.ok) throw await upstreamError(counted, input.messages, undefined);
  return readBodyJson(counted);
}
