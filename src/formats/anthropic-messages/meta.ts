/**
 * Reads and writes this format's extras in `IrMeta` (`meta['anthropic-messages']`).
 *
 * Convention: `extra` holds wire fields the converters do not read (`cache_control`, `caller`,
 * unknown keys), spread back verbatim when encoding for this format; other keys are named
 * markers that make a same-format round trip exact (`contentString`, `stopReason`, ...).
 */
import type { IrMeta } from '../../ir/meta.js';
import { isRecord, type JsonObject, setField } from '../../util/json.js';
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
  // Plain loops and writes: this runs for every message and block of a request, and
  // `Object.entries` pairs and a computed key in a literal took V8's slow paths.
  let kept: JsonObject | undefined;
  const keys = Object.keys(fields);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = fields[key];
    if (value === undefined) continue;
    if (key === 'extra' && isRecord(value) && isEmptyObject(value)) continue;
    kept ??= {};
    kept[key] = value;
  }
  if (kept === undefined) return undefined;
  const meta: IrMeta = {};
  meta[FORMAT_ID] = kept;
  return meta;
}

function isEmptyObject(value: JsonObject): boolean {
  for (const _ in value) return false;
  return true;
}

/** The fields of `object` other than `known`, or `undefined` when there are none. */
export function extrasOf(object: JsonObject, known: readonly string[]): JsonObject | undefined {
  let extras: JsonObject | undefined;
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    extras ??= {};
    setField(extras, key, object[key]);
  }
  return extras;
}

/** `{ meta }` when there is a meta bag, `{}` otherwise: for spreading into IR objects. */
export function metaField(meta: IrMeta | undefined): { meta?: IrMeta } {
  return meta === undefined ? {} : { meta };
}
