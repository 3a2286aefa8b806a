/** Model cards of the Claude provider: the API's own list (`GET /v1/models`, paginated) and the built-in fallback. */
import type { ModelCard } from '../../config/schema.js';
import { getArray, getString, isRecord } from '../../util/json.js';

/**
 * Models listed when the API's own list cannot be had, newest first: the ids of
 * `@anthropic-ai/sdk` 1.13's `Model` type, which include those Claude Code names by default
 * (its `opus`, `sonnet` and `haiku` aliases) and the 4.x models older configurations name.
 */
export const DEFAULT_CLAUDE_MODELS: ModelCard[] = [
  { id: 'claude-opus-5-5', display_name: 'Claude Opus 5.5' },
  { id: 'claude-sonnet-5-5', display_name: 'Claude Sonnet 5.5' },
  { id: 'claude-haiku-5-5', display_name: 'Claude Haiku 5.5' },
  { id: 'claude-fable-5-2', display_name: 'Claude Fable 5.2' },
  { id: 'claude-mythos-5-2', display_name: 'Claude Mythos 5.2' },
  { id: 'claude-opus-5', display_name: 'Claude Opus 5' },
  { id: 'claude-sonnet-5', display_name: 'Claude Sonnet 5' },
  { id: 'claude-opus-4-8', display_name: 'Claude Opus 4.8' },
  { id: 'claude-opus-4-7', display_name: 'Claude Opus 4.7' },
  { id: 'claude-opus-4-6', display_name: 'Claude Opus 4.6' },
  { id: 'claude-sonnet-4-6', display_name: 'Claude Sonnet 4.6' },
  { id: 'claude-opus-4-5', display_name: 'Claude Opus 4.5' },
  { id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5' },
].map((card) => ({ ...card, object: 'model', created: 0, owned_by: 'anthropic' }));

/** Pages of `GET /v1/models` read at most (1000 models a page). */
export const MAX_MODEL_PAGES = 10;

/** One page of the API's `{"data": [...], "has_more", "last_id"}` as model cards. */
export function readClaudeModelPage(body: unknown): {
  cards: ModelCard[];
  next: string | undefined;
} {
  if (!isRecord(body)) return { cards: [], next: undefined };
  const cards = (getArray(body, 'data') ?? []).filter(isRecord).flatMap((entry) => {
    const id = getString(entry, 'id');
    if (!id) return [];
    const createdAt = Date.parse(getString(entry, 'created_at') ?? '');
    const name = getString(entry, 'display_name');
    return [
      {
        id,
        object: 'model',
        created: Number.isFinite(createdAt) ? Math.floor(createdAt / 1000) : 0,
        owned_by: 'anthropic',
        ...(name ? { display_name: name } : {}),
      },
    ];
  });
  const next = body.has_more === true ? getString(body, 'last_id') : undefined;
  return { cards, next };
}
