/**
 * The JSON text a request body was parsed from, kept beside the parsed object, so that a body
 * forwarded unchanged (a same-format route whose provider had nothing to shape) goes upstream as
 * the client wrote it instead of being serialised again: `JSON.stringify` of a coding agent's
 * 150 KB request cost about 0.5 ms, and the text keeps the client's bytes exactly.
 *
 * The link is the object's identity, so it holds only while the object is not changed in place:
 * the proxy never does (every shaping step copies what it changes), and the parsed body is frozen
 * at its top level so that a change there fails loudly instead of being silently lost.
 */
const texts = new WeakMap<object, string>();

/** Links `value` to the text it was parsed from, and freezes its top level. */
export function keepJsonText<T extends object>(value: T, text: string): T {
  texts.set(value, text);
  return Object.freeze(value);
}

/** The text `value` was parsed from when it is that very object, else its serialisation. */
export function jsonText(value: object): string {
  return texts.get(value) ?? JSON.stringify(value);
}
