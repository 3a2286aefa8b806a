/** Redaction of secrets before anything is logged, captured or shown. */
import { scrubSecrets, secretsRegistered } from '../util/secrets.js';

const REDACTED = '[REDACTED]';

/** Header names whose values are always secret. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'cookie',
  'set-cookie',
  'chatgpt-account-id',
  'openai-organization',
]);

/**
 * Field names that hold secrets: any `*token*`, keys, secrets, passwords, cookies. A bare `code`
 * is not one: error codes (`"code": "rate_limit_exceeded"`) must stay readable in logs; OAuth
 * authorization codes are registered by value instead (`registerSecret`).
 */
const SECRET_KEY =
  /token|secret|password|passwd|api[-_]?key|apikey|authorization|cookie|credential|code_verifier|^key$|signature$/i;

/** True when a header's value must never be shown. */
export function isSecretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_HEADERS.has(lower) || /token|secret|key/.test(lower);
}

/** `isSecretKey` per field name seen: logged objects repeat the same few names. */
const secretKeyCache = new Map<string, boolean>();

/** True when a JSON field with this name holds a secret. */
export function isSecretKey(name: string): boolean {
  let secret = secretKeyCache.get(name);
  if (secret === undefined) {
    secret = SECRET_KEY.test(name);
    // Bounded: names come from logged objects, some of them upstream bodies.
    if (secretKeyCache.size < 4096) secretKeyCache.set(name, secret);
  }
  return secret;
}

/**
 * Strings shorter than this hold no secret `scrubSecrets` would replace: a registered secret has
 * at least 8 characters and the shortest secret shape (`&key=` and one character) 6.
 */
const SHORTEST_SECRET = 6;

/** A logged string with secret-looking parts replaced (strings too short to hold one as they are). */
export function redactText(value: string): string {
  return value.length < SHORTEST_SECRET ? value : scrubSecrets(value);
}

/** `redactRepeatedText`'s memo, and the count of registered secrets it was made under. */
const repeated = new Map<string, string>();
let repeatedUnder = -1;

/** The longest text `redactRepeatedText` remembers (a client's model name could be megabytes). */
const LONGEST_REPEATED = 256;

/**
 * `redactText` of a string that recurs from request to request (a route, a provider, a model):
 * the same answer, remembered. The memo is emptied when a secret is registered (a text it holds
 * could now hide one) and when it holds 1,024 texts (some come from clients); texts longer than
 * `LONGEST_REPEATED` are scrubbed each time, never kept.
 */
export function redactRepeatedText(value: string): string {
  if (value.length > LONGEST_REPEATED) return redactText(value);
  const under = secretsRegistered();
  if (under !== repeatedUnder) {
    repeated.clear();
    repeatedUnder = under;
  }
  let redacted = repeated.get(value);
  if (redacted === undefined) {
    redacted = redactText(value);
    if (repeated.size >= 1024) repeated.clear();
    repeated.set(value, redacted);
  }
  return redacted;
}

function isHeaders(value: object): value is Headers {
  return value instanceof Headers || typeof (value as Headers).getSetCookie === 'function';
}

/** A copy of headers with secret values replaced. */
export function redactHeaders(
  headers: Headers | Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  // Any `Headers` (the web class, or the upstream's RawHeaders): by its iteration, not its fields.
  const entries = isHeaders(headers) ? [...headers.entries()] : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = isSecretHeader(name) ? REDACTED : scrubSecrets(text);
  }
  return out;
}

/** Objects built already redacted (see `markRedacted`). */
const redacted = new WeakSet<object>();

/**
 * Marks an object its builder redacted itself (every string in it scrubbed, no secret field):
 * `redactValue` returns it as it is instead of copying it. For objects logged on every request.
 */
export function markRedacted<T extends object>(value: T): T {
  redacted.add(value);
  return value;
}

/**
 * A deep copy of a JSON-like value with secret fields and secret-looking strings replaced (an
 * object marked with `markRedacted` is kept as it is).
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (typeof value === 'object' && value !== null) {
    if (redacted.has(value)) return value;
    if (value instanceof Error) {
      return {
        name: value.name,
        message: scrubSecrets(value.message),
        ...(value.stack ? { stack: scrubSecrets(value.stack) } : {}),
      };
    }
    const out: Record<string, unknown> = {};
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const child = object[key];
      // Only string values are secret: `input_tokens: 12` is a count, `tokens: {...}` is recursed.
      out[key] =
        typeof child === 'string' && isSecretKey(key) ? REDACTED : redactValue(child, depth + 1);
    }
    return out;
  }
  return value;
}
