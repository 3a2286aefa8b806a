/**
 * Decodes and validates a client's Responses request into an IR request.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
import { invalidField } from '../../errors.js';
import type { IrTextPart } from '../../ir/content.js';
import type { IrReasoningConfig, IrRequest } from '../../ir/request.js';
import type { Converted } from '../../ir/warnings.js';
import { getString, isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import { decodeInput } from './decode-input.js';
import { responsesMeta } from './meta.js';
import { parseOrThrow, requestSchema } from './schema.js';
import { decodeTextFormat } from './text-format.js';
import { decodeAdditionalTools, decodeToolChoice, decodeTools } from './tools.js';

/** Top-level fields the IR models; every other one is kept in meta `extras`. */
export const MAPPED_REQUEST_KEYS = [
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_output_tokens',
  'temperature',
  'top_p',
  'reasoning',
  'text',
  'user',
  'safety_identifier',
  'stream',
] as const;

function decodeReasoning(value: JsonObject | undefined): {
  reasoning?: IrReasoningConfig;
  extras?: JsonObject;
} {
  if (!value) return {};
  const effort = getString(value, 'effort');
  const summary = getString(value, 'summary');
  const extras = omitKeys(value, []);
  if (effort !== undefined) delete extras.effort;
  if (summary !== undefined) delete extras.summary;
  return {
    reasoning: {
      ...(effort !== undefined ? { effort } : {}),
      ...(summary !== undefined ? { summary } : {}),
    },
    extras,
  };
}

/**
 * Decodes and validates a Responses request body (throwing `invalid_request` naming the bad
 * field). Every field the IR does not model is kept in `meta['openai-responses']`, with the
 * body's key order, so `encodeResponsesRequest` writes the same request back.
 */
export function decodeResponsesRequest(body: unknown): Converted<IrRequest> {
  if (!isRecord(body)) throw invalidField('body', 'must be a JSON object');
  // Typed reads come from the validated body; extras from the body as it came.
  const parsed = parseOrThrow(requestSchema, body, '');
  const { system, messages, warnings } = decodeInput(parsed.input);
  const instructions = parsed.instructions ?? undefined;
  const systemParts: IrTextPart[] =
    instructions !== undefined
      ? [
          { type: 'text', text: instructions, meta: responsesMeta({ instructions: true }) },
          ...system,
        ]
      : system;

  const extras = omitKeys(body, MAPPED_REQUEST_KEYS);
  // A mapped field sent as null is not an IR value: it comes back from the extras.
  for (const key of MAPPED_REQUEST_KEYS) if (body[key] === null) extras[key] = null;

  const toolChoice = decodeToolChoice(body.tool_choice);
  if (toolChoice.warning) warnings.push(toolChoice.warning);
  const reasoning = decodeReasoning(parsed.reasoning ?? undefined);
  const text = parsed.text ?? undefined;
  const textFormat = decodeTextFormat(text?.format);

  const safetyIdentifier = parsed.safety_identifier ?? undefined;
  const userField = safetyIdentifier !== undefined ? 'safety_identifier' : 'user';
  const user = safetyIdentifier ?? parsed.user ?? undefined;
  // When both are sent, `user` is not the IR's: it stays as it came.
  if (safetyIdentifier !== undefined && body.user !== undefined) extras.user = body.user;

  const maxOutputTokens = parsed.max_output_tokens ?? undefined;
  const temperature = parsed.temperature ?? undefined;
  const topP = parsed.top_p ?? undefined;
  const request: IrRequest = {
    model: parsed.model,
    system: systemParts,
    messages,
    tools: [
      ...(parsed.tools ? decodeTools(parsed.tools) : []),
      ...decodeAdditionalTools(parsed.input, warnings),
    ],
    ...(toolChoice.choice ? { toolChoice: toolChoice.choice } : {}),
    ...(typeof parsed.parallel_tool_calls === 'boolean'
      ? { parallelToolCalls: parsed.parallel_tool_calls }
      : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(reasoning.reasoning ? { reasoning: reasoning.reasoning } : {}),
    ...(textFormat.format ? { responseFormat: textFormat.format } : {}),
    ...(user !== undefined ? { user } : {}),
    stream: parsed.stream === true,
    meta: responsesMeta({
      keys: Object.keys(body),
      extras,
      userField,
      ...(toolChoice.raw ? { toolChoice: toolChoice.raw } : {}),
      ...(reasoning.extras ? { reasoning: reasoning.extras } : {}),
      ...(text ? { text: omitKeys(text, isRecord(text.format) ? ['format'] : []) } : {}),
      ...(textFormat.extras ? { textFormat: textFormat.extras } : {}),
      ...(textFormat.raw ? { textFormatRaw: textFormat.raw } : {}),
    }),
  };
  return { value: request, warnings };
}
