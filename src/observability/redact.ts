/** Redaction of secrets before anything is logged, captured or shown. */

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

/** Field names that hold secrets: any `*token*`, keys, secrets, passwords, cookies, codes. */
const SECRET_KEY =
  /token|secret|password|passwd|api[-_]?key|apikey|authorization|cookie|credential|^code$|code_verifier|^key$|signature$/i;

/** Patterns of secrets that may hide inside free text (error messages, URLs). */
const SECRET_PATTERNS: RegExp[] = [
  /\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g, // JWT (access and id tokens)
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI and Anthropic API keys (sk-..., sk-ant-...)
  /\bgh[pousr]_[A-Za-z0-9]{16,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{16,}/g,
  /\b(rt|at)_[A-Za-z0-9._-]{16,}/g, // opaque OAuth refresh/access tokens
  /([?&](?:access_token|refresh_token|code|key|token)=)[^&\s]+/gi,
];

/** True when a header's value must never be shown. */
export function isSecretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return SECRET_HEADERS.has(lower) || /token|secret|key/.test(lower);
}

/** True when a JSON field with this name holds a secret. */
export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name);
}

/** Replaces secrets found inside free text. */
export function scrubSecrets(text: string): string {
  let result = text;
  for (const pattern of SECRET_PATTERNS) {
    result = result.replace(pattern, (_match, prefix: unknown) =>
      typeof prefix === 'string' && prefix.endsWith('=') ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return result;
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
