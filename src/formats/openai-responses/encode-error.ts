/**
 * Encodes a `ProxyError` or IR error as the HTTP error answer a Responses client expects.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import type { ProxyError } from '../../errors.js';
import type { IrError } from '../../ir/response.js';
import type { EncodedError } from '../format.js';
import { encodeOpenAIError } from '../openai-error.js';

/** The Responses error answer for `error` (same body as every OpenAI API). */
export function encodeResponsesError(error: ProxyError | IrError): EncodedError {
  return encodeOpenAIError(error);
}
