import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestCli, type TestCli } from '../../../test/helpers/cli.js';
import { accessToken, makeJwt } from '../../../test/helpers/codex-home.js';
import {
  type FakeHandler,
  type FakeUpstream,
  type RecordedRequest,
  startFakeUpstream,
} from '../../../test/helpers/fake-upstream.js';
import { CLAUDE_CLIENT_ID, CLAUDE_REDIRECT_URI } from '../../providers/claude/login.js';
import { CODEX_CLIENT_ID } from '../../providers/codex/auth.js';

let upstream: FakeUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

async function fake(handler: FakeHandler): Promise<FakeUpstream> {
  upstream = await startFakeUpstream(handler);
  return upstream;
}

function form(request: RecordedRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(request.body));
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** Acts as the browser: follows the redirect URI the authorize URL names, with `query`. */
async function browserCallback(authorizeUrl: URL, query: string): Promise<Response> {
  const redirect = new URL(authorizeUrl.searchParams.get('redirect_uri')!);
  // A browser tries 127.0.0.1 for localhost too; the listener binds only that address.
  redirect.hostname = '127.0.0.1';
  return fetch(`${redirect}?${query}`);
}

describe('ccproxy auth login codex', () => {
  const idToken = makeJwt({
    email: 'dev@example.com',
    'https://api.openai.com/auth': { chatgpt_account_id: 'acct-42', chatgpt_plan_type: 'pro' },
  });
  const newAccess = accessToken('new', 3600);

  function codexCli(server: FakeUpstream, extra: { browserOpens?: boolean } = {}) {
    return createTestCli({
      ...extra,
      env: {
        CCPROXY_CODEX_AUTHORIZE_URL: `${server.url}/oauth/authorize`,
        CCPROXY_CODEX_TOKEN_URL: `${server.url}/oauth/token`,
        PLUGINS__CODEX__CALLBACK_PORT: '0',
      },
    });
  }

  function withCodexHome(cli: TestCli): string {
    const codexHome = join(cli.home, 'codex-home');
    cli.io.env.CODEX_HOME = codexHome;
    return join(codexHome, 'auth.json');
  }

  it('signs in through the browser and writes auth.json in the Codex CLI format', async () => {
    let challenge = '';
    const server = await fake((request) => {
      if (request.path !== '/oauth/token') return { status: 404, body: {} };
      const body = form(request);
      // PKCE: the verifier sent now must hash to the challenge sent with the authorize URL.
      if (s256(body.code_verifier ?? '') !== challenge) return { status: 400, body: {} };
      return {
        body: {
          id_token: idToken,
          access_token: newAccess,
          refresh_token: 'rt_new_refresh_1234567',
        },
      };
    });
    const cli = codexCli(server);
    const authFile = withCodexHome(cli);
    mkdirSync(join(cli.home, 'codex-home'));
    writeFileSync(
      authFile,
      JSON.stringify({ OPENAI_API_KEY: 'sk-old-key-0000000000', custom: { kept: true } }),
    );

    const exit = cli.run(['auth', 'login', 'codex', '--no-browser']);
    const [printed] = await cli.waitForOutput(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
    const url = new URL(printed);
    challenge = url.searchParams.get('code_challenge')!;
    const state = url.searchParams.get('state')!;
    const redirectUri = url.searchParams.get('redirect_uri')!;
    expect(redirectUri).toMatch(/^http:\/\/localhost:\d+\/auth\/callback$/);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: CODEX_CLIENT_ID,
      redirect_uri: redirectUri,
      scope: 'openid profile email offline_access',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
      state,
      originator: 'codex_cli_rs',
    });
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(state.length).toBeGreaterThanOrEqual(32);

    const page = await browserCallback(url, `code=auth-code-1&state=${state}`);
    expect(page.status).toBe(200);
    expect(await exit).toBe(0);

    expect(server.requests).toHaveLength(1);
    const tokenRequest = server.requests[0]!;
    expect(tokenRequest.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const sent = form(tokenRequest);
    expect(sent).toEqual({
      grant_type: 'authorization_code',
      code: 'auth-code-1',
      redirect_uri: redirectUri,
      client_id: CODEX_CLIENT_ID,
      code_verifier: sent.code_verifier,
    });
    expect(s256(sent.code_verifier!)).toBe(challenge);

    const file = readJson(authFile);
    expect(file).toEqual({
      OPENAI_API_KEY: null,
      custom: { kept: true },
      auth_mode: 'chatgpt',
      tokens: {
        id_token: idToken,
        access_token: newAccess,
        refresh_token: 'rt_new_refresh_1234567',
        account_id: 'acct-42',
      },
      last_refresh: file.last_refresh,
    });
    expect(Date.now() - Date.parse(String(file.last_refresh))).toBeLessThan(10_000);
    expect(mode(authFile)).toBe(0o600);
    expect(cli.opened).toEqual([]);
    expect(cli.stdout()).toContain('Signed in to Codex as dev@example.com (plan: pro).');
    expect(cli.stdout()).toContain(`Credentials saved to ${authFile}`);
    for (const secret of [newAccess, idToken, 'rt_new_refresh_1234567', sent.code_verifier!]) {
      expect(cli.stdout() + cli.stderr()).not.toContain(secret);
    }
  });

  it('answers a callback with a wrong state with a 400 page and keeps waiting for the right one', async () => {
    const server = await fake(() => ({ status: 500, body: {} }));
    const cli = codexCli(server);
    const authFile = withCodexHome(cli);

    const exit = cli.run(['auth', 'login', 'codex']);
    const [printed] = await cli.waitForOutput(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
    expect(cli.opened).toEqual([printed]);
    const page = await browserCallback(new URL(printed), 'code=auth-code-1&state=forged');
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('state mismatch');
    // The forged callback was ignored: the login still answers the right state (here a denial).
    const state = new URL(printed).searchParams.get('state')!;
    await browserCallback(new URL(printed), `error=access_denied&state=${state}`);
    expect(await exit).toBe(1);
    expect(cli.stderr()).toBe('ccproxy: Sign-in was denied (access_denied)\n');
    expect(server.requests).toHaveLength(0);
    expect(existsSync(authFile)).toBe(false);
  });

  it('fails with exit code 1 when the user denies access', async () => {
    const server = await fake(() => ({ status: 500, body: {} }));
    const cli = codexCli(server, { browserOpens: false });
    const authFile = withCodexHome(cli);

    const exit = cli.run(['auth', 'login', 'codex']);
    const [printed] = await cli.waitForOutput(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
    await cli.waitForOutput(/Could not open a browser/);
    const state = new URL(printed).searchParams.get('state')!;
    await browserCallback(
      new URL(printed),
      `error=access_denied&error_description=User+declined&state=${state}`,
    );
    expect(await exit).toBe(1);
    expect(cli.stderr()).toBe('ccproxy: Sign-in was denied (access_denied: User declined)\n');
    expect(server.requests).toHaveLength(0);
    expect(existsSync(authFile)).toBe(false);
  });

  it('fails with exit code 1 when the token endpoint refuses the code', async () => {
    const server = await fake(() => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Code expired' },
    }));
    const cli = codexCli(server);
    withCodexHome(cli);
    const exit = cli.run(['auth', 'login', 'codex', '--no-browser']);
    const [printed] = await cli.waitForOutput(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
    const state = new URL(printed).searchParams.get('state')!;
    await browserCallback(new URL(printed), `code=c&state=${state}`);
    expect(await exit).toBe(1);
    expect(cli.stderr()).toBe(
      'ccproxy: The Codex token endpoint refused the sign-in (HTTP 400: invalid_grant: Code expired)\n',
    );
  });
});

describe('ccproxy auth login claude', () => {
  const NOW = Date.UTC(2026, 0, 1);
  const tokenReply = {
    token_type: 'Bearer',
    access_token: 'sk-ant-oat01-new-access-token-value',
    refresh_token: 'sk-ant-ort01-new-refresh-token-value',
    expires_in: 28_800,
    scope: 'user:inference user:profile',
    account: { uuid: 'u-1', email_address: 'me@example.com' },
  };

  function claudeCli(server: FakeUpstream, paste: (state: string) => string) {
    return createTestCli({
      now: () => NOW,
      env: {
        CCPROXY_CLAUDE_AUTHORIZE_URL: `${server.url}/oauth/authorize`,
        CCPROXY_CLAUDE_TOKEN_URL: `${server.url}/v1/oauth/token`,
      },
      answer: (_question, cli) => {
        const printed = cli.stdout().match(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
        return paste(new URL(printed![0]).searchParams.get('state')!);
      },
    });
  }

  it("exchanges a pasted CODE#STATE and updates Claude Code's file, keeping other keys", async () => {
    const server = await fake(() => ({ body: tokenReply }));
    const cli = claudeCli(server, (state) => ` claude-code-1#${state} \n`);
    const file = join(cli.home, '.claude', '.credentials.json');
    mkdirSync(join(cli.home, '.claude'));
    writeFileSync(
      file,
      JSON.stringify({
        mcpOAuth: { server: { accessToken: 'mcp-token' } },
        claudeAiOauth: {
          accessToken: 'old',
          refreshToken: 'old-r',
          expiresAt: 1,
          scopes: [],
          subscriptionType: 'max',
          rateLimitTier: 'default_claude_max_20x',
        },
      }),
      { mode: 0o644 },
    );

    expect(await cli.run(['auth', 'login', 'claude', '--store', 'claude', '--no-browser'])).toBe(0);

    const printed = cli.stdout().match(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/)![0];
    const url = new URL(printed);
    const state = url.searchParams.get('state')!;
    const challenge = url.searchParams.get('code_challenge')!;
    expect(Object.fromEntries(url.searchParams)).toEqual({
      code: 'true',
      client_id: CLAUDE_CLIENT_ID,
      response_type: 'code',
      redirect_uri: CLAUDE_REDIRECT_URI,
      scope: 'org:create_api_key user:profile user:inference',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    });
    expect(cli.questions).toEqual(['Code: ']);

    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.path).toBe('/v1/oauth/token');
    expect(request.headers['content-type']).toBe('application/json');
    const body = request.json as Record<string, string>;
    expect(body).toEqual({
      grant_type: 'authorization_code',
      code: 'claude-code-1',
      state,
      client_id: CLAUDE_CLIENT_ID,
      redirect_uri: CLAUDE_REDIRECT_URI,
      code_verifier: body.code_verifier,
    });
    expect(s256(body.code_verifier!)).toBe(challenge);

    expect(readJson(file)).toEqual({
      mcpOAuth: { server: { accessToken: 'mcp-token' } },
      claudeAiOauth: {
        accessToken: tokenReply.access_token,
        refreshToken: tokenReply.refresh_token,
        expiresAt: NOW + 28_800_000,
        scopes: ['user:inference', 'user:profile'],
        subscriptionType: 'max',
        rateLimitTier: 'default_claude_max_20x',
      },
    });
    expect(mode(file)).toBe(0o600);
    expect(cli.stdout()).toContain('Signed in to Claude as me@example.com.');
    expect(cli.stdout()).toContain(
      `Credentials saved to ${file} (access token valid until 2026-01-01T08:00:00.000Z).`,
    );
    expect(cli.stdout() + cli.stderr()).not.toContain('sk-ant-');
  });

  it("saves to ccproxy's own store by default", async () => {
    const server = await fake(() => ({ body: tokenReply }));
    const cli = claudeCli(server, (state) => `claude-code-2#${state}`);
    expect(await cli.run(['auth', 'login', 'claude', '--no-browser'])).toBe(0);
    const store = join(cli.dataDir, 'claude.json');
    expect(readJson(store)).toEqual({
      claudeAiOauth: {
        accessToken: tokenReply.access_token,
        refreshToken: tokenReply.refresh_token,
        expiresAt: NOW + 28_800_000,
        scopes: ['user:inference', 'user:profile'],
        subscriptionType: null,
      },
    });
    expect(mode(store)).toBe(0o600);
    expect(existsSync(join(cli.home, '.claude', '.credentials.json'))).toBe(false);
  });

  it('refuses a code pasted from another login attempt', async () => {
    const server = await fake(() => ({ body: tokenReply }));
    const cli = claudeCli(server, () => 'claude-code-1#some-other-state');
    expect(await cli.run(['auth', 'login', 'claude', '--no-browser'])).toBe(1);
    expect(cli.stderr()).toBe(
      'ccproxy: The pasted code belongs to another login attempt (state mismatch); run the login again and paste the code it shows\n',
    );
    expect(server.requests).toHaveLength(0);
    expect(existsSync(join(cli.dataDir, 'claude.json'))).toBe(false);
  });

  it('stops when nothing is pasted', async () => {
    const server = await fake(() => ({ body: tokenReply }));
    const cli = claudeCli(server, () => '');
    expect(await cli.run(['auth', 'login', 'claude', '--no-browser'])).toBe(1);
    expect(cli.stderr()).toBe('ccproxy: Sign-in cancelled: no code was entered\n');
  });

  it('reports a refused code in one line', async () => {
    const server = await fake(() => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid code' },
    }));
    const cli = claudeCli(server, (state) => `bad#${state}`);
    expect(await cli.run(['auth', 'login', 'claude', '--no-browser'])).toBe(1);
    expect(cli.stderr()).toBe(
      'ccproxy: The Claude token endpoint refused the code (HTTP 400: invalid_grant: Invalid code)\n',
    );
  });
});

