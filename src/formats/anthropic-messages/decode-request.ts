/**
 * Decodes a client's `POST /v1/messages` body into a neutral request. Validation is lenient:
 * only the fields read are checked, every block and tool type is accepted, and everything the
 * IR does not model rides in `meta['anthropic-messages']` so the same format gets it back.
 *
 * @see https://docs.claude.com/en/api/messages
 */

import type { IrTextPart } from '../../ir/content.js';
import type { IrReasoningConfig, IrRequest } from '../../ir/request.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import { decodeTextBlock } from './decode-assistant-block.js';
import { decodeMessages } from './decode-messages.js';
import { decodeToolChoice, decodeTools } from './decode-tools.js';
import { extrasOf, makeMeta, metaField } from './meta.js';
import { parseRequestBody } from './schema.js';

/** Top-level request fields the decoder maps; all others are kept in `meta.extra`. */
const REQUEST_KEYS = [
  'model',
  'max_tokens',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'thinking',
  'metadata',
  'stream',
];

/** Claude Code's first system block: client accounting for Anthropic, not an instruction. */
export const BILLING_HEADER_PREFIX = 'x-anthropic-billing-header:';

/**
 * The system prompt. Claude Code's billing block (`x-anthropic-billing-header: cc_version=...;`)
 * is set apart: it goes back to Anthropic where it was and to no other upstream. Blocks other
 * than text are dropped with a warning (a system prompt is text).
 */
function decodeSystem(
  system: string | JsonObject[] | null | undefined,
  warn: (warning: ConversionWarning) => void,
): { parts: IrTextPart[]; billing?: JsonObject } {
  if (system === undefined || system === null) return { parts: [] };
  if (typeof system === 'string') return { parts: [{ type: 'text', text: system }] };
  const parts: IrTextPart[] = [];
  let billing: JsonObject | undefined;
  system.forEach((block, index) => {
    if (block.type !== 'text' || typeof block.text !== 'string') {
      warn({
        code: 'dropped',
        message: `A "${String(block.type)}" block in the system prompt was left out`,
        path: `system[${index}]`,
      });
      return;
    }
    if (index === 0 && block.text.startsWith(BILLING_HEADER_PREFIX)) {
      billing = block;
      return;
    }
    parts.push(decodeTextBlock(block));
  });
  return { parts, ...(billing ? { billing } : {}) };
}

/**
 * `enabled` with a budget and `disabled` map to the neutral config; `adaptive`, types added
 * later and extra keys (`display`) keep the whole object in meta (`thinking`).
 */
function decodeThinking(thinking: JsonObject): {
  reasoning?: IrReasoningConfig;
  raw?: JsonObject;
} {
  const budget = typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : undefined;
  const exact =
    (thinking.type === 'enabled' &&
      budget !== undefined &&
      extrasOf(thinking, ['type', 'budget_tokens']) === undefined) ||
    (thinking.type === 'disabled' && extrasOf(thinking, ['type']) === undefined);
  let reasoning: IrReasoningConfig | undefined;
  if (thinking.type === 'enabled') {
    reasoning = { enabled: true, ...(budget !== undefined ? { budgetTokens: budget } : {}) };
  } else if (thinking.type === 'disabled') reasoning = { enabled: false };
  else if (thinking.type === 'adaptive') reasoning = { enabled: true };
  return { ...(reasoning ? { reasoning } : {}), ...(exact ? {} : { raw: thinking }) };
}

/** Decodes a request body; throws `invalid_request` naming the first bad field. */
export function decodeAnthropicRequest(body: unknown): Converted<IrRequest> {
  const parsed = parseRequestBody(body);
  if (parsed instanceof Error) throw parsed;
  const warnings: ConversionWarning[] = [];
  const warn = (warning: ConversionWarning): void => {
    warnings.push(warning);
  };
  const choice = isRecord(parsed.tool_choice) ? decodeToolChoice(parsed.tool_choice) : {};
  const thinking = isRecord(parsed.thinking) ? decodeThinking(parsed.thinking) : {};
  const system = decodeSystem(parsed.system, warn);
  let user: string | undefined;
  let metadata: JsonObject | undefined;
  if (isRecord(parsed.metadata)) {
    if (typeof parsed.metadata.user_id === 'string') {
      user = parsed.metadata.user_id;
      metadata = extrasOf(parsed.metadata, ['user_id']);
    } else metadata = parsed.metadata;
    if (metadata === undefined && user === undefined) metadata = {};
  }
  const meta = makeMeta({
    extra: extrasOf(parsed, REQUEST_KEYS),
    systemString: typeof parsed.system === 'string' ? true : undefined,
    billingBlock: system.billing,
    topK: parsed.top_k ?? undefined,
    thinking: thinking.raw,
    metadata,
    toolChoice: choice.raw,
    toolChoiceExtra: choice.extra,
    streamAbsent: parsed.stream === undefined || parsed.stream === null ? true : undefined,
  });
  // Structured outputs and effort (`output_config`) stay in meta for this format; other formats
  // get them as the neutral response format and reasoning effort.
  const outputConfig = isRecord(parsed.output_config) ? parsed.output_config : undefined;
  const outputFormat =
    outputConfig && isRecord(outputConfig.format) ? outputConfig.format : undefined;
  // Anthropic's top effort is "max"; the neutral (OpenAI) word for it is "xhigh".
  const effort =
    typeof outputConfig?.effort === 'string'
      ? outputConfig.effort === 'max'
        ? 'xhigh'
        : outputConfig.effort
      : undefined;
  const reasoning = effort ? { ...thinking.reasoning, effort } : thinking.reasoning;
  const request: IrRequest = {
    model: parsed.model,
    system: system.parts,
    messages: decodeMessages(parsed.messages, warn),
    tools: decodeTools(parsed.tools ?? []),
    ...(choice.toolChoice ? { toolChoice: choice.toolChoice } : {}),
    ...(choice.parallelToolCalls !== undefined
      ? { parallelToolCalls: choice.parallelToolCalls }
      : {}),
    maxOutputTokens: parsed.max_tokens,
    ...(typeof parsed.temperature === 'number' ? { temperature: parsed.temperature } : {}),
    ...(typeof parsed.top_p === 'number' ? { topP: parsed.top_p } : {}),
    ...(parsed.stop_sequences ? { stop: parsed.stop_sequences } : {}),
    ...(reasoning ? { reasoning } : {}),
    ...(outputFormat?.type === 'json_schema' && isRecord(outputFormat.schema)
      ? { responseFormat: { type: 'json-schema', name: 'output', schema: outputFormat.schema } }
      : {}),
    ...(user !== undefined ? { user } : {}),
    stream: parsed.stream === true,
    ...metaField(meta),
  };
  return { value: request, warnings };
}
