/** Builds a temporary Codex home with an `auth.json` holding fake (unsigned) JWTs. */
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An unsigned JWT with the given claims (enough for code that only reads claims). */
export function makeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.c2lnbmF0dXJl`;
}

/** An access token expiring `secondsFromNow` from now. */
export function accessToken(label: string, secondsFromNow: number): string {
  return makeJwt({ sub: label, exp: Math.floor(Date.now() / 1000) + secondsFromNow });
}

/** A temporary Codex home. */
export interface CodexHome {
  dir: string;
  authFile: string;
  read(): Record<string, unknown>;
  mode(): number;
}

/** Creates `$CODEX_HOME/auth.json` (mode 0600) with the given tokens and extra fields. */
export function createCodexHome(options: {
  accessToken: string;
  refreshToken?: string;
  accountId?: string | null;
  idTokenClaims?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}): CodexHome {
  const dir = mkdtempSync(join(tmpdir(), 'ccproxy-codex-'));
  const authFile = join(dir, 'auth.json');
  const tokens: Record<string, unknown> = {
    id_token: makeJwt(
      options.idTokenClaims ?? {
        email: 'dev@example.com',
        'https://api.openai.com/auth': {
          chatgpt_account_id: 'acct-from-id-token',
          chatgpt_plan_type: 'plus',
        },
      },
    ),
    access_token: options.accessToken,
    refresh_token: options.refreshToken ?? 'rt_initial_refresh_token_value',
  };
  if (options.accountId !== null) tokens.account_id = options.accountId ?? 'acct-123';
  writeFileSync(
    authFile,
    JSON.stringify(
      { OPENAI_API_KEY: null, tokens, last_refresh: new Date().toISOString(), ...options.extra },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  chmodSync(authFile, 0o600);
  return {
    dir,
    authFile,
    read: () => JSON.parse(readFileSync(authFile, 'utf8')) as Record<string, unknown>,
    mode: () => statSync(authFile).mode & 0o777,
  };
}
