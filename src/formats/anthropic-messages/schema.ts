/**
 * The lenient zod schema of an inbound `POST /v1/messages` body: it checks only the fields the
 * decoder reads, accepts every block and tool type (known or not), and keeps unknown keys.
 *
 * @see https://docs.claude.com/en/api/messages
 */
import { z } from 'zod';
import { invalidField, type ProxyError } from '../../errors.js';

const block = z.looseObject({ type: z.string() });

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(block)]),
});

/** The request schema. `max_tokens` is checked separately so its absence gets a clear message. */
export const requestSchema = z.looseObject({
  model: z.string(),
  max_tokens: z.number().int().nonnegative(),
  messages: z.array(message),
  system: z.union([z.string(), z.array(block)]).nullish(),
  tools: z.array(z.looseObject({})).nullish(),
  tool_choice: z
    .looseObject({
      type: z.string(),
      name: z.string().optional(),
      disable_parallel_tool_use: z.boolean().optional(),
    })
    .nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  thinking: z.looseObject({ type: z.string(), budget_tokens: z.number().optional() }).nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
  stream: z.boolean().nullish(),
});

/** A request body that passed the schema. */
export type RequestBody = z.infer<typeof requestSchema>;

/** `["messages", 1, "content"]` as `messages[1].content`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? 'body' : text;
}

/**
 * Validates a body, or gives the `invalid_request` error naming the first bad field
 * (`Invalid request: "messages[1].content" ...`).
 */
export function parseRequestBody(body: unknown): RequestBody | ProxyError {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalidField('body', 'must be a JSON object');
  }
  if (!('max_tokens' in body) || body.max_tokens === undefined || body.max_tokens === null) {
    return invalidField('max_tokens', 'is required');
  }
  const result = requestSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) return invalidField('body', 'is invalid');
  const problem =
    issue.code === 'invalid_type' && issue.input === undefined
      ? 'is required'
      : `is invalid (${issue.message})`;
  return invalidField(formatPath(issue.path), problem);
}
