/**
 * Reads and writes this format's extras in `IrMeta` (`meta['anthropic-messages']`).
 *
 * Convention: `extra` holds wire fields the converters do not read (`cache_control`, `caller`,
 * unknown keys), spread back verbatim when encoding for this format; other keys are named
 * markers that make a same-format round trip exact (`contentString`, `stopReason`, ...).
 */
import type { IrMeta } from '../../ir/meta.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import { FORMAT_ID } from './types.js';

/** This format's extras from a meta bag, or `undefined`. */
export function ownMeta(meta: IrMeta | undefined): JsonObject | undefined {
  return meta?.[FORMAT_ID];
}

/** The `extra` wire fields kept in a meta bag (an empty object when there are none). */
export function ownExtra(meta: IrMeta | undefined): JsonObject {
  const extra = ownMeta(meta)?.extra;
  return isRecord(extra) ? extra : {};
}

/** A meta bag holding `fields` under this format, or `undefined` when nothing is defined. */
export function makeMeta(fields: JsonObject): IrMeta | undefined {
  const kept: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (key === 'extra' && isRecord(value) && Object.keys(value).length === 0) continue;
    kept[key] = value;
  }
  return Object.keys(kept).length > 0 ? { [FORMAT_ID]: kept } : undefined;
}

/** The fields of `object` other than `known`, or `undefined` when there are none. */
export function extrasOf(object: JsonObject, known: readonly string[]): JsonObject | undefined {
  let extras: JsonObject | undefined;
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    extras ??= {};
    extras[key] = object[key];
  }
  return extras;
}

/** `{ meta }` when there is a meta bag, `{}` otherwise: for spreading into IR objects. */
export function metaField(meta: IrMeta | undefined): { meta?: IrMeta } {
  return meta === undefined ? {} : { meta };
}
