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

/**
 * Field names that hold secrets: any `*token*`, keys, secrets, passwords, cookies. A bare `code`
 * is not one: error codes (`"code": "rate_limit_exceeded"`) must stay readable in logs; OAuth
 * authorization codes are registered by value instead (`registerSecret`).
 */
const SECRET_KEY =
  /token|secret|password|passwd|api[-_]?key|apikey|authorization|cookie|credential|code_verifier|^key$|signature$/i;

/**
 * Field names whose string values are credentials to register by value when a credential file,
 * an OAuth answer or a token exchange is read (narrower than `SECRET_KEY`: `token_type: "Bearer"`
 * and `expires_at` are not secrets, and registering them would blank common words).
 */
const CREDENTIAL_FIELD =
  /^(access_?token|refresh_?token|id_?token|token|github_?token|auth_?token|api_?key|openai_api_key|secret|client_?secret|password|code|code_?verifier|device_?code)$/i;

/** Values shorter than this are not registered: too likely to occur in ordinary text. */
const MIN_SECRET_LENGTH = 8;

const known = new Set<string>();
let knownPattern: RegExp | undefined;

/**
 * Registers a secret the proxy holds (a token, a refresh token, a key), so that its exact value
 * is replaced wherever text is scrubbed (logs, client errors, captures), whatever its shape.
 * Returns the value, so it can wrap an expression. Short or non-string values are ignored.
 */
export function registerSecret<T>(value: T): T {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed.length < MIN_SECRET_LENGTH || known.has(trimmed)) return value;
  known.add(trimmed);
  knownPattern = undefined;
  return value;
}

/** Registers every credential-named string field inside a parsed JSON value (any depth). */
export function registerSecretsIn(value: unknown, depth = 0): void {
  if (depth > 16 || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) registerSecretsIn(item, depth + 1);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'string') {
      if (CREDENTIAL_FIELD.test(key)) registerSecret(child);
    } else registerSecretsIn(child, depth + 1);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces every registered secret value in `text` (by value only, no patterns). */
export function scrubKnownSecrets(text: string): string {
  if (known.size === 0) return text;
  knownPattern ??= new RegExp(
    // Longest first, so a secret that contains another is replaced whole.
    [...known]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return text.replace(knownPattern, REDACTED);
}

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

/** Replaces secrets found inside free text: registered values, then known secret shapes. */
export function scrubSecrets(text: string): string {
  let result = scrubKnownSecrets(text);
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
