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
import { ownExtra, ownMeta } from './meta.js';

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
  /** `output_config.effort`, for models that think adaptively. */
  effort?: string;
}

/**
 * Models that think only within a token budget (`thinking.type: "enabled"`): Claude 3.x and the
 * 4, 4.1 and 4.5 families. Later models (4.6 on) think adaptively, steered by
 * `output_config.effort`, and the newest refuse budgets.
 * @see https://platform.claude.com/docs/en/build-with-claude/adaptive-thinking
 */
export function thinksWithBudget(model: string): boolean {
  // `claude-3-7-sonnet`, `claude-sonnet-4-20250514`, `claude-opus-4-6`, `claude-sonnet-4-5@...`:
  // the major version, then a one-digit minor version (a date is not one).
  const version = /claude-(?:(?:opus|sonnet|haiku)-)?(\d+)(?:-(\d)(?!\d))?/.exec(model);
  // A name that is no Claude version keeps the form every thinking model has accepted so far.
  if (version === null) return true;
  const major = Number(version[1]);
  const minor = Number(version[2] ?? 0);
  return major < 4 || (major === 4 && minor <= 5);
}

/** Anthropic's effort for an OpenAI one: `low`, `medium`, `high`, and `max` (Opus only). */
function anthropicEffort(
  effort: string,
  model: string,
  warn: (warning: ConversionWarning) => void,
): string {
  const lossy = (to: string): string => {
    warn({
      code: 'lossy',
      message: `Reasoning effort "${effort}" sent as Anthropic effort "${to}"`,
      path: 'reasoning.effort',
    });
    return to;
  };
  switch (effort) {
    case 'low':
    case 'medium':
    case 'high':
      return effort;
    case 'max':
      return model.includes('opus') ? 'max' : lossy('high');
    case 'minimal':
      return lossy('low');
    case 'xhigh':
      return model.includes('opus') ? 'max' : lossy('high');
    default:
      return lossy('medium');
  }
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
  // This format's own request: its `output_config` goes back as it came, and no thinking
  // is made from its effort.
  if (isRecord(ownExtra(request.meta).output_config)) return none;
  if (!thinksWithBudget(request.model)) {
    // Adaptive thinking: the model decides how much, the effort steers it; none means no thinking.
    if (reasoning.effort === 'none') return none;
    if (reasoning.effort === undefined && reasoning.enabled !== true) return none;
    const effort =
      reasoning.effort !== undefined
        ? anthropicEffort(reasoning.effort, request.model, warn)
        : undefined;
    return {
      wire: { type: 'adaptive' },
      on: true,
      budget: undefined,
      derived: false,
      ...(effort !== undefined ? { effort } : {}),
    };
  }
  let budget: number | undefined;
  if (reasoning.effort !== undefined) {
    // Own keys only: an effort named `toString` is an unknown effort, not a function.
    if (Object.hasOwn(EFFORT_BUDGET, reasoning.effort)) budget = EFFORT_BUDGET[reasoning.effort];
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
  const forced = request.toolChoice?.type === 'required' || request.toolChoice?.type === 'tool';
  if (
    forced &&
    thinking.wire?.type === 'adaptive' &&
    ownMeta(request.meta)?.thinking === undefined
  ) {
    // Effort works without thinking; thinking does not work with a forced tool.
    drop(
      'Thinking dropped: Anthropic does not allow thinking with a forced tool choice',
      'reasoning',
    );
    thinking = { ...thinking, wire: undefined, on: false };
  }
  if (thinking.derived) {
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
  if (thinking.effort !== undefined) fields.output_config = { effort: thinking.effort };
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
