/** The proxy the browser tests look at: real server, fake upstreams for three providers. */
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { checkCodexRequest } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes, loadFixtureJson } from '../helpers/fixtures.js';
import { type StartProxyOptions, startProxy, type TestProxy } from '../helpers/proxy.js';

/** A model the fake Codex backend refuses with a 429 (its plan limit). */
export const FAILING_MODEL = 'gpt-5.1-codex-limited';

/** The message of that 429. */
export const LIMIT_MESSAGE = 'The usage limit has been reached for this plan';

/**
 * One fake upstream answering as the Codex backend (`/backend-api/codex/responses`), the
 * Anthropic API (`/v1/messages`) and an OpenAI-compatible API (`/api/v1/chat/completions`).
 */
export function startUpstreams(): Promise<FakeUpstream> {
  let count = 0;
  return startFakeUpstream((request) => {
    count += 1;
    if (request.path.startsWith('/backend-api/codex')) {
      const rejected = checkCodexRequest(request, (token) => token !== '');
      if (rejected) return rejected;
      if ((request.json as { model?: string }).model === FAILING_MODEL) {
        return {
          status: 429,
          headers: { 'retry-after': '1800' },
          body: { error: { type: 'usage_limit_reached', message: LIMIT_MESSAGE } },
        };
      }
      return {
        headers: { 'content-type': 'text/event-stream' },
        sse: { bytes: loadFixtureBytes('openai-responses', 'reasoning.sse'), seed: count },
      };
    }
    if (request.path === '/v1/messages') {
      return {
        headers: { 'content-type': 'text/event-stream' },
        sse: { bytes: loadFixtureBytes('anthropic-messages', 'cache-usage.sse'), seed: count },
      };
    }
    if (request.path === '/api/v1/chat/completions') {
      return (request.json as { stream?: boolean }).stream
        ? {
            headers: { 'content-type': 'text/event-stream' },
            sse: { bytes: loadFixtureBytes('openai-chat', 'text-then-tools.sse'), seed: count },
          }
        : { body: loadFixtureJson('openai-chat', 'text-then-tools.expected.json') };
    }
    return { status: 404, body: { error: { message: `no ${request.path}` } } };
  });
}

/** Starts the proxy against the fake upstreams (Codex, Claude with an API key, `openrouter`). */
export function startDashboardProxy(
  upstream: FakeUpstream,
  options: StartProxyOptions = {},
): Promise<TestProxy> {
  return startProxy({
    logLevel: 'info',
    ...options,
    config: {
      providers: {
        openrouter: { base_url: `${upstream.url}/api/v1`, api_key_env: 'OPENROUTER_API_KEY' },
      },
      ...options.config,
    },
    env: {
      CODEX_HOME: createCodexHome({ accessToken: accessToken('dashboard', 3 * 3600) }).dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
      CCPROXY_CLAUDE_BASE_URL: upstream.url,
      ANTHROPIC_API_KEY: 'sk-ant-api03-browser-test-key',
      OPENROUTER_API_KEY: 'sk-or-browser-test',
      ...options.env,
    },
  });
}
