import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../../test/helpers/fake-upstream.js';
import type { CredentialStore } from '../../auth/credential-store.js';
import { ProxyError } from '../../errors.js';
import { scrubKnownSecrets } from '../../util/secrets.js';
import {
  copilotCredentialStatus,
  copilotStoreData,
  copilotStorePath,
  resolveCopilotGithubToken,
  writeCopilotStore,
} from './credentials.js';

let github: FakeUpstream | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

function store(): string {
  return copilotStorePath(mkdtempSync(join(tmpdir(), 'ccproxy-copilot-')));
}

describe('Copilot credentials', () => {
  it('prefers the github_token setting over the stored token', async () => {
    const storeFile = store();
    expect(await resolveCopilotGithubToken({ storeFile })).toBeUndefined();
    await writeCopilotStore(storeFile, { githubToken: 'gho_stored' });
    expect(await resolveCopilotGithubToken({ storeFile })).toEqual({
      token: 'gho_stored',
      source: storeFile,
      kind: 'store',
    });
    expect(
      await resolveCopilotGithubToken({
        storeFile,
        githubToken: 'gho_env',
        githubTokenSource: 'GH_TOKEN',
      }),
    ).toEqual({ token: 'gho_env', source: 'GH_TOKEN', kind: 'setting' });
  });

  it('names the GitHub login when GitHub answers, and marks a rejected token invalid', async () => {
    github = await startFakeUpstream((request) =>
      request.headers.authorization === 'token gho_good'
        ? { body: { login: 'octocat' } }
        : { status: 401, body: { message: 'Bad credentials' } },
    );
    const storeFile = store();
    const base = { storeFile, githubApiUrl: github.url, fetch };
    expect(await copilotCredentialStatus({ ...base, githubToken: 'gho_good' })).toEqual({
      state: 'present',
      source: 'plugins.copilot.github_token',
      account: 'octocat',
    });
    await writeCopilotStore(storeFile, { githubToken: 'gho_revoked' });
    expect(await copilotCredentialStatus(base)).toEqual({
      state: 'invalid',
      source: storeFile,
      detail: 'GitHub rejected the token',
    });
    expect(github.requests.map((r) => r.path)).toEqual(['/user', '/user']);
  });

  it('does not fail when GitHub is unreachable or the store is corrupt', async () => {
    const storeFile = store();
    await writeCopilotStore(storeFile, { githubToken: 'gho_x' });
    const status = await copilotCredentialStatus({
      storeFile,
      githubApiUrl: 'http://127.0.0.1:9',
      fetch,
      timeoutMs: 1000,
    });
    expect(status).toEqual({
      state: 'present',
      source: storeFile,
      detail: 'GitHub unreachable; token not checked',
    });
    writeFileSync(storeFile, 'nope');
    expect(
      await copilotCredentialStatus({ storeFile, githubApiUrl: 'http://127.0.0.1:9', fetch }),
    ).toEqual({ state: 'invalid', source: storeFile, detail: 'unreadable credentials file' });
  });

  it('lays out the stored login as copilot.json does', () => {
    expect(
      copilotStoreData({ githubToken: 'gho_a', scope: 'read:user' }, Date.UTC(2026, 0, 2)),
    ).toEqual({
      github_token: 'gho_a',
      token_type: 'bearer',
      scope: 'read:user',
      created_at: '2026-01-02T00:00:00.000Z',
    });
  });

  it('reads and writes the login through a credential store instead of the file', async () => {
    // An in-memory store, as the shared (Redis) one behaves for one account.
    let held: unknown;
    const shared: CredentialStore = {
      location: 'redis:ccproxy:cred:copilot:default',
      read: async () =>
        held === undefined ? undefined : { data: held, mtimeMs: 0, insecure: false },
      write: async (data) => {
        held = data;
      },
    };
    const storeFile = store();
    await writeCopilotStore(storeFile, { githubToken: 'gho_inTheLocalFileOnly0001' });
    expect(await resolveCopilotGithubToken({ storeFile, store: shared })).toBeUndefined();
    await writeCopilotStore(shared, { githubToken: 'gho_sharedLoginTokenValue0002' });
    expect(held).toMatchObject({ github_token: 'gho_sharedLoginTokenValue0002' });
    expect(await resolveCopilotGithubToken({ storeFile, store: shared })).toEqual({
      token: 'gho_sharedLoginTokenValue0002',
      source: 'redis:ccproxy:cred:copilot:default',
      kind: 'store',
    });
    // Known to the log redactor by value once read.
    expect(scrubKnownSecrets('token gho_sharedLoginTokenValue0002')).not.toContain(
      'gho_sharedLoginTokenValue0002',
    );
  });

  it('reports an unreachable shared store as such, not as a corrupt file', async () => {
    const down: CredentialStore = {
      location: 'redis:ccproxy:cred:copilot:default',
      read: async () => {
        throw new ProxyError('unavailable', 'Shared state (Redis) is unreachable; retry shortly', {
          status: 503,
        });
      },
      write: async () => {},
    };
    await expect(resolveCopilotGithubToken({ storeFile: store(), store: down })).rejects.toThrow(
      ProxyError,
    );
    expect(
      await copilotCredentialStatus({
        storeFile: store(),
        store: down,
        githubApiUrl: 'http://127.0.0.1:9',
        fetch,
      }),
    ).toEqual({
      state: 'invalid',
      source: 'redis:ccproxy:cred:copilot:default',
      detail: 'Shared state (Redis) is unreachable; retry shortly',
    });
  });
});
