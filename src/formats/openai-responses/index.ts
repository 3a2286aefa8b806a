/**
 * Exports the OpenAI Responses wire format (also spoken by the ChatGPT Codex backend).
 * @see https://platform.openai.com/docs/api-reference/responses
 */
import type { WireFormat } from '../format.js';
import { createResponsesStreamAccumulator } from './accumulate-stream.js';
import { decodeResponsesError } from './decode-error.js';
import { decodeResponsesRequest } from './decode-request.js';
import { decodeResponsesResponse } from './decode-response.js';
import { createResponsesStreamDecoder } from './decode-stream.js';
import { encodeResponsesError } from './encode-error.js';
import { encodeResponsesRequest } from './encode-request.js';
import { encodeResponsesResponse } from './encode-response.js';
import { createResponsesStreamEncoder } from './encode-stream.js';
import { createResponsesStreamPassthrough } from './passthrough-stream.js';
import { FORMAT_ID } from './types.js';

/** The `openai-responses` wire format. */
export const openaiResponses: WireFormat = {
  id: FORMAT_ID,
  decodeRequest: decodeResponsesRequest,
  encodeRequest: encodeResponsesRequest,
  decodeResponse: decodeResponsesResponse,
  encodeResponse: encodeResponsesResponse,
  createStreamDecoder: createResponsesStreamDecoder,
  createStreamEncoder: createResponsesStreamEncoder,
  createStreamAccumulator: createResponsesStreamAccumulator,
  createStreamPassthrough: createResponsesStreamPassthrough,
  decodeError: decodeResponsesError,
  encodeError: encodeResponsesError,
};
