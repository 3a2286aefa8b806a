/**
 * Maps token usage between the Responses `usage` object and `IrUsage`.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
 */
import { type IrUsage, totalTokens } from '../../ir/usage.js';
import { getRecord, isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import { narrowResponsesUsage } from './narrow.js';
import type { ResponsesUsage } from './types.js';

const USAGE_KEYS = [
  'input_tokens',
  'input_tokens_details',
  'output_tokens',
  'output_tokens_details',
  'total_tokens',
];
const INPUT_DETAIL_KEYS = ['cached_tokens', 'cache_write_tokens'];
const OUTPUT_DETAIL_KEYS = ['reasoning_tokens'];

/** Fields of a usage object the IR does not model, kept so the same format can write them back. */
export interface UsageExtras {
  rest?: JsonObject;
  input?: JsonObject;
  output?: JsonObject;
}

/**
 * Reads a Responses `usage` object (lenient: absent fields stay absent). Responses
 * `input_tokens` includes cached and cache-write tokens and `output_tokens` includes reasoning
 * tokens, as in the IR: counts map one to one.
 */
export function decodeUsage(value: unknown): IrUsage {
  const wire = narrowResponsesUsage(value);
  if (wire === undefined) return {};
  const usage: IrUsage = {};
  const input = wire.input_tokens;
  const output = wire.output_tokens;
  const total = wire.total_tokens;
  const cached = wire.input_tokens_details?.cached_tokens;
  const cacheWrite = wire.input_tokens_details?.cache_write_tokens;
  const reasoning = wire.output_tokens_details?.reasoning_tokens;
  if (input !== undefined) usage.inputTokens = input;
  if (output !== undefined) usage.outputTokens = output;
  if (cached !== undefined) usage.cachedInputTokens = cached;
  if (cacheWrite !== undefined) usage.cacheWriteInputTokens = cacheWrite;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  if (total !== undefined) usage.totalTokens = total;
  return usage;
}

/** The fields of a usage object `decodeUsage` does not read, or `undefined` when there are none. */
export function readUsageExtras(value: unknown): UsageExtras | undefined {
  if (!isRecord(value)) return undefined;
  const extras: UsageExtras = {};
  const rest = omitKeys(value, USAGE_KEYS);
  if (Object.keys(rest).length > 0) extras.rest = rest;
  const inputDetails = getRecord(value, 'input_tokens_details');
  const input = inputDetails ? omitKeys(inputDetails, INPUT_DETAIL_KEYS) : {};
  if (Object.keys(input).length > 0) extras.input = input;
  const outputDetails = getRecord(value, 'output_tokens_details');
  const output = outputDetails ? omitKeys(outputDetails, OUTPUT_DETAIL_KEYS) : {};
  if (Object.keys(output).length > 0) extras.output = output;
  return Object.keys(extras).length > 0 ? extras : undefined;
}

/**
 * Writes a complete Responses `usage` object (every documented field set, zero when unknown,
 * because strict clients require them); `extras` restores fields read by `readUsageExtras`.
 */
export function encodeUsage(usage: IrUsage, extras?: UsageExtras): ResponsesUsage {
  const inputDetails: ResponsesUsage['input_tokens_details'] = {
    ...extras?.input,
    cached_tokens: usage.cachedInputTokens ?? 0,
  };
  if (usage.cacheWriteInputTokens !== undefined) {
    inputDetails.cache_write_tokens = usage.cacheWriteInputTokens;
  }
  return {
    ...extras?.rest,
    input_tokens: usage.inputTokens ?? 0,
    input_tokens_details: inputDetails,
    output_tokens: usage.outputTokens ?? 0,
    output_tokens_details: { ...extras?.output, reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: totalTokens(usage),
  };
}
