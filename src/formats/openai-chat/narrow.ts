/**
 * Narrows what a Chat upstream sends to this format's wire types once, at the edge; converters
 * then read typed fields. Lenient: a field of the wrong type reads as absent, unknown fields stay.
 */
import {
  arrayOf,
  asArray,
  asNumber,
  asObject,
  asString,
  asUnknown,
  objectOf,
  orNull,
} from '../../util/narrow.js';
import type {
  ChatChunkChoice,
  ChatChunkCustom,
  ChatChunkDelta,
  ChatChunkFunction,
  ChatChunkLogprobs,
  ChatChunkToolCall,
  ChatCompletionBody,
  ChatCompletionChoice,
  ChatCompletionChunk,
  ChatResponseMessageRead,
  ChatUsage,
  ChatUsageRead,
} from './types.js';

const chunkFunction = objectOf<ChatChunkFunction>({ name: asString, arguments: asString });

const chunkCustom = objectOf<ChatChunkCustom>({ name: asString, input: asString });

/** A tool call (a stream piece, or one of a completion's message), read typed. */
export const narrowToolCall = objectOf<ChatChunkToolCall>({
  index: asNumber,
  id: asString,
  type: asString,
  function: chunkFunction,
  custom: chunkCustom,
  name: asString,
  arguments: asString,
});

const chunkDelta = objectOf<ChatChunkDelta>({
  content: orNull(asString),
  refusal: orNull(asString),
  reasoning_content: orNull(asString),
  reasoning: orNull(asString),
  tool_calls: arrayOf(narrowToolCall),
  function_call: narrowToolCall,
  annotations: asArray,
});

const chunkLogprobs = objectOf<ChatChunkLogprobs>({
  content: orNull(asArray),
  refusal: orNull(asArray),
});

const chunkChoice = objectOf<ChatChunkChoice>({
  index: asNumber,
  delta: chunkDelta,
  message: chunkDelta,
  finish_reason: orNull(asString),
  logprobs: orNull(chunkLogprobs),
  usage: asObject,
});

/** A parsed stream payload as a `chat.completion.chunk`, or `undefined` when not an object. */
export const narrowChatChunk = objectOf<ChatCompletionChunk>({
  id: asString,
  object: asString,
  created: asNumber,
  model: asString,
  choices: arrayOf(chunkChoice),
  usage: asObject,
  error: asUnknown,
});

/** A non-streaming body with typed envelope fields, or `undefined` when not an object. */
export const narrowChatCompletion = objectOf<ChatCompletionBody>({
  id: asString,
  created: asNumber,
  model: asString,
  choices: asArray,
  usage: asObject,
});

/** One choice of a non-streaming body. */
export const narrowChatChoice = objectOf<ChatCompletionChoice>({
  index: asNumber,
  message: asObject,
  finish_reason: asUnknown,
});

/** A `usage` object with typed counts, or `undefined` when not an object. */
export const narrowChatUsage = objectOf<ChatUsageRead>({
  prompt_tokens: asNumber,
  completion_tokens: asNumber,
  total_tokens: asNumber,
  prompt_tokens_details: objectOf<NonNullable<ChatUsage['prompt_tokens_details']>>({
    cached_tokens: asNumber,
    cache_write_tokens: asNumber,
  }),
  completion_tokens_details: objectOf<NonNullable<ChatUsage['completion_tokens_details']>>({
    reasoning_tokens: asNumber,
  }),
  prompt_cache_hit_tokens: asNumber,
});

/** A completion's message, for the fields read typed (see `ChatResponseMessageRead`). */
export const narrowResponseMessage = objectOf<ChatResponseMessageRead>({
  reasoning_content: asString,
  reasoning: asString,
  annotations: asArray,
  tool_calls: asArray,
  function_call: chunkFunction,
});
