/**
 * Decodes an error answer of a Chat upstream (`{"error": {message, type, param, code}}`, or
 * anything else a compatible server sends) into a `ProxyError` that keeps its meaning.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import type { ProxyError } from '../../errors.js';
import { decodeOpenAIError } from '../openai-error.js';

/**
 * The upstream status is classified (`classifyUpstreamStatus`), the upstream's type, code and
 * param are kept, and `retry-after` is forwarded.
 */
export function decodeChatError(status: number, body: unknown, headers: Headers): ProxyError {
  return decodeOpenAIError(status, body, headers);
}
