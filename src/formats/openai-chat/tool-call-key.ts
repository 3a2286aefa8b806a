/** Which streamed tool call a `tool_calls[]` piece belongs to, also when a server omits `index`. */
import { getNumber, type JsonObject } from '../../util/json.js';

/**
 * The piece's `index` when it has one (group by it, never by array position). Moonshot's Kimi API
 * sends pieces without it (vercel/ai#19546, 2026-08); then a known `id` names its call, a new
 * `id` starts the next one, and a piece without an id continues the last call.
 * @param calls every call so far as `[key, id]`
 */
export function toolCallKey(
  piece: JsonObject,
  calls: Iterable<readonly [number, string | undefined]>,
  last: number | undefined,
): number {
  const index = getNumber(piece, 'index');
  if (index !== undefined) return index;
  const id = typeof piece.id === 'string' && piece.id !== '' ? piece.id : undefined;
  if (id === undefined && last !== undefined) return last;
  let next = 0;
  for (const [key, known] of calls) {
    if (id !== undefined && known === id) return key;
    next = Math.max(next, key + 1);
  }
  return next;
}
