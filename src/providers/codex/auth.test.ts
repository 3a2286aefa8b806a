import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { accessToken, createCodexHome, makeJwt } from '../../../test/helpers/codex-home.js';
import { type FakeUpstream, startFakeUpstream } from '../../../test/helpers/fake-upstream.js';
import { ProxyError } from '../../errors.js';
import { CODEX_CLIENT_ID, createCodexAuth, parseCodexAuth } from './auth.js';

let tokenServer: FakeUpstream | undefined;
afterEach(async () => {
  await tokenServer?.close();
  tokenServer = undefined;
});

function auth(authFile: string, tokenUrl: string) {
  return createCodexAuth({
    authFile,
    tokenUrl,
    fetch,
    now: () => Date.now(),
    skewMs: 60_000,
    maxAgeMs: 8 * 24 * 3600 * 1000,
  });
}

describe('parseCodexAuth', () => {
  it('takes the account id from tokens.account_id, else from the id token claim', () => {
    const idToken = makeJwt({
      'https://api.openai.com/auth': { chatgpt_account_id: 'acct-claim' },
    });
    expect(
      parseCodexAuth({
        tokens: {
          access_token: 'a',
          refresh_token: 'r',
          account_id: 'acct-field',
          id_token: idToken,
        },
      })?.accountId,
    ).toBe('acct-field');
    expect(
      parseCodexAuth({ tokens: { access_token: 'a', refresh_token: 'r', id_token: idToken } })
        ?.accountId,
    ).toBe('acct-claim');
    expect(parseCodexAuth({ OPENAI_API_KEY: 'sk-x' })).toBeUndefined();
  });
});

describe('Codex auth', () => {
  it('refreshes an expired token once, writes auth.json back atomically with mode 0600 and keeps other fields', async () => {
    tokenServer = await startFakeUpstream(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return {
        body: {
          access_token: accessToken('new', 3600),
          refresh_token: 'rt_rotated_refresh_token',
          id_token: makeJwt({ email: 'x@y' }),
        },
      };
    });
    const home = createCodexHome({
      accessToken: accessToken('old', -10),
      extra: { custom_field: { kept: true } },
    });
    const codexAuth = auth(home.authFile, `${tokenServer.url}/oauth/token`);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => codexAuth.credentials.get()),
    );

    expect(tokenServer.requests).toHaveLength(1);
    expect(tokenServer.requests[0]!.json).toEqual({
      client_id: CODEX_CLIENT_ID,
      grant_type: 'refresh_token',
      refresh_token: 'rt_initial_refresh_token_value',
      scope: 'openid profile email',
    });
    expect(new Set(results.map((c) => c.refreshToken))).toEqual(
      new Set(['rt_rotated_refresh_token']),
    );
    const file = home.read();
    expect(file.custom_field).toEqual({ kept: true });
    expect(file.OPENAI_API_KEY).toBeNull();
    expect(file.tokens).toMatchObject({
      refresh_token: 'rt_rotated_refresh_token',
      account_id: 'acct-123',
    });
    expect(Date.parse(String(file.last_refresh))).toBeGreaterThan(Date.now() - 10_000);
    expect(home.mode()).toBe(0o600);
    expect(readdirSync(home.dir)).toEqual(['auth.json']);
  });

  it('asks the user to log in again when the refresh token is revoked', async () => {
    tokenServer = await startFakeUpstream(() => ({
      status: 400,
      body: { error: 'invalid_grant' },
    }));
    const home = createCodexHome({ accessToken: accessToken('old', -10) });
    const error = await auth(home.authFile, `${tokenServer.url}/oauth/token`)
      .credentials.get()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProxyError);
    expect((error as ProxyError).status).toBe(401);
    expect((error as ProxyError).message).toMatch(/codex login/);
    expect((error as ProxyError).message).not.toContain('rt_initial');
  });

  it('reports a missing login without inventing credentials', async () => {
    const codexAuth = auth('/nonexistent/auth.json', 'http://127.0.0.1:9/token');
    await expect(codexAuth.credentials.get()).rejects.toThrow(/No Codex credentials found/);
    expect(await codexAuth.status()).toEqual({
      state: 'missing',
      source: '/nonexistent/auth.json',
    });
  });

  it('reports status without secrets', async () => {
    const home = createCodexHome({ accessToken: accessToken('ok', 3600) });
    const status = await auth(home.authFile, 'http://127.0.0.1:9/token').status();
    expect(status).toMatchObject({
      state: 'present',
      account: 'dev@example.com',
      plan: 'plus',
      refreshable: true,
    });
    expect(JSON.stringify(status)).not.toContain('rt_initial');
  });
});
