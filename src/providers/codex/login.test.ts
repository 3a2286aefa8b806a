import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODEX_CLIENT_ID } from './auth.js';
import { buildCodexAuthorizeUrl, loginCodex, resolveCodexAuthFile } from './login.js';

describe('Codex login', () => {
  it('builds the Codex CLI authorize URL on the configured endpoint', () => {
    const url = buildCodexAuthorizeUrl({
      authorizeUrl: 'https://auth.example/oauth/authorize',
      redirectUri: 'http://localhost:1455/auth/callback',
      challenge: 'challenge-1',
      state: 'state-1',
    });
    expect(url).toBe(
      'https://auth.example/oauth/authorize?response_type=code' +
        `&client_id=${CODEX_CLIENT_ID}` +
        '&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback' +
        '&scope=openid+profile+email+offline_access' +
        '&code_challenge=challenge-1&code_challenge_method=S256' +
        '&id_token_add_organizations=true&codex_cli_simplified_flow=true' +
        '&state=state-1&originator=codex_cli_rs',
    );
  });

  it('finds auth.json under codex_home, else ~/.codex', () => {
    expect(resolveCodexAuthFile('/x/codex', '/home/u')).toBe('/x/codex/auth.json');
    expect(resolveCodexAuthFile(undefined, '/home/u')).toBe('/home/u/.codex/auth.json');
  });

  it('times out when the browser never comes back, closes the listener and writes nothing', async () => {
    const authFile = join(mkdtempSync(join(tmpdir(), 'ccproxy-codex-login-')), 'auth.json');
    let redirect = '';
    let waited: number | undefined;
    let expire: (() => void) | undefined;
    // The injected wait ends when the test says so: the timeout without the clock.
    const sleep = (ms: number) => {
      waited = ms;
      return new Promise<void>((resolve) => {
        expire = resolve;
      });
    };
    await expect(
      loginCodex({
        authorizeUrl: 'https://auth.example/oauth/authorize',
        tokenUrl: 'http://127.0.0.1:9/never',
        port: 0,
        authFile,
        fetch,
        now: Date.now,
        timeoutMs: 120_000,
        sleep,
        onAuthorizeUrl: (url) => {
          redirect = new URL(url).searchParams.get('redirect_uri')!;
          expire?.();
        },
      }),
    ).rejects.toMatchObject({
      name: 'LoginError',
      reason: 'timeout',
      message: 'Sign-in timed out: no answer from the browser within 2 minutes',
    });
    expect(waited).toBe(120_000);
    const port = new URL(redirect).port;
    await expect(fetch(`http://127.0.0.1:${port}/auth/callback`)).rejects.toThrow();
    expect(existsSync(authFile)).toBe(false);
  });
});
