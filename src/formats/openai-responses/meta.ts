/** Reads and writes this format's extras in `IrMeta` (`meta['openai-responses']`). */
import type { IrMeta } from '../../ir/meta.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import { FORMAT_ID } from './types.js';

/**
 * What this format keeps about one IR part (or message, or tool). Every field is optional; the
 * presence of `item` means the part came from this format, so no defaults are added back.
 */
export interface ResponsesMeta extends JsonObject {
  /** The item's fields the IR does not model (`id`, `status`, `phase`, unknown keys). */
  item?: JsonObject;
  /** The content part's fields the IR does not model (`logprobs`, unknown keys). */
  part?: JsonObject;
  /** Position of the item in a request's `input` list (groups parts, places system items). */
  index?: number;
}

/** Reads this format's extras from a meta bag. */
export function readResponsesMeta(meta: IrMeta | undefined): ResponsesMeta | undefined {
  const value = meta?.[FORMAT_ID];
  return isRecord(value) ? (value as ResponsesMeta) : undefined;
}

/** A meta bag holding `extras` for this format (always set, even when `extras` is empty). */
export function responsesMeta(extras: ResponsesMeta): IrMeta {
  return { [FORMAT_ID]: extras };
}

/** Reads a nested object from this format's extras. */
export function readMetaRecord(meta: IrMeta | undefined, key: string): JsonObject | undefined {
  const value = readResponsesMeta(meta)?.[key];
  return isRecord(value) ? value : undefined;
}
