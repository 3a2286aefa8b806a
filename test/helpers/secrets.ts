/**
 * Finds secrets in text: every credential the tests hand to the proxy (JWTs, API keys, GitHub
 * and Copilot tokens, refresh tokens, proxy access keys). `startProxy` checks its whole log
 * output with it when a test closes the proxy, so the suite's traffic, logged at debug level,
 * proves that no secret reaches a log line.
 */

const registered = new Set<string>();

/** Adds a literal secret to look for. */
export function registerSecret(value: string): string {
  if (value.length >= 6) registered.add(value);
  return value;
}

const PATTERNS: RegExp[] = [
  /eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g, // JWTs (access and id tokens)
  /\bsk-[A-Za-z0-9_-]{6,}/g, // OpenAI, Anthropic, OpenRouter keys
  /\bgh[opsu]_[A-Za-z0-9]{10,}/g, // GitHub tokens
  /\btid=[A-Za-z0-9-]+/g, // Copilot tokens
  /\brt_[A-Za-z0-9_]{8,}/g, // refresh tokens of the test fixtures
  /\bproxy-(access-)?key[\w-]*/g, // proxy access keys of the tests
];

/** Every secret found in `text`. */
export function findSecrets(text: string): string[] {
  const found = new Set<string>();
  for (const pattern of PATTERNS) for (const match of text.matchAll(pattern)) found.add(match[0]);
  for (const secret of registered) if (text.includes(secret)) found.add(secret);
  return [...found];
}
