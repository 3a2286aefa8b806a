/**
 * Narrows what a Responses upstream sends to this format's wire types once, at the edge; the
 * decoders then read typed fields. Lenient: a field of the wrong type reads as absent, unknown
 * fields stay.
 */
import type { JsonObject } from '../../util/json.js';
import {
  asArray,
  asNumber,
  asObject,
  asStreamIndex,
  asString,
  asUnknown,
  objectOf,
} from '../../util/narrow.js';
import type {
  ResponsesCallItemRead,
  ResponsesReasoningItemRead,
  ResponsesResponse,
  ResponsesStreamEvent,
  ResponsesUsageRead,
} from './types.js';

const incompleteDetails = objectOf<{ reason?: string }>({ reason: asString });

/** A response object (a body or a lifecycle event's `response`) with typed fields. */
export const narrowResponsesResponse = objectOf<ResponsesResponse>({
  id: asString,
  model: asString,
  created_at: asNumber,
  status: asString,
  output: asArray,
  usage: asObject,
  incomplete_details: incompleteDetails,
  error: asUnknown,
});

const streamEvent = objectOf<ResponsesStreamEvent>({
  type: asString,
  output_index: asStreamIndex,
  content_index: asStreamIndex,
  summary_index: asStreamIndex,
  annotation_index: asStreamIndex,
  item_id: asString,
  name: asString,
  delta: asString,
  text: asString,
  refusal: asString,
  arguments: asString,
  input: asString,
  item: asObject,
  part: asObject,
  annotation: asUnknown,
  response: narrowResponsesResponse,
});

/** A read event (its `type` already settled by `readStreamEvent`) with typed fields. */
export function narrowResponsesEvent(event: JsonObject & { type: string }): ResponsesStreamEvent {
  return streamEvent(event) ?? { type: event.type };
}

/** A `usage` object with typed counts, or `undefined` when not an object. */
export const narrowResponsesUsage = objectOf<ResponsesUsageRead>({
  input_tokens: asNumber,
  input_tokens_details: objectOf<NonNullable<ResponsesUsageRead['input_tokens_details']>>({
    cached_tokens: asNumber,
    cache_write_tokens: asNumber,
  }),
  output_tokens: asNumber,
  output_tokens_details: objectOf<NonNullable<ResponsesUsageRead['output_tokens_details']>>({
    reasoning_tokens: asNumber,
  }),
  total_tokens: asNumber,
});

/** A `function_call` / `custom_tool_call` item's fields, read without changing the item. */
export const narrowCallItem = objectOf<ResponsesCallItemRead>({
  id: asString,
  call_id: asString,
  name: asString,
  arguments: asString,
  input: asString,
});

/** A `reasoning` item's id and encrypted content, read without changing the item. */
export const narrowReasoningItem = objectOf<ResponsesReasoningItemRead>({
  id: asString,
  encrypted_content: asString,
});
