/** Copilot's model list: read from its `/models`, with a fallback when it cannot be had. */
import type { ModelCard } from '../../config/schema.js';
import { getArray, getString, isRecord } from '../../util/json.js';

/** Models listed when Copilot's own list cannot be had (and no `models_endpoint` is set). */
export const DEFAULT_COPILOT_MODELS: ModelCard[] = [
  'gpt-4.1',
  'gpt-5-mini',
  'gpt-5.1',
  'gpt-5.1-codex',
  'claude-sonnet-4.5',
  'claude-haiku-4.5',
  'gemini-2.5-pro',
].map((id) => ({ id, object: 'model', created: 1_735_689_600, owned_by: 'github-copilot' }));

/** Copilot's `/models` answer as model cards and the endpoints each model is served by. */
export function readCopilotModels(body: unknown): {
  cards: ModelCard[];
  endpoints: Map<string, Set<string>>;
} {
  const cards: ModelCard[] = [];
  const endpoints = new Map<string, Set<string>>();
  const data = isRecord(body) ? (getArray(body, 'data') ?? []) : [];
  for (const entry of data) {
    if (!isRecord(entry)) continue;
    const id = getString(entry, 'id');
    if (!id) continue;
    const name = getString(entry, 'name');
    cards.push({
      id,
      object: 'model',
      created: 0,
      owned_by: getString(entry, 'vendor') ?? 'github-copilot',
      ...(name ? { display_name: name } : {}),
    });
    const supported = getArray(entry, 'supported_endpoints');
    if (supported)
      endpoints.set(
        id,
        new Set(supported.filter((value): value is string => typeof value === 'string')),
      );
  }
  return { cards, endpoints };
}
