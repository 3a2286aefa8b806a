/**
 * Folds a delta of an unknown type into a block of an unknown type, so new streamed block kinds
 * (such as `compaction` with its `compaction_delta {content}`, in vercel-ai's Anthropic chunk schema
 * as of 2026-08, WIRE-FORMATS §4.1) keep their content.
 */
import type { JsonObject } from '../../util/json.js';

/**
 * Appends every string field of `delta` (except `type`) to the same field of `block` when that
 * field is a string or still empty (`null`/absent). Other fields are left alone. Mutates `block`.
 */
export function applyUnknownDelta(block: JsonObject, delta: JsonObject): void {
  for (const [key, value] of Object.entries(delta)) {
    if (key === 'type' || typeof value !== 'string') continue;
    const current = block[key];
    if (typeof current === 'string') block[key] = current + value;
    else if (current === null || current === undefined) block[key] = value;
  }
}
