/**
 * Estimates the input tokens of a Messages request body, for `POST /v1/messages/count_tokens`
 * when the upstream has no counting endpoint.
 *
 * @see https://docs.claude.com/en/api/messages-count-tokens
 */
import { isRecord } from '../../util/json.js';

/** Flat estimate for one image or PDF given as data (its base64 length says little). */
const MEDIA_TOKENS = 1000;

/** Characters counted per token: a common rule of thumb for English text and code. */
const CHARACTERS_PER_TOKEN = 4;

function measure(value: unknown, totals: { characters: number; media: number }): void {
  if (typeof value === 'string') {
    totals.characters += value.length;
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) measure(item, totals);
    return;
  }
  if (!isRecord(value)) {
    if (typeof value === 'number' || typeof value === 'boolean') totals.characters += 4;
    return;
  }
  if ((value.type === 'image' || value.type === 'document') && isRecord(value.source)) {
    if (
      value.source.type === 'base64' ||
      value.source.type === 'url' ||
      value.source.type === 'file'
    ) {
      totals.media++;
      return;
    }
  }
  for (const [key, item] of Object.entries(value)) {
    // Keys of blocks and schemas cost tokens too; `type`/`cache_control` framing barely does.
    if (key === 'cache_control') continue;
    totals.characters += key.length;
    measure(item, totals);
  }
}

/**
 * About four characters per token over `system`, `messages` and `tools`, plus a flat amount per
 * image or document. Never 0 for a request with any content; 0 for a body that is not an object.
 */
export function estimateInputTokens(body: unknown): number {
  if (!isRecord(body)) return 0;
  const totals = { characters: 0, media: 0 };
  measure(body.system, totals);
  measure(body.messages, totals);
  measure(body.tools, totals);
  const tokens = Math.ceil(totals.characters / CHARACTERS_PER_TOKEN) + totals.media * MEDIA_TOKENS;
  const hasContent =
    (Array.isArray(body.messages) && body.messages.length > 0) ||
    (body.system !== undefined && body.system !== null && body.system !== '') ||
    (Array.isArray(body.tools) && body.tools.length > 0);
  return hasContent ? Math.max(1, tokens) : tokens;
}
