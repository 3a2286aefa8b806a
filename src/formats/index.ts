/** The registry of wire formats. */
import { anthropicMessages } from './anthropic-messages/index.js';
import type { WireFormat, WireFormatId } from './format.js';
import { openaiChat } from './openai-chat/index.js';
import { openaiResponses } from './openai-responses/index.js';

/** Every wire format, by id. */
export const formats: Readonly<Record<WireFormatId, WireFormat>> = Object.freeze({
  'openai-chat': openaiChat,
  'openai-responses': openaiResponses,
  'anthropic-messages': anthropicMessages,
});
