/** Default model cards of the Claude provider. */
import type { ModelCard } from '../../config/schema.js';

/**
 * Models listed at `/claude/v1/models` when the API's own list cannot be had: none the Anthropic
 * SDK flags as deprecated (checked 2026-12).
 */
export const DEFAULT_CLAUDE_MODELS: ModelCard[] = [
  { id: 'claude-opus-4-5', display_name: 'Claude Opus 4.5' },
  { id: 'claude-sonnet-4-6', display_name: 'Claude Sonnet 4.5' },
  { id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5' },
  { id: 'claude-opus-4-1', display_name: 'Claude Opus 4.1' },
  { id: 'claude-sonnet-4', display_name: 'Claude Sonnet 4' },
].map((card) => ({ ...card, object: 'model', created: 1_759_276_800, owned_by: 'anthropic' }));
