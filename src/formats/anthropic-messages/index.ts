/**
 * The Anthropic Messages wire format (`POST /v1/messages`): Claude's API and the dialect of
 * Claude Code and the Anthropic SDKs.
 *
 * @see https://docs.claude.com/en/api/messages
 */
import type { WireFormat } from '../format.js';
import { createStreamAccumulator } from './accumulate-stream.js';
import { decodeError } from './decode-error.js';
import { decodeRequest } from './decode-request.js';
import { decodeResponse } from './decode-response.js';
import { createStreamDecoder } from './decode-stream.js';
import { encodeError } from './encode-error.js';
import { encodeRequest } from './encode-request.js';
import { encodeResponse } from './encode-response.js';
import { createStreamEncoder } from './encode-stream.js';
import { createAnthropicStreamPassthrough } from './passthrough-stream.js';
import { FORMAT_ID } from './types.js';

export { estimateInputTokens } from './count-tokens.js';

/** The Anthropic Messages format: converters, stream steps and native reassembly. */
export const anthropicMessages: WireFormat = {
  id: FORMAT_ID,
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
  createStreamAccumulator,
  createStreamPassthrough: createAnthropicStreamPassthrough,
  decodeError,
  encodeError,
};
