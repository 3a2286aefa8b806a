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
import { textAt } from './text-at.js';

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

/**
 * `jsonText` for an answer's body: one without a kept text is serialised by `stringifyJson`. (Not
 * for request bodies: a coding agent's holds thousands of values and a long `instructions`, and
 * the replacer would cost more than it saves.)
 */
export function answerJsonText(value: object): string {
  return texts.get(value) ?? stringifyJson(value);
}

/**
 * The length from which `stringifyJson` checks a string: the check costs less than half of what
 * `JSON.stringify` spends on it, but a shorter one saves less than the replacer costs.
 */
const LONG_TEXT = 4096;
/**
 * A text JSON writes as it is between quotes: no quote, backslash or control character, and no
 * surrogate (a lone one is escaped; a pair would be written as it is, but is rare in the values
 * this is for). Anchored and negated, the expression reads a long text at about 0.57 ns a
 * character; searching for one of those characters instead took 2.5 times as long.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON escapes every control character.
const PLAIN_TEXT = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/**
 * `JSON.stringify(text)`: quoted as it is when nothing in it needs escaping (`JSON.stringify` of
 * one short value costs about 100 ns, most of it the call).
 */
export function jsonString(text: string): string {
  return PLAIN_TEXT.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** What a long plain text stands in for while the rest is serialised (control characters: escaped). */
const PLACEHOLDER = '\u0000ccproxy:plain-text\u0000';
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER);
/** How deep `plainTexts` looks (a deeper value is serialised as usual; a cycle throws there). */
const MAX_DEPTH = 32;
/**
 * The most strings `stringifyJson` puts in whole (the replacer looks each long string up among
 * them); more are serialised as usual.
 */
const MAX_PLAIN_TEXTS = 16;

/**
 * `JSON.stringify(value)`, the same text, written faster when `value` holds long strings that
 * need no escaping (an answer's `reasoning_opaque` or thinking `signature`: 50 KB of base64 from
 * the Codex backend): those are put in as they are, where `JSON.stringify` would read them
 * character by character at about twice the cost of the check (issue 13: 9% of the report
 * route's CPU was serialising its answer).
 */
export function stringifyJson(value: object): string {
  const candidates: string[] = [];
  plainTexts(value, 0, candidates);
  if (candidates.length === 0) return JSON.stringify(value);
  const plain: string[] = [];
  const skeleton = JSON.stringify(value, (_key, field: unknown) => {
    if (typeof field === 'string' && field.length >= LONG_TEXT && candidates.includes(field)) {
      plain.push(field);
      return PLACEHOLDER;
    }
    return field;
  });
  // Each placeholder is in the text once, where its string was; one more means a value of the
  // body was the placeholder itself, and the body is serialised as usual.
  let text = '';
  let from = 0;
  for (const field of plain) {
    const at = skeleton.indexOf(PLACEHOLDER_JSON, from);
    if (at === -1) return JSON.stringify(value);
    text += `${skeleton.slice(from, at)}"${field}"`;
    from = at + PLACEHOLDER_JSON.length;
  }
  if (skeleton.includes(PLACEHOLDER_JSON, from)) return JSON.stringify(value);
  return text + skeleton.slice(from);
}

/** Collects the long strings in `value` that JSON writes as they are (`PLAIN_TEXT`). */
function plainTexts(value: unknown, depth: number, into: string[]): void {
  if (into.length >= MAX_PLAIN_TEXTS) return;
  if (typeof value === 'string') {
    if (value.length >= LONG_TEXT && PLAIN_TEXT.test(value)) into.push(value);
    return;
  }
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) plainTexts(item, depth + 1, into);
    return;
  }
  for (const key in value) plainTexts((value as Record<string, unknown>)[key], depth + 1, into);
}

/**
 * Where the value of the only `key` (quoted, `"model"`) in the JSON text `data` is, written
 * `key:<value>` exactly; `undefined` when the key occurs more than once, not at all, or not so.
 * The key is searched without its opening quote, which is then checked: V8 searches from a
 * pattern's first character, and a `"` is on every few bytes of JSON (29 µs against 8 for a
 * 49 KB Responses envelope).
 */
export function onlyValue(data: string, key: string, value: string): [number, number] | undefined {
  const tail = key.slice(1);
  let at = -1;
  for (let found = data.indexOf(tail, 1); found !== -1; found = data.indexOf(tail, found + 1)) {
    if (data.charCodeAt(found - 1) !== 0x22) continue;
    if (at !== -1) return undefined;
    at = found - 1;
  }
  if (at === -1) return undefined;
  const start = at + key.length + 1;
  if (data.charCodeAt(start - 1) !== 58 || !textAt(data, start, value)) return undefined;
  return [start, start + value.length];
}

/** An escaped printable ASCII character (`\u0065`): it could spell a key a text search misses. */
const ESCAPED_ASCII = /\\u00[2-7]/;

/**
 * A copy of the object `body` (parsed from a kept text) whose top-level `model` is `to`, linked
 * to the text with that one value replaced when the edit is safe: the text has no escaped ASCII
 * character (an escaped key could be the real `model`) and exactly one `"model"`, written
 * `"model":"<its value>"`, which is then the top-level key. Otherwise the copy has no text and
 * is serialised when sent.
 */
export function withTopLevelModel<T extends Record<string, unknown>>(body: T, to: string): T {
  const copy = { ...body, model: to };
  const text = texts.get(body);
  const from = body.model;
  if (text === undefined || typeof from !== 'string' || ESCAPED_ASCII.test(text)) return copy;
  const span = onlyValue(text, '"model"', JSON.stringify(from));
  if (!span) return copy;
  return keepJsonText(copy, `${text.slice(0, span[0])}${JSON.stringify(to)}${text.slice(span[1])}`);
}
