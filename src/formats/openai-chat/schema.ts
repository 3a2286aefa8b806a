/**
 * The lenient zod schema of inbound Chat Completions requests: it checks only the fields ccproxy
 * reads, accepts unknown fields and unknown content part, tool and tool-call types, and turns the
 * first problem into an `invalid_request` error naming the field.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import { z } from 'zod';
import { invalidField } from '../../errors.js';
import { compileAccept, withAccept } from '../../util/zod-accept.js';
import type { ChatRequest } from './types.js';

/** `is required` for an absent field, else `must be <what>`. */
function typeError(what: string) {
  return {
    error: (issue: { input?: unknown }) =>
      issue.input === undefined ? 'is required' : `must be ${what}`,
  };
}

const string = z.string(typeError('a string'));
const number = z.number(typeError('a number'));
const boolean = z.boolean(typeError('a boolean'));
const object = z.looseObject({}, { error: 'must be an object' });

/**
 * A part whose `type` is a string; known types are also checked against their own schema (an own
 * key of `known` only: a part typed `toString` is an unknown part, not a crash).
 */
function partSchema(known: Record<string, z.ZodType>) {
  const base = z.looseObject({ type: string }, { error: 'must be an object' });
  const schemaOf = (type: string) => (Object.hasOwn(known, type) ? known[type] : undefined);
  const refined = base.superRefine((part, ctx) => {
    const result = schemaOf(part.type)?.safeParse(part);
    if (result === undefined || result.success) return;
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
  });
  return withAccept(refined, () => {
    const accepts = compileAccept(base);
    const tests = new Map(
      Object.entries(known).map(([type, schema]) => [type, compileAccept(schema)]),
    );
    return (value) =>
      accepts(value) && (tests.get((value as { type: string }).type)?.(value) ?? true);
  });
}

const textPart = z.looseObject({ text: string });
const refusalPart = z.looseObject({ refusal: string });
const imagePart = z.looseObject({
  image_url: z.looseObject(
    { url: string, detail: string.optional() },
    { error: 'must be an object' },
  ),
});
const filePart = z.looseObject({
  file: z.looseObject(
    { file_data: string.optional(), file_id: string.optional(), filename: string.optional() },
    { error: 'must be an object' },
  ),
});

const userPartSchema = partSchema({ text: textPart, image_url: imagePart, file: filePart });
const assistantPartSchema = partSchema({ text: textPart, refusal: refusalPart });

function contentSchema(part: z.ZodType) {
  return z.union([string, z.array(part)], {
    error: 'must be a string or an array of content parts',
  });
}

const toolCallSchema = partSchema({
  function: z.looseObject({
    id: string.optional(),
    function: z.looseObject({ name: string, arguments: string }, { error: 'must be an object' }),
  }),
  custom: z.looseObject({
    id: string.optional(),
    custom: z.looseObject({ name: string, input: string }, { error: 'must be an object' }),
  }),
});

const knownMessageSchema = z.discriminatedUnion(
  'role',
  [
    z.looseObject({ role: z.literal('system'), content: contentSchema(userPartSchema) }),
    z.looseObject({ role: z.literal('developer'), content: contentSchema(userPartSchema) }),
    z.looseObject({ role: z.literal('user'), content: contentSchema(userPartSchema) }),
    z.looseObject({
      role: z.literal('assistant'),
      content: contentSchema(assistantPartSchema).nullish(),
      tool_calls: z.array(toolCallSchema, { error: 'must be an array' }).nullish(),
      refusal: string.nullish(),
      function_call: z
        .looseObject({ name: string, arguments: string }, { error: 'must be an object' })
        .nullish(),
    }),
    z.looseObject({
      role: z.literal('tool'),
      tool_call_id: string,
      content: contentSchema(userPartSchema),
    }),
    z.looseObject({ role: z.literal('function'), name: string, content: string.nullish() }),
  ],
  { error: 'must be one of "system", "developer", "user", "assistant", "tool", "function"' },
);

const KNOWN_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/**
 * A message: a known role is checked against its own shape; a role added later is read by the
 * decoder as a user message (with a warning), so only its content must be readable.
 */
