/** The fake upstream and proxy an e2e test starts, closed after each test so none outlives it. */
import { afterEach } from 'vitest';
import type { FakeUpstream } from './fake-upstream.js';
import type { TestProxy } from './proxy.js';

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
