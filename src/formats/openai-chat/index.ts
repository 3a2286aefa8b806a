/** The OpenAI Chat Completions wire format: its eight converters and its native reassembly. */
import type { WireFormat } from '../format.js';
import { createChatStreamAccumulator } from './accumulate-stream.js';
import { decodeChatError } from './decode-error.js';
import { decodeChatRequest } from './decode-request.js';
import { decodeChatResponse, readChatAnswerOutcome } from './decode-response.js';
import { createChatStreamDecoder } from './decode-stream.js';
import { encodeChatError } from './encode-error.js';
import { encodeChatRequest } from './encode-request.js';
import { encodeChatResponse } from './encode-response.js';
import { createChatStreamEncoder } from './encode-stream.js';
import { createChatStreamPassthrough } from './passthrough-stream.js';
import { FORMAT_ID } from './types.js';

export type { ChatRequestMeta } from './types.js';

/** OpenAI Chat Completions (`POST /v1/chat/completions`), on the client or the upstream side. */
export const openaiChat: WireFormat = {
  id: FORMAT_ID,
  decodeRequest: decodeChatRequest,
  encodeRequest: encodeChatRequest,
  decodeResponse: decodeChatResponse,
  readAnswerOutcome: readChatAnswerOutcome,
  encodeResponse: encodeChatResponse,
  createStreamDecoder: createChatStreamDecoder,
  createStreamEncoder: createChatStreamEncoder,
  createStreamAccumulator: createChatStreamAccumulator,
  createStreamPassthrough: createChatStreamPassthrough,
  decodeError: decodeChatError,
  encodeError: encodeChatError,
};
