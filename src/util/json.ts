/** Narrow, allocation-light helpers for reading untrusted JSON. */

/** A JSON object with unknown values. */
export type JsonObject = Record<string, unknown>;

/** True for plain objects (not arrays, not null). */
export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses JSON, returning `undefined` instead of throwing. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Reads a string field, or `undefined` when absent or not a string. */
export function getString(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' ? value : undefined;
}

/** Reads a finite number field, or `undefined`. */
export function getNumber(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Reads an object field, or `undefined`. */
export function getRecord(object: JsonObject, key: string): JsonObject | undefined {
  const value = object[key];
  return isRecord(value) ? value : undefined;
}

/** Reads an array field, or `undefined`. */
export function getArray(object: JsonObject, key: string): unknown[] | undefined {
  const value = object[key];
  return Array.isArray(value) ? value : undefined;
}

/**
 * Sets `key` on `target` as its own field. A JSON text may have a `__proto__` key (`JSON.parse`
 * makes it an own field); an assignment would set the object's prototype instead, and the field
 * would vanish from what is kept or reported.
 */
export function setField(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else target[key] = value;
}

/** A shallow copy of `object` without `keys`: the fields a converter did not read. */
export function omitKeys(object: JsonObject, keys: readonly string[]): JsonObject {
  const rest: JsonObject = {};
  for (const key of Object.keys(object)) {
    if (!keys.includes(key)) setField(rest, key, object[key]);
  }
  return rest;
}

/** Parses a tool call's JSON argument text into an object; `""` gives `{}`. */
export function parseJsonObjectLenient(text: string): { value: JsonObject; ok: boolean } {
  if (text.trim() === '') return { value: {}, ok: true };
  const parsed = tryParseJson(text);
  if (isRecord(parsed)) return { value: parsed, ok: true };
  return { value: {}, ok: false };
}
