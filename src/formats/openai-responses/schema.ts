/**
 * Defines the lenient zod schemas that validate inbound Responses requests.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
import { z } from 'zod';
import { invalidField } from '../../errors.js';
import { type Accept, compileAccept } from '../../util/zod-accept.js';

const optionalString = z.string().nullish();
const optionalNumber = z.number().nullish();

/** The top level of a request. */
export const requestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]).nullish(),
  instructions: optionalString,
  tools: z.array(z.looseObject({ type: z.string() })).nullish(),
  tool_choice: z
    .union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: z.string() })])
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().nonnegative().nullish(),
  temperature: optionalNumber,
  top_p: optionalNumber,
  reasoning: z.looseObject({ effort: optionalString, summary: optionalString }).nullish(),
  text: z.looseObject({ format: z.looseObject({ type: z.string() }).nullish() }).nullish(),
  user: optionalString,
  safety_identifier: optionalString,
  stream: z.boolean().nullish(),
});

/** A `message` input item (with or without `type`). */
export const messageItemSchema = z.looseObject({
  // Any role: roles the decoder does not know are read by their nearest meaning, not refused.
  role: z.string(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
});

/** `input_text`, `output_text` parts. */
export const textPartSchema = z.looseObject({ text: z.string() });

/** `refusal` part. */
export const refusalPartSchema = z.looseObject({ refusal: z.string() });

/** `input_image` part. */
export const imagePartSchema = z.looseObject({
  image_url: optionalString,
  file_id: optionalString,
  detail: optionalString,
});

/** `input_file` part. */
export const filePartSchema = z.looseObject({
  file_data: optionalString,
  file_url: optionalString,
  file_id: optionalString,
  filename: optionalString,
});

/** `function_call` input item. */
export const functionCallSchema = z.looseObject({
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
});

/** `custom_tool_call` input item. */
export const customToolCallSchema = z.looseObject({
  call_id: z.string(),
  name: z.string(),
  input: z.string(),
});

/** `function_call_output` / `custom_tool_call_output` input item. */
export const toolOutputSchema = z.looseObject({
  call_id: z.string(),
  output: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]),
});

/** `function` tool. */
export const functionToolSchema = z.looseObject({
  name: z.string().min(1),
  description: optionalString,
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/** `custom` tool. */
export const customToolSchema = z.looseObject({
  name: z.string().min(1),
  description: optionalString,
});

/** Compiled tests by schema (the schemas above, made once). */
const accepts = new WeakMap<z.ZodType, Accept>();

/** The compiled test of `schema`. */
function acceptFor(schema: z.ZodType): Accept {
  let accept = accepts.get(schema);
  if (accept === undefined) {
    try {
      accept = compileAccept(schema);
    } catch {
      // Not compilable: zod decides alone (every schema above compiles; a test checks it).
      accept = () => false;
    }
    accepts.set(schema, accept);
  }
  return accept;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The value at `path` in `root` (zod does not report the input it rejected). */
function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      return 'is too small or empty';
    case 'invalid_union':
      return 'has an unexpected type';
    default:
      return 'is invalid';
  }
}

/**
 * Checks `value` against `schema` and returns it typed; on failure throws the `invalid_request`
 * error naming the first bad field under `path`.
 */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  path: string,
): z.infer<T> {
  // A value that passes comes back as it is (see `compileAccept`), checked without zod's copy.
  if (acceptFor(schema)(value)) return value as z.infer<T>;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw invalidField(path || 'body', 'is invalid');
  let param = path;
  for (const key of issue.path) {
    param += typeof key === 'number' ? `[${key}]` : param === '' ? String(key) : `.${String(key)}`;
  }
  throw invalidField(param || 'body', describeIssue(issue, valueAt(value, issue.path)));
}
