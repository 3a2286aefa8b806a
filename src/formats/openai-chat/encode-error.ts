/**
 * Encodes a proxy error as the HTTP error a Chat Completions client expects.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import type { ProxyError } from '../../errors.js';
import type { IrError } from '../../ir/response.js';
import type { EncodedError } from '../format.js';
import { encodeOpenAIError } from '../openai-error.js';

/** `{"error": {message, type, param, code}}` with the status and `retry-after` to send. */
export function encodeChatError(error: ProxyError | IrError): EncodedError {
  return encodeOpenAIError(error);
}
