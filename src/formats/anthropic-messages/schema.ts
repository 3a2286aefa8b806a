/**
 * The lenient zod schema of an inbound `POST /v1/messages` body: it checks only the fields the
 * decoder reads, accepts every block and tool type (known or not), and keeps unknown keys.
 *
 * @see https://docs.claude.com/en/api/messages
 */
import { z } from 'zod';
import { invalidField, type ProxyError } from '../../errors.js';
import { fastSafeParse } from '../../util/zod-accept.js';

const block = z.looseObject({ type: z.string() });

// Any role: `system` between turns (beta `mid-conversation-system-2026-04-07`, Claude Code
// 2.1.197) and roles added later are mapped by the decoder, not refused here.
const message = z.looseObject({
  role: z.string(),
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

/** `requestSchema.safeParse`, giving a body that passes back as it is (see `fastSafeParse`). */
const safeParseRequest = fastSafeParse(requestSchema);

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
  const result = safeParseRequest(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) return invalidField('body', 'is invalid');
  return invalidField(formatPath(issue.path), describeIssue(issue, valueAt(body, issue.path)));
}

/** The value at `path` in `root` (zod does not report the input it rejected). */
export function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const ARTICLE: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
};

/** What is wrong, in words: `must be a string`, `is required`, `must not be negative`. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'is required';
      return `must be ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'invalid_union':
      return 'has an unexpected type';
    default:
      return `is invalid (${issue.message})`;
  }
}
