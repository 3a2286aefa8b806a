/**
 * Narrows what an Anthropic upstream sends to this format's wire types once, at the edge; the
 * decoders then read typed fields. Lenient: a field of the wrong type reads as absent, unknown
 * fields stay (and the raw objects stay available where they are kept whole).
 */
import { asArray, asNumber, asObject, asString, asUnknown, objectOf } from '../../util/narrow.js';
import type {
  AnthropicBlockDelta,
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicStreamEvent,
  AnthropicUsageRead,
} from './types.js';

/** A parsed stream payload with typed envelope fields, or `undefined` when not an object. */
export const narrowStreamEvent = objectOf<AnthropicStreamEvent>({
  type: asString,
  index: asNumber,
  content_block: asObject,
  delta: asObject,
  message: asObject,
  usage: asObject,
});

/** A Message (body or `message_start` envelope), for the fields the decoders map. */
export const narrowMessage = objectOf<AnthropicMessage>({
  id: asString,
  model: asString,
  stop_sequence: asString,
  usage: asObject,
  content: asArray,
});

/** A content block of a known type (body or `content_block_start`), read typed. */
export const narrowContentBlock = objectOf<AnthropicContentBlock>({
  type: asString,
  text: asString,
  citations: asArray,
  thinking: asString,
  signature: asString,
  data: asString,
  id: asString,
  name: asString,
  input: asUnknown,
});

/** A known-type delta of `content_block_delta`. */
export const narrowBlockDelta = objectOf<AnthropicBlockDelta>({
  type: asString,
  text: asString,
  citation: asUnknown,
  thinking: asString,
  signature: asString,
  partial_json: asString,
});

/** A `usage` object with typed counts (its extras are read from the object as it came). */
export const narrowUsage = objectOf<AnthropicUsageRead>({
  input_tokens: asNumber,
  output_tokens: asNumber,
  cache_read_input_tokens: asNumber,
  cache_creation_input_tokens: asNumber,
  output_tokens_details: objectOf<NonNullable<AnthropicUsageRead['output_tokens_details']>>({
    thinking_tokens: asNumber,
  }),
});
