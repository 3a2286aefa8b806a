/** Redaction of secrets before anything is logged, captured or shown. */
import { scrubSecrets } from '../util/secrets.js';

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

/** True when a JSON field with this name holds a secret. */
export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name);
}

/** A copy of headers with secret values replaced. */
export function redactHeaders(
  headers: Headers | Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = isSecretHeader(name) ? REDACTED : scrubSecrets(text);
  }
  return out;
}

/** A deep copy of a JSON-like value with secret fields and secret-looking strings replaced. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === 'string') return scrubSecrets(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (typeof value === 'object' && value !== null) {
    if (value instanceof Error) {
      return {
        name: value.name,
        message: scrubSecrets(value.message),
        ...(value.stack ? { stack: scrubSecrets(value.stack) } : {}),
      };
    }
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // Only string values are secret: `input_tokens: 12` is a count, `tokens: {...}` is recursed.
      out[key] =
        isSecretKey(key) && typeof child === 'string' ? REDACTED : redactValue(child, depth + 1);
    }
    return out;
  }
  return value;
}
