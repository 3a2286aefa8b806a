/** The fake upstreams and proxies e2e tests start, closed when their test or file is done. */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { accessToken, type CodexHome, createCodexHome } from './codex-home.js';
import { type FakeHandler, type FakeUpstream, startFakeUpstream } from './fake-upstream.js';
import { startProxy, type TestProxy } from './proxy.js';

/** What a test has started; a test sets the fields it uses. */
export interface TestServers {
  upstream?: FakeUpstream;
  proxy?: TestProxy;
}

/**
 * Registers an `afterEach` that closes the proxy, then the upstream (so the proxy never sees its
 * upstream vanish mid-answer), and forgets both. Call once at the top of a test file.
 */
export function closeServersAfterEach(): TestServers {
  const servers: TestServers = {};
  afterEach(async () => {
    await servers.proxy?.close();
    await servers.upstream?.close();
    servers.proxy = undefined;
    servers.upstream = undefined;
  });
  return servers;
}

/** A fake Codex backend, a Codex home with a valid token and a proxy reaching both. */
export interface SharedCodexServers {
  upstream: FakeUpstream;
  home: CodexHome;
  proxy: TestProxy;
}

/**
 * Registers hooks that start one fake Codex backend (answering with `handler`, or what a test
 * sets) and a proxy on it for the current file or `describe`, forget the requests each test made
 * and close both at the end. The fields are set before the first test runs.
 */
export function shareCodexServers(handler?: FakeHandler): SharedCodexServers {
  // Filled by `beforeAll`, which vitest runs before any test reads a field.
  const shared = {} as SharedCodexServers;
  beforeAll(async () => {
    shared.upstream = await startFakeUpstream(handler);
    shared.home = createCodexHome({ accessToken: accessToken('valid', 3600) });
    shared.proxy = await startProxy({
      env: {
        CODEX_HOME: shared.home.dir,
        CCPROXY_CODEX_BASE_URL: `${shared.upstream.url}/backend-api/codex`,
        CCPROXY_CODEX_TOKEN_URL: `${shared.upstream.url}/oauth/token`,
      },
    });
  });
  afterAll(async () => {
    await shared.proxy.close();
    await shared.upstream.close();
  });
  afterEach(() => {
    shared.upstream.requests.length = 0;
  });
  return shared;
}