const messageBase = z.looseObject({ role: string }, { error: 'must be an object' });
const otherRoleSchema = z.looseObject({ content: contentSchema(userPartSchema).nullish() });
const messageSchema = withAccept(
  messageBase.superRefine((message, ctx) => {
    const schema = KNOWN_ROLES.has(message.role) ? knownMessageSchema : otherRoleSchema;
    const result = schema.safeParse(message);
    if (result.success) return;
    for (const issue of result.error.issues) {
      ctx.addIssue({
        code: 'custom',
        message: deepestIssue(issue).message,
        path: deepestIssue(issue).path,
      });
    }
  }),
  () => {
    const base = compileAccept(messageBase);
    const known = compileAccept(knownMessageSchema);
    const other = compileAccept(otherRoleSchema);
    return (value) =>
      base(value) &&
      (KNOWN_ROLES.has((value as { role: string }).role) ? known(value) : other(value));
  },
);

const toolSchema = partSchema({
  function: z.looseObject({
    function: z.looseObject(
      {
        name: string,
        description: string.nullish(),
        parameters: object.nullish(),
        strict: boolean.nullish(),
      },
      { error: 'must be an object' },
    ),
  }),
  custom: z.looseObject({
    custom: z.looseObject(
      { name: string, description: string.nullish() },
      { error: 'must be an object' },
    ),
  }),
});

const namedChoice = z.looseObject({ name: string }, { error: 'must be an object' });
const toolChoiceSchema = z.union(
  [
    z.enum(['auto', 'none', 'required']),
    partSchema({
      function: z.looseObject({ function: namedChoice }),
      custom: z.looseObject({ custom: namedChoice }),
      allowed_tools: z.looseObject({
        allowed_tools: z.looseObject(
          { mode: string, tools: z.array(z.unknown(), { error: 'must be an array' }) },
          { error: 'must be an object' },
        ),
      }),
    }),
  ],
  { error: 'must be "auto", "none", "required" or a tool choice object' },
);

const responseFormatSchema = partSchema({
  json_schema: z.looseObject({
    json_schema: z.looseObject(
      { name: string, schema: object.nullish(), strict: boolean.nullish() },
      { error: 'must be an object' },
    ),
  }),
});

/** The request schema: what ccproxy reads is checked, everything else is kept as it came. */
export const chatRequestSchema = z.looseObject(
  {
    model: string,
    messages: z.array(messageSchema, { error: 'must be an array of messages' }),
    tools: z.array(toolSchema, { error: 'must be an array' }).nullish(),
    tool_choice: toolChoiceSchema.nullish(),
    parallel_tool_calls: boolean.nullish(),
    max_completion_tokens: number.nullish(),
    max_tokens: number.nullish(),
    temperature: number.nullish(),
    top_p: number.nullish(),
    stop: z
      .union([string, z.array(string)], { error: 'must be a string or an array of strings' })
      .nullish(),
    response_format: responseFormatSchema.nullish(),
    reasoning_effort: string.nullish(),
    user: string.nullish(),
    stream: boolean.nullish(),
    stream_options: object.nullish(),
    n: number.nullish(),
    functions: z
      .array(z.looseObject({ name: string }, { error: 'must be an object' }), {
        error: 'must be an array',
      })
      .nullish(),
    function_call: z
      .union([z.enum(['auto', 'none']), namedChoice], {
        error: 'must be "auto", "none" or {"name": ...}',
      })
      .nullish(),
  },
  { error: 'must be a JSON object' },
);

/** `chatRequestSchema`'s compiled test (see `compileAccept`): a body that passes skips zod. */
const acceptChatRequest = compileAccept(chatRequestSchema);

type Issue = z.core.$ZodIssue;

/** The most specific problem under an issue: union branches are searched for the deepest path. */
function deepestIssue(issue: Issue): { path: PropertyKey[]; message: string } {
  let best = { path: issue.path, message: issue.message };
  if (issue.code !== 'invalid_union') return best;
  let bestDepth = 0;
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const found = deepestIssue(inner);
      if (found.path.length > bestDepth) {
        bestDepth = found.path.length;
        best = { path: [...issue.path, ...found.path], message: found.message };
      }
    }
  }
  return best;
}

/** `["messages", 1, "content"]` → `messages[1].content`. */
function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? 'body' : text;
}

/**
 * Checks a client body against `chatRequestSchema`. Returns it typed (unchanged: unknown keys
 * kept); throws `invalid_request` naming the first bad field, e.g. `messages[1].content`.
 */
export function validateChatRequest(body: unknown): ChatRequest {
  if (acceptChatRequest(body)) return body as ChatRequest;
  const result = chatRequestSchema.safeParse(body);
  // The per-type checks are refinements, which zod's inferred type cannot express.
  if (result.success) return body as ChatRequest;
  const first = result.error.issues[0];
  if (first === undefined) throw invalidField('body', 'is invalid');
  const { path, message } = deepestIssue(first);
  throw invalidField(formatPath(path), message);
}
