/**
 * Account names and where named accounts keep their credentials: the account `default` is the
 * single-account file each provider always used; every other account is a file ccproxy owns,
 * `{dataDir}/accounts/<provider>/<name>.json`, in the same format as that provider's own file.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The account name of the single-account files (`~/.codex/auth.json`, ...). */
export const DEFAULT_ACCOUNT = 'default';

/** Providers that have accounts. */
export type AccountProvider = 'codex' | 'claude' | 'copilot';

/** Whether a string is a valid account name (it becomes a file name and a metric label). */
export function isAccountName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name) && !name.includes('..');
}

/** The problem with an account name, or `undefined` when it is valid. */
export function accountNameProblem(name: string): string | undefined {
  return isAccountName(name)
    ? undefined
    : `"${name}" is not a valid account name: use up to 64 letters, digits, ".", "-" or "_"`;
}

/** The credentials file of a named (non-default) account. */
export function namedAccountFile(dataDir: string, provider: AccountProvider, name: string): string {
  return join(dataDir, 'accounts', provider, `${name}.json`);
}

/** The named accounts stored for a provider, sorted; `default` is never among them. */
export function listNamedAccounts(dataDir: string, provider: AccountProvider): string[] {
  let entries: string[];
  try {
    entries = readdirSync(join(dataDir, 'accounts', provider));
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.endsWith('.json'))
    .map((entry) => entry.slice(0, -'.json'.length))
    .filter((name) => isAccountName(name) && name !== DEFAULT_ACCOUNT)
    .sort();
}

/**
 * The accounts a provider serves: the configured list when there is one; otherwise `default`
 * (when it has credentials, or when there is nothing else) followed by every stored named account.
 */
export function resolveAccounts(options: {
  configured: readonly string[] | undefined;
  stored: readonly string[];
  defaultHasCredentials: boolean;
}): string[] {
  if (options.configured && options.configured.length > 0) return [...new Set(options.configured)];
  if (options.stored.length === 0 || options.defaultHasCredentials)
    return [DEFAULT_ACCOUNT, ...options.stored];
  return [...options.stored];
}
