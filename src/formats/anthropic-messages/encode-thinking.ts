/**
 * Encodes reasoning settings, `max_tokens` and sampling parameters together, because the
 * Anthropic API ties them: the thinking budget must stay below `max_tokens`, and extended
 * thinking forbids changed `temperature`, narrow `top_p`, `top_k` and forced tool use.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/extended-thinking
 */
import type { IrRequest } from '../../ir/request.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import { ownMeta } from './meta.js';

/** `max_tokens` when the neutral request sets none (the API requires one). */
export const DEFAULT_MAX_TOKENS = 32_000;

/** The smallest budget the API accepts. */
const MIN_BUDGET = 1024;

/** Thinking budget per OpenAI reasoning effort (`none`/`minimal` mean no thinking). */
export const EFFORT_BUDGET: Readonly<Record<string, number | undefined>> = {
  none: undefined,
  minimal: undefined,
  low: 2048,
  medium: 8192,
  high: 24_576,
  xhigh: 32_000,
};

interface Thinking {
  wire: JsonObject | undefined;
  on: boolean;
  budget: number | undefined;
  /** Made from an effort level (so it may be adjusted), not set by the client. */
  derived: boolean;
}

function resolveThinking(request: IrRequest, warn: (warning: ConversionWarning) => void): Thinking {
  const raw = ownMeta(request.meta)?.thinking;
  if (isRecord(raw)) {
    const budget = typeof raw.budget_tokens === 'number' ? raw.budget_tokens : undefined;
    return {
      wire: raw,
      on: raw.type === 'enabled' || raw.type === 'adaptive',
      budget,
      derived: false,
    };
  }
  const reasoning = request.reasoning;
  const none: Thinking = { wire: undefined, on: false, budget: undefined, derived: false };
  if (reasoning === undefined) return none;
  if (reasoning.enabled === false) return { ...none, wire: { type: 'disabled' } };
  if (reasoning.budgetTokens !== undefined) {
    const budget = reasoning.budgetTokens;
    return { wire: { type: 'enabled', budget_tokens: budget }, on: true, budget, derived: false };
  }
  let budget: number | undefined;
  if (reasoning.effort !== undefined) {
    if (reasoning.effort in EFFORT_BUDGET) budget = EFFORT_BUDGET[reasoning.effort];
    else {
      budget = EFFORT_BUDGET.medium;
      warn({
        code: 'lossy',
        message: `Unknown reasoning effort "${reasoning.effort}" sent as a medium thinking budget`,
        path: 'reasoning.effort',
      });
    }
  } else if (reasoning.enabled === true) budget = EFFORT_BUDGET.medium;
  if (budget === undefined) return none;
  return { wire: { type: 'enabled', budget_tokens: budget }, on: true, budget, derived: true };
}

/** The `max_tokens`, `thinking`, `temperature`, `top_p` and `top_k` fields of a request. */
export function encodeThinkingAndSampling(
  request: IrRequest,
  warn: (warning: ConversionWarning) => void,
): JsonObject {
  let thinking = resolveThinking(request, warn);
  const maxTokens = request.maxOutputTokens;
  const drop = (message: string, path: string): void => {
    warn({ code: 'dropped', message, path });
  };
  if (thinking.derived) {
    const forced = request.toolChoice?.type === 'required' || request.toolChoice?.type === 'tool';
    let budget = thinking.budget ?? 0;
    if (maxTokens !== undefined && budget > maxTokens - MIN_BUDGET) budget = maxTokens - MIN_BUDGET;
    if (forced || budget < MIN_BUDGET) {
      drop(
        forced
          ? 'Reasoning dropped: Anthropic does not allow thinking with a forced tool choice'
          : `Reasoning dropped: max_tokens ${maxTokens} leaves no room for a thinking budget`,
        'reasoning',
      );
      thinking = { wire: undefined, on: false, budget: undefined, derived: false };
    } else {
      thinking = { ...thinking, budget, wire: { type: 'enabled', budget_tokens: budget } };
    }
  }
  const fields: JsonObject = {
    max_tokens:
      maxTokens ??
      (thinking.budget !== undefined
        ? Math.max(DEFAULT_MAX_TOKENS, thinking.budget + 4096)
        : DEFAULT_MAX_TOKENS),
  };
  if (thinking.wire !== undefined) fields.thinking = thinking.wire;
  const topK = ownMeta(request.meta)?.topK;
  if (request.temperature !== undefined) {
    if (thinking.on && request.temperature !== 1) {
      drop('temperature dropped: Anthropic only accepts 1 with thinking', 'temperature');
    } else fields.temperature = request.temperature;
  }
  if (request.topP !== undefined) {
    if (thinking.on && request.topP < 0.95) {
      drop('top_p dropped: Anthropic only accepts 0.95 to 1 with thinking', 'top_p');
    } else fields.top_p = request.topP;
  }
  if (typeof topK === 'number') {
    if (thinking.on) drop('top_k dropped: Anthropic does not accept it with thinking', 'top_k');
    else fields.top_k = topK;
  }
  return fields;
}
