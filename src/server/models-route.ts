/** The `/v1/models` answer, in the OpenAI or the Anthropic shape the client expects. */
import type { ModelCard } from '../config/schema.js';

/** True when the client is an Anthropic one (it sends `anthropic-version`). */
export function wantsAnthropicModels(headers: Headers): boolean {
  return headers.has('anthropic-version');
}

/** The OpenAI list shape. */
export function openaiModelList(cards: readonly ModelCard[]): Record<string, unknown> {
  return {
    object: 'list',
    data: cards.map((card) => ({
      ...card,
      object: card.object ?? 'model',
      created: card.created ?? 0,
      owned_by: card.owned_by ?? 'system',
    })),
  };
}

/** The Anthropic list shape. */
export function anthropicModelList(cards: readonly ModelCard[]): Record<string, unknown> {
  const data = cards.map((card) => ({
    type: 'model',
    id: card.id,
    display_name: typeof card.display_name === 'string' ? card.display_name : card.id,
    created_at: new Date((card.created ?? 0) * 1000).toISOString(),
  }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
