/**
 * Turns an upstream Responses (or Codex backend) HTTP error answer into a `ProxyError` that keeps its meaning.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import { ProxyError } from '../../errors.js';
import { getNumber, getRecord, isRecord, tryParseJson } from '../../util/json.js';
import { decodeOpenAIError } from '../openai-error.js';

/**
 * Seconds until a Codex usage limit resets: the ChatGPT backend answers 429 with
 * `{"error":{"type":"usage_limit_reached","resets_in_seconds":…}}` and no `retry-after`
 * header (observed 2025-09 in Codex CLI error handling).
 */
function readResetSeconds(body: unknown): number | undefined {
  if (!isRecord(body)) return undefined;
  const inner = getRecord(body, 'error') ?? body;
  const seconds = getNumber(inner, 'resets_in_seconds');
  return seconds !== undefined && seconds >= 0 ? Math.ceil(seconds) : undefined;
}

/** An upstream Responses error answer as a `ProxyError` (lenient about the body's shape). */
export function decodeResponsesError(status: number, body: unknown, headers: Headers): ProxyError {
  const parsed = typeof body === 'string' ? (tryParseJson(body) ?? body) : body;
  const error = decodeOpenAIError(status, parsed, headers);
  if (error.retryAfter !== undefined) return error;
  const seconds = readResetSeconds(parsed);
  if (seconds === undefined) return error;
  return new ProxyError(error.code, error.message, {
    status: error.status,
    ...(error.upstream ? { upstream: error.upstream } : {}),
    retryAfter: String(seconds),
  });
}
