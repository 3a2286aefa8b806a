/**
 * Reads the text of an ordinary Chat stream content or tool-arguments chunk without
 * `JSON.parse`: a chunk that starts with the envelope of an earlier chunk of the same stream,
 * byte for byte, and then is exactly
 * `"choices":[{"index":0,"delta":{"content":"…"},"logprobs":null,"finish_reason":null}]` (or
 * `"delta":{"tool_calls":[{"index":N,"function":{"arguments":"…"}}]}`), followed by envelope
 * members only (compact JSON, as OpenAI and most servers write it). Any other text (whitespace,
 * pretty printing, other keys or values, a second `choices`, `usage` that is not null, an
 * `error`) does not match, and the decoder parses the chunk in full.
 */

import { textAt } from '../../util/text-at.js';

/** A JSON string without escapes, a JSON integer or null: envelope values the decoder ignores. */
const PLAIN_VALUE = '(?:"[^"\\\\\\u0000-\\u001f]*"|-?(?:0|[1-9][0-9]*)|null)';

/**
 * One envelope member: a field the decoder does not read once the stream has started, or an
 * `object` it accepts (a `chat.completion…` string).
 */
const MEMBER = `(?:"(?:id|created|model|service_tier|system_fingerprint|obfuscation)":${PLAIN_VALUE}|"object":"chat\\.completion[^"\\\\\\u0000-\\u001f]*")`;

/** An envelope before `"choices":`, each member followed by its comma. */
const PREFIX = new RegExp(`^\\{(?:${MEMBER},)*$`);

/** How an ordinary content chunk's body starts, after its envelope, up to the content string. */
const HEAD = '"choices":[{"index":0,"delta":{"content":"';

/** What may follow the content string: the rest of the choice, then envelope members. */
const TAIL = new RegExp(
  `\\}(?:,"logprobs":null)?(?:,"finish_reason":null)?\\}\\](?:,"usage":null|,${MEMBER})*\\}$`,
  'y',
);

/** A JSON string's contents from its opening quote on (valid escapes only), sticky. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters end the match, as JSON allows none in a string.
const ESCAPED_STRING = /(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;

/**
 * The envelope of `data` (its text before `"choices":`) when it holds only members
 * `scanContent` and `scanArguments` may skip, else `undefined`.
 */
export function learnEnvelope(data: string): string | undefined {
  const end = data.indexOf('"choices":');
  if (end <= 0) return undefined;
  const prefix = data.slice(0, end);
  return PREFIX.test(prefix) ? prefix : undefined;
}

/**
 * Where the JSON string whose contents start at `from` closes (the index of its closing quote),
 * or -1 when there is no valid JSON string there. Plain characters are looked at one by one;
 * from the first backslash or control character on, the strict pattern decides.
 */
function stringEnd(data: string, from: number): number {
  for (let at = from; at < data.length; at++) {
    const code = data.charCodeAt(at);
    if (code === 0x22) return at;
    if (code === 0x5c || code < 0x20) {
      ESCAPED_STRING.lastIndex = from;
      return ESCAPED_STRING.test(data) ? ESCAPED_STRING.lastIndex - 1 : -1;
    }
  }
  return -1;
}

/** The value of the JSON string between `from` and `end` (from `stringEnd`). */
function stringValue(data: string, from: number, end: number): string {
  const text = data.slice(from, end);
  // Any backslash starts a valid escape (`stringEnd` allows no other), so this cannot throw.
  return text.includes('\\') ? (JSON.parse(data.slice(from - 1, end + 1)) as string) : text;
}

/**
 * The content string of `data` when it is `envelope` (from `learnEnvelope`) followed by an
 * ordinary content chunk's body, else `undefined`. What `JSON.parse(data)` would give is then an
 * object with ignored envelope fields, `usage` null or absent, and one choice with index 0, a
 * null `finish_reason` and `logprobs`, and a delta holding only this `content`.
 */
export function scanContent(data: string, envelope: string): string | undefined {
  if (!textAt(data, 0, envelope) || !textAt(data, envelope.length, HEAD)) return undefined;
  const from = envelope.length + HEAD.length;
  const end = stringEnd(data, from);
  if (end < 0) return undefined;
  TAIL.lastIndex = end + 1;
  return TAIL.test(data) ? stringValue(data, from, end) : undefined;
}

/** The body of the usual first chunk (role, empty content), up to the delta's closing brace. */
const ROLE_HEAD = '"choices":[{"index":0,"delta":{"role":"assistant","content":""';

/** What OpenAI writes after the empty content of the first chunk's delta. */
const NULL_REFUSAL = ',"refusal":null';

/**
 * Whether `data` is `envelope` (from `learnEnvelope`) followed by the usual first chunk's body:
 * `"choices":[{"index":0,"delta":{"role":"assistant","content":""}…` (or with `"refusal":null`
 * after the content, as OpenAI writes it) and the same tail as
 * `scanContent` allows. Its parse would give a chunk that only starts the message (with the
 * envelope's id, model and the like): one assistant choice with no text, no finish, no usage.
 */
export function isRoleChunk(data: string, envelope: string): boolean {
  if (!textAt(data, 0, envelope) || !textAt(data, envelope.length, ROLE_HEAD)) return false;
  let at = envelope.length + ROLE_HEAD.length;
  if (textAt(data, at, NULL_REFUSAL)) at += NULL_REFUSAL.length;
  TAIL.lastIndex = at;
  return TAIL.test(data);
}

/** How an ordinary tool-arguments chunk's body starts, up to the tool call's index. */
const TOOL_HEAD = '"choices":[{"index":0,"delta":{"tool_calls":[{"index":';

/** Between the tool call's index and its arguments string. */
const TOOL_MIDDLE = ',"function":{"arguments":"';

/** One tool-arguments piece read by `scanArguments`. */
export interface ScannedArguments {
  /** The tool call's `index`. */
  index: number;
  /** Its `function.arguments` piece. */
  piece: string;
}

/**
 * The tool call index and arguments piece of `data` when it is `envelope` followed by an
 * ordinary arguments chunk's body (the only tool call holds `index` and `function.arguments`
 * alone), else `undefined`; otherwise as `scanContent`.
 */
export function scanArguments(data: string, envelope: string): ScannedArguments | undefined {
  if (!textAt(data, 0, envelope) || !textAt(data, envelope.length, TOOL_HEAD)) return undefined;
  // A JSON integer of up to 9 digits (no leading zero): exactly what the parse would give.
  const digits = envelope.length + TOOL_HEAD.length;
  let at = digits;
  while (at < data.length && at - digits < 10) {
    const code = data.charCodeAt(at);
    if (code < 0x30 || code > 0x39) break;
    at++;
  }
  const count = at - digits;
  if (count === 0 || count > 9 || (count > 1 && data.charCodeAt(digits) === 0x30)) {
    return undefined;
  }
  if (!textAt(data, at, TOOL_MIDDLE)) return undefined;
  const from = at + TOOL_MIDDLE.length;
  const end = stringEnd(data, from);
  if (end < 0 || !textAt(data, end + 1, '}}]')) return undefined;
  TAIL.lastIndex = end + 4;
  if (!TAIL.test(data)) return undefined;
  return { index: Number(data.slice(digits, at)), piece: stringValue(data, from, end) };
}
