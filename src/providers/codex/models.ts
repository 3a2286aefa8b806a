/** Model cards of the Codex provider: the backend's own list (`GET /models`) and the built-in fallback. */
import type { ModelCard } from '../../config/schema.js';
import { getArray, getNumber, getString, isRecord } from '../../util/json.js';

/**
 * The Codex CLI version ccproxy presents to the model list (`?client_version=`): the backend
 * leaves out models whose `minimal_client_version` is newer than the client.
 */
export const CODEX_CLIENT_VERSION = '0.169.0';

/**
 * Models listed when the backend's list cannot be had, newest first: the Codex CLI's model
 * picker as the backend served it to the CLI (observed 2026-11), then the models older
 * configurations still name.
 */
export const DEFAULT_CODEX_MODELS: ModelCard[] = [
  'gpt-5.6-sol',
  'gpt-5.6-terra',
  'gpt-5.6-luna',
  'gpt-5.5',
  'gpt-5.4',
  'gpt-5.4-mini',
  'gpt-5.3-codex-spark',
  'gpt-5.3-codex',
  'gpt-5.2-codex',
  'gpt-5.2',
  'gpt-5.1-codex-max',
  'gpt-5.1-codex',
  'gpt-5.1-codex-mini',
  'gpt-5.1',
].map((id) => ({ id, object: 'model', created: 0, owned_by: 'openai' }));

/** The default Codex model: where clients' own model names (`claude-*`) go by default. */
export const DEFAULT_CODEX_MODEL = 'gpt-5.6-sol';

/**
 * The backend's `{"models": [{"slug", "display_name", "visibility", "priority", ...}]}` as model
 * cards, in the backend's priority order, without the models it hides from pickers. An
 * OpenAI-style `{"data": [{"id"}]}` is read too (drift).
 */
export function readCodexModels(body: unknown): ModelCard[] {
  if (!isRecord(body)) return [];
  const models = getArray(body, 'models');
  if (!models) {
    return (getArray(body, 'data') ?? []).filter(isRecord).flatMap((entry) => {
      const id = getString(entry, 'id');
      return id ? [{ id, object: 'model', created: 0, owned_by: 'openai' }] : [];
    });
  }
  return models
    .filter(isRecord)
    .filter((entry) => getString(entry, 'slug') && getString(entry, 'visibility') !== 'hide')
    .map((entry, index) => ({ entry, index, priority: getNumber(entry, 'priority') ?? 1e9 }))
    .sort((a, b) => a.priority - b.priority || a.index - b.index)
    .map(({ entry }) => {
      const name = getString(entry, 'display_name');
      return {
        id: getString(entry, 'slug') as string,
        object: 'model',
        created: 0,
        owned_by: 'openai',
        ...(name ? { display_name: name } : {}),
      };
    });
}
