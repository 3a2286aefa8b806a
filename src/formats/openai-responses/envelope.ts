/**
 * Builds the response envelope ccproxy writes to Responses clients, echoing their request.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */

import type { JsonObject } from '../../util/json.js';
import { isRecord } from '../../util/json.js';
import type { EncodeContext } from '../format.js';
import { encodeResponsesRequest } from './encode-request.js';

/** Request fields the Responses API repeats in its response object. */
const ECHOED_KEYS = [
  'background',
  'instructions',
  'max_output_tokens',
  'max_tool_calls',
  'metadata',
  'parallel_tool_calls',
  'previous_response_id',
  'prompt_cache_key',
  'prompt_cache_retention',
  'reasoning',
  'safety_identifier',
  'service_tier',
  'store',
  'temperature',
  'text',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'truncation',
  'user',
] as const;

/**
 * The envelope fields besides `id`, `created_at`, `model`, `status`, `error`,
 * `incomplete_details`, `output` and `usage`, from the client's request when there is one.
 */
export function buildEnvelope(context: EncodeContext): JsonObject {
  const envelope: JsonObject = {
    object: 'response',
    background: false,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: { effort: null, summary: null },
    safety_identifier: null,
    service_tier: 'default',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    user: null,
    metadata: {},
  };
  if (!context.request) return envelope;
  // The request as this format writes it (for a Responses client, exactly what it sent),
  // without the conversation, which the envelope does not repeat and may be large.
  const request = encodeResponsesRequest({ ...context.request, messages: [] }).value;
  for (const key of ECHOED_KEYS) {
    const value = request[key];
    if (value === undefined) continue;
    if (key === 'reasoning' && isRecord(value)) {
      envelope.reasoning = { effort: null, summary: null, ...value };
    } else if (key === 'text' && isRecord(value)) {
      envelope.text = { format: { type: 'text' }, verbosity: 'medium', ...value };
    } else {
      envelope[key] = value;
    }
  }
  return envelope;
}
