/** The secrets the process holds, registered by value, and the scrubbing of free text (a leaf: credential loaders anywhere register, every output scrubs). */

const REDACTED = '[REDACTED]';

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
/** Counts the secrets registered so far: a memo of scrubbed texts is stale once it moves. */
let registered = 0;

/** How many secrets have been registered so far (see `registered`). */
export function secretsRegistered(): number {
  return registered;
}

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
  registered++;
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

/**
 * One test that every text some `SECRET_PATTERNS` entry matches also passes (their fixed parts,
 * case-insensitive): most logged strings (ids, paths, model names) pass none, and skip the seven
 * replacements. The scrubbing test checks this against every pattern.
 */
const MAYBE_SECRET =
  /eyJ|bearer|basic|sk-|gh[pousr]_|github_pat_|[ra]t_|[?&](?:access_token|refresh_token|code|key|token)=/i;

/** Replaces secrets found inside free text: registered values, then known secret shapes. */
export function scrubSecrets(text: string): string {
  const result = scrubKnownSecrets(text);
  return MAYBE_SECRET.test(result) ? scrubSecretShapes(result) : result;
}

/** Replaces the known secret shapes (every pattern, no pre-test; exported for its test). */
export function scrubSecretShapes(text: string): string {
  let result = text;
  for (const pattern of SECRET_PATTERNS) {
    result = result.replace(pattern, (_match, prefix: unknown) =>
      typeof prefix === 'string' && prefix.endsWith('=') ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return result;
}
