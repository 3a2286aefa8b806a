/** Reading and writing this format's own entry of an `IrMeta` bag (`meta['openai-chat']`). */
import type { IrMeta } from '../../ir/meta.js';
import { type JsonObject, setField } from '../../util/json.js';
import { FORMAT_ID } from './types.js';

/** This format's extras in `meta`, or an empty object. */
export function readChatMeta(meta: IrMeta | undefined): JsonObject {
  return meta?.[FORMAT_ID] ?? {};
}

/**
 * A meta bag holding `extras` under this format's key; `undefined` when every value is
 * undefined, so parts without extras carry no `meta` at all.
 */
export function chatMeta(extras: JsonObject): IrMeta | undefined {
  // Plain loops and writes (see anthropic-messages/meta.ts): this runs for every part.
  let kept: JsonObject | undefined;
  const keys = Object.keys(extras);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = extras[key];
    if (value === undefined) continue;
    kept ??= {};
    kept[key] = value;
  }
  if (kept === undefined) return undefined;
  const meta: IrMeta = {};
  meta[FORMAT_ID] = kept;
  return meta;
}

/** Spread helper: `{ meta }` when there is meta, `{}` otherwise. */
export function metaField(meta: IrMeta | undefined): { meta?: IrMeta } {
  return meta === undefined ? {} : { meta };
}

/** The fields of `object` not listed in `known`, or `undefined` when there are none. */
export function extraFields(object: JsonObject, known: readonly string[]): JsonObject | undefined {
  let extra: JsonObject | undefined;
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue;
    extra ??= {};
    setField(extra, key, object[key]);
  }
  return extra;
}
