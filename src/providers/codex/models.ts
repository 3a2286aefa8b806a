/** Default model cards and model rules of the Codex provider. */
import type { ModelCard } from '../../config/schema.js';

/** Models listed at `/codex/v1/models` unless `[plugins.codex] models_endpoint` says otherwise. */
export const DEFAULT_CODEX_MODELS: ModelCard[] = [
  'gpt-5.3-codex',
  'gpt-5.2-codex',
  'gpt-5.2',
  'gpt-5.1-codex-max',
  'gpt-5.1-codex',
  'gpt-5.1-codex-mini',
  'gpt-5.1',
].map((id) => ({ id, object: 'model', created: 1_735_689_600, owned_by: 'openai' }));
