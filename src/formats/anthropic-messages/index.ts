/**
 * The Anthropic Messages wire format (`POST /v1/messages`): Claude's API and the dialect of
 * Claude Code and the Anthropic SDKs.
 *
 * @see https://docs.claude.com/en/api/messages
 */
import type { WireFormat } from '../format.js';
import { createAnthropicStreamAccumulator } from './accumulate-stream.js';
import { decodeAnthropicError } from './decode-error.js';
import { decodeAnthropicRequest } from './decode-request.js';
import { decodeAnthropicResponse } from './decode-response.js';
import { createAnthropicStreamDecoder } from './decode-stream.js';
import { encodeAnthropicError } from './encode-error.js';
import { encodeAnthropicRequest } from './encode-request.js';
import { encodeAnthropicResponse } from './encode-response.js';
import { createAnthropicStreamEncoder } from './encode-stream.js';
import { readEnvelopeOutcome } from './envelope.js';
import { createAnthropicStreamPassthrough } from './passthrough-stream.js';
import { FORMAT_ID } from './types.js';

export { estimateInputTokens } from './count-tokens.js';

/** The Anthropic Messages format: converters, stream steps and native reassembly. */
export const anthropicMessages: WireFormat = {
  id: FORMAT_ID,
  decodeRequest: decodeAnthropicRequest,
  encodeRequest: encodeAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  readAnswerOutcome: readEnvelopeOutcome,
  encodeResponse: encodeAnthropicResponse,
  createStreamDecoder: createAnthropicStreamDecoder,
  createStreamEncoder: createAnthropicStreamEncoder,
  createStreamAccumulator: createAnthropicStreamAccumulator,
  createStreamPassthrough: createAnthropicStreamPassthrough,
  decodeError: decodeAnthropicError,
  encodeError: encodeAnthropicError,
};
