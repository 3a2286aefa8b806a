/**
 * Encodes an IR request as a Responses request body for an upstream.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
import type { IrReasoningConfig, IrRequest } from '../../ir/request.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import type { WireBody } from '../format.js';
import { encodeInput } from './encode-input.js';
import { readMetaRecord, readResponsesMeta } from './meta.js';
import { encodeTextFormat } from './text-format.js';
import { encodeToolChoice, encodeTools } from './tools.js';

/**
 * Effort for an Anthropic-style thinking budget. The bands are a judgement call: Anthropic
 * documents budgets from 1024 tokens, OpenAI documents efforts, not budgets.
 */
function effortForBudget(budget: number): string {
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

function encodeReasoning(
  reasoning: IrReasoningConfig | undefined,
  extras: JsonObject | undefined,
  warnings: ConversionWarning[],
): JsonObject | undefined {
  if (!reasoning) return extras;
  let effort = reasoning.effort;
  if (effort === undefined && reasoning.budgetTokens !== undefined) {
    effort = effortForBudget(reasoning.budgetTokens);
    warnings.push({
      code: 'lossy',
      message: `Thinking budget of ${reasoning.budgetTokens} tokens sent as reasoning effort "${effort}"`,
      path: 'reasoning',
    });
  } else if (effort === undefined && reasoning.enabled === false) {
    warnings.push({
      code: 'dropped',
      message: 'Disabled reasoning cannot be stated without an effort: the model default applies',
      path: 'reasoning',
    });
  }
  const out: JsonObject = {
    ...extras,
    ...(effort !== undefined ? { effort } : {}),
    ...(reasoning.summary !== undefined ? { summary: reasoning.summary } : {}),
  };
  return Object.keys(out).length > 0 || extras ? out : undefined;
}

/** Puts `body`'s keys in the order of `keys` (the client's order), new keys last. */
function orderLike(body: JsonObject, keys: readonly unknown[]): JsonObject {
  const ordered: JsonObject = {};
  for (const key of keys) if (typeof key === 'string' && key in body) ordered[key] = body[key];
  for (const key of Object.keys(body)) if (!(key in ordered)) ordered[key] = body[key];
  return ordered;
}

/**
 * Encodes an IR request as a Responses request body. A request that came from a Responses client
 * is written back as it came (same keys, same order, unknown fields kept); one from another
 * format gets what the Responses API needs, and what Responses cannot carry (`stop`, token
 * budgets, other formats' hosted tools, reasoning it cannot resolve) is reported as warnings.
 */
export function encodeResponsesRequest(request: IrRequest): Converted<WireBody> {
  const warnings: ConversionWarning[] = [];
  const own = readResponsesMeta(request.meta);
  const keys = Array.isArray(own?.keys) ? own.keys : undefined;
  const had = (key: string): boolean => keys === undefined || keys.includes(key);
  const extras = readMetaRecord(request.meta, 'extras') ?? {};
  const { instructions, input } = encodeInput(request, warnings);
  const tools = encodeTools(request.tools, warnings);

  if (request.stop !== undefined && request.stop.length > 0) {
    warnings.push({
      code: 'dropped',
      message: 'Stop sequences cannot be sent to Responses',
      path: 'stop',
    });
  }
  const reasoning = encodeReasoning(
    request.reasoning,
    readMetaRecord(request.meta, 'reasoning'),
    warnings,
  );
  const textExtras = readMetaRecord(request.meta, 'text');
  const formatRaw = readMetaRecord(request.meta, 'textFormatRaw');
  const format = request.responseFormat
    ? encodeTextFormat(request.responseFormat, readMetaRecord(request.meta, 'textFormat'))
    : formatRaw;
  const text = format || textExtras ? { ...textExtras, ...(format ? { format } : {}) } : undefined;
  const rawChoice = own?.toolChoice;
  const userField = own?.userField === 'safety_identifier' ? 'safety_identifier' : 'user';
  const emptyInput = Array.isArray(input) && input.length === 0;

  const body: JsonObject = {
    ...extras,
    model: request.model,
    ...(instructions !== undefined ? { instructions } : {}),
    ...(emptyInput && !had('input') ? {} : { input }),
    ...(tools.length > 0 || (keys?.includes('tools') && extras.tools !== null) ? { tools } : {}),
    ...(request.toolChoice
      ? {
          tool_choice: isRecord(rawChoice)
            ? rawChoice
            : encodeToolChoice(request.toolChoice, request.tools),
        }
      : {}),
    ...(request.parallelToolCalls !== undefined
      ? { parallel_tool_calls: request.parallelToolCalls }
      : {}),
    ...(request.maxOutputTokens !== undefined
      ? { max_output_tokens: request.maxOutputTokens }
      : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { top_p: request.topP } : {}),
    ...(reasoning ? { reasoning } : {}),
    ...(text ? { text } : {}),
    ...(request.user !== undefined ? { [userField]: request.user } : {}),
    ...(request.stream || (had('stream') && extras.stream !== null)
      ? { stream: request.stream }
      : {}),
  };
  return { value: keys ? orderLike(body, keys) : body, warnings };
}
