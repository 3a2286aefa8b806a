/**
 * Typed guards that narrow untrusted JSON once, at the edge of a format, without copying what is
 * already well-formed: stream events are read per chunk, where a zod parse costs about twice the
 * `JSON.parse` itself.
 */
import { isRecord, type JsonObject } from './json.js';

/** Narrows one field's value: the typed value, or `undefined` to leave the field out. */
export type Narrow<T> = (value: unknown) => T | undefined;

/** The fields a wire type names (its index signature left out). */
type KnownKeys<T> = keyof {
  [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K];
};

/** One narrower per field a wire type names. */
export type FieldNarrowers<T> = { [K in KnownKeys<T>]-?: Narrow<Exclude<T[K], undefined>> };

/** A string, or `undefined`. */
export const asString: Narrow<string> = (value) => (typeof value === 'string' ? value : undefined);

/** A finite number, or `undefined`. */
export const asNumber: Narrow<number> = (value) =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** A plain object, or `undefined`. */
export const asObject: Narrow<JsonObject> = (value) => (isRecord(value) ? value : undefined);

/** An array, or `undefined`. */
export const asArray: Narrow<unknown[]> = (value) => (Array.isArray(value) ? value : undefined);

/**
 * The largest index read from a Responses stream event (an output, content, summary or
 * annotation index). Its rebuilders keep items and parts in lists by index and walk them in
 * order: one event with `output_index` 99999999 held the event loop for 5 s (999999999: about a
 * minute). (The Anthropic accumulator keeps its blocks in a map instead.)
 */
export const MAX_STREAM_INDEX = 4095;

/**
 * An index of a stream event: an integer from 0 to `MAX_STREAM_INDEX`, else absent (the event
 * then addresses its item as one without an index does: by id, or the last one).
 */
export const asStreamIndex: Narrow<number> = (value) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_STREAM_INDEX
    ? value
    : undefined;

/** Any value, as it came. */
export const asUnknown: Narrow<unknown> = (value) => value;

/** `null` is kept (the wire says "none"); anything else goes through `narrow`. */
export function orNull<T>(narrow: Narrow<T>): Narrow<T | null> {
  return (value) => (value === null ? null : narrow(value));
}

/**
 * An array whose entries `narrow` accepts; entries it rejects are left out. The same array comes
 * back when every entry is already well-formed.
 */
export function arrayOf<T>(narrow: Narrow<T>): Narrow<T[]> {
  return (value) => {
    if (!Array.isArray(value)) return undefined;
    let out: T[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const entry: unknown = value[index];
      const narrowed = narrow(entry);
      if (narrowed === entry && out === undefined) continue;
      // The entries before `index` all came back from `narrow` unchanged: they are `T`s.
      out ??= value.slice(0, index) as T[];
      if (narrowed !== undefined) out.push(narrowed);
    }
    // No copy: every entry came back from `narrow` unchanged.
    return out ?? (value as T[]);
  };
}

/**
 * Narrows an object to wire type `T`: each field `fields` names is absent or passes its
 * narrower (one that fails is left out); other fields are kept as they came, so nothing unknown is
 * lost. The same object comes back when it is already well-formed; otherwise a shallow copy.
 */
export function objectOf<T extends JsonObject>(fields: FieldNarrowers<T>): Narrow<T> {
  const table = new Map<string, Narrow<unknown>>(Object.entries(fields));
  return (value) => {
    if (!isRecord(value)) return undefined;
    let out: JsonObject | undefined;
    // Over the object's own keys (a handful) rather than every field the type names.
    for (const key in value) {
      const narrow = table.get(key);
      if (narrow === undefined) continue;
      const field = value[key];
      if (field === undefined) continue;
      const narrowed = narrow(field);
      if (narrowed === field) continue;
      out ??= { ...value };
      if (narrowed === undefined) delete out[key];
      else out[key] = narrowed;
    }
    // Every field `T` names was narrowed by the function typed for it above.
    return (out ?? value) as T;
  };
}