describe('ccproxy auth login copilot', () => {
  function github(polls: Array<Record<string, unknown>>) {
    let poll = 0;
    return fake((request) => {
      if (request.path === '/login/device/code') {
        return {
          body: {
            device_code: 'device-code-1',
            user_code: 'WDJB-MJHT',
            verification_uri: 'https://github.example/login/device',
            expires_in: 900,
            interval: 5,
          },
        };
      }
      if (request.path === '/login/oauth/access_token') {
        return { body: polls[Math.min(poll++, polls.length - 1)] };
      }
      if (request.path === '/user') return { body: { login: 'octocat' } };
      return { status: 404, body: {} };
    });
  }

  function copilotCli(server: FakeUpstream) {
    return createTestCli({
      now: () => Date.UTC(2026, 0, 1),
      env: {
        CCPROXY_COPILOT_GITHUB_URL: server.url,
        CCPROXY_COPILOT_GITHUB_API_URL: server.url,
      },
    });
  }

  it('polls through authorization_pending and slow_down, then stores the token', async () => {
    const server = await github([
      { error: 'authorization_pending' },
      { error: 'slow_down', interval: 10 },
      { access_token: 'gho_stored_token_value_0000', token_type: 'bearer', scope: 'read:user' },
    ]);
    const cli = copilotCli(server);
    expect(await cli.run(['auth', 'login', 'copilot'])).toBe(0);

    expect(cli.stdout()).toContain(
      'To sign in to GitHub Copilot, open https://github.example/login/device and enter the code: WDJB-MJHT',
    );
    expect(cli.opened).toEqual(['https://github.example/login/device']);
    // The interval grows from 5 s to the 10 s the server asked for after slow_down.
    expect(cli.sleeps).toEqual([5000, 5000, 10_000]);
    const [start, ...polls] = server.requests;
    expect(form(start!)).toEqual({ client_id: 'Iv1.b507a08c87ecfe98', scope: 'read:user' });
    expect(polls.filter((r) => r.path === '/login/oauth/access_token')).toHaveLength(3);
    const user = server.requests.find((r) => r.path === '/user')!;
    expect(user.headers.authorization).toBe('token gho_stored_token_value_0000');

    const store = join(cli.dataDir, 'copilot.json');
    expect(readJson(store)).toEqual({
      github_token: 'gho_stored_token_value_0000',
      token_type: 'bearer',
      scope: 'read:user',
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect(mode(store)).toBe(0o600);
    expect(cli.stdout()).toContain('Signed in to GitHub as octocat.');
    expect(cli.stdout() + cli.stderr()).not.toContain('gho_');
  });

  it('fails with exit code 1 when the device code expires', async () => {
    const server = await github([{ error: 'authorization_pending' }, { error: 'expired_token' }]);
    const cli = copilotCli(server);
    expect(await cli.run(['auth', 'login', 'copilot', '--no-browser'])).toBe(1);
    expect(cli.opened).toEqual([]);
    expect(cli.stderr()).toBe(
      'ccproxy: The device code expired before the sign-in was approved; run the login again\n',
    );
    expect(existsSync(join(cli.dataDir, 'copilot.json'))).toBe(false);
  });

  it('fails with exit code 1 when the user denies access', async () => {
    const server = await github([{ error: 'access_denied' }]);
    const cli = copilotCli(server);
    expect(await cli.run(['auth', 'login', 'copilot', '--no-browser'])).toBe(1);
    expect(cli.stderr()).toBe(
      'ccproxy: Sign-in was denied: the GitHub authorization was refused\n',
    );
    expect(existsSync(join(cli.dataDir, 'copilot.json'))).toBe(false);
  });

  it('fails with exit code 1 when GitHub cannot be reached, naming the cause', async () => {
    const server = await github([]);
    const cli = copilotCli(server);
    await server.close();
    upstream = undefined;
    expect(await cli.run(['auth', 'login', 'copilot', '--no-browser'])).toBe(1);
    expect(cli.stderr()).toMatch(
      /^ccproxy: Request to the GitHub device-code endpoint \(127\.0\.0\.1:\d+\) failed: connection refused \(ECONNREFUSED\)\n$/,
    );
  });
  it('names a DNS failure as the cause', async () => {
    const cli = createTestCli({
      now: () => Date.UTC(2026, 0, 1),
      env: { CCPROXY_COPILOT_GITHUB_URL: 'http://no-such-host.invalid' },
    });
    expect(await cli.run(['auth', 'login', 'copilot', '--no-browser'])).toBe(1);
    expect(cli.stderr()).toMatch(
      /^ccproxy: Request to the GitHub device-code endpoint \(no-such-host\.invalid\) failed: DNS lookup failed \((ENOTFOUND|EAI_AGAIN)\)\n$/,
    );
  });
});

describe('ccproxy auth login usage', () => {
  it('exits with 2 for an unknown provider or a misplaced --store', async () => {
    const cli = createTestCli();
    expect(await cli.run(['auth', 'login', 'gemini'])).toBe(2);
    expect(cli.stderr()).toContain("'gemini' is invalid");
    const other = createTestCli();
    expect(await other.run(['auth', 'login', 'codex', '--store', 'claude'])).toBe(2);
    expect(other.stderr()).toBe('ccproxy: --store applies to "claude" only\n');
  });
});
