/**
 * Reads the text of an ordinary Chat stream content chunk without `JSON.parse`: a chunk that
 * starts with the envelope of an earlier chunk of the same stream, byte for byte, and then is
 * exactly `"choices":[{"index":0,"delta":{"content":"…"},"logprobs":null,"finish_reason":null}]`
 * followed by envelope members only (compact JSON, as OpenAI and most servers write it). Any
 * other text (whitespace, pretty printing, other keys or values, a second `choices`, `usage`
 * that is not null, an `error`) does not match, and the decoder parses the chunk in full.
 */

/** A JSON string without escapes, or a JSON integer, or null: envelope values the decoder ignores. */
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
 * `scanContent` may skip, else `undefined`.
 */
export function learnEnvelope(data: string): string | undefined {
  const end = data.indexOf('"choices":');
  if (end <= 0) return undefined;
  const prefix = data.slice(0, end);
  return PREFIX.test(prefix) ? prefix : undefined;
}

/**
 * The content string of `data` when it is `envelope` (from `learnEnvelope`) followed by an
 * ordinary content chunk's body, else `undefined`. What `JSON.parse(data)` would give is then an
 * object with ignored envelope fields, `usage` null or absent, and one choice with index 0, a
 * null `finish_reason` and `logprobs`, and a delta holding only this `content`.
 */
export function scanContent(data: string, envelope: string): string | undefined {
  // Slices compared with `===` (a flat comparison) rather than `startsWith`, several times
  // slower on long prefixes in V8.
  const from = envelope.length + HEAD.length;
  if (data.slice(0, envelope.length) !== envelope) return undefined;
  if (data.slice(envelope.length, from) !== HEAD) return undefined;
  // The content string: plain characters up to the closing quote, or else (escapes, control
  // characters) the strict pattern of a JSON string and a parse of it.
  let at = from;
  let plain = true;
  for (; at < data.length; at++) {
    const code = data.charCodeAt(at);
    if (code === 0x22) break;
    if (code === 0x5c || code < 0x20) {
      plain = false;
      break;
    }
  }
  if (!plain) {
    ESCAPED_STRING.lastIndex = from;
    if (!ESCAPED_STRING.test(data)) return undefined;
    at = ESCAPED_STRING.lastIndex - 1;
  } else if (at === data.length) return undefined;
  TAIL.lastIndex = at + 1;
  if (!TAIL.test(data)) return undefined;
  // Escapes are all valid (the pattern allows no other), so this parse cannot throw.
  return plain ? data.slice(from, at) : (JSON.parse(data.slice(from - 1, at + 1)) as string);
}
