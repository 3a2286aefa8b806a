/**
 * `/<provider>/v1/models` end to end: the upstream's own list (Codex `GET /models?client_version=`,
 * Anthropic `GET /v1/models` page by page), cached for `[models] cache_ttl_seconds` on an
 * injected clock, and the built-in list when the upstream cannot give one.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLAUDE_MODELS } from '../../src/providers/claude/models.js';
import { CODEX_CLIENT_VERSION, DEFAULT_CODEX_MODELS } from '../../src/providers/codex/models.js';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { type FakeReply, startFakeUpstream } from '../helpers/fake-upstream.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';
import { closeServersAfterEach } from '../helpers/servers.js';

const servers = closeServersAfterEach();

/** A clock the test moves by hand. */
function manualClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const CODEX_LIST = {
  models: [
    { slug: 'gpt-9-mini', display_name: 'GPT-9 mini', visibility: 'list', priority: 5 },
    { slug: 'gpt-9-internal', display_name: 'internal', visibility: 'hide', priority: 0 },
    { slug: 'gpt-9', display_name: 'GPT-9', visibility: 'list', priority: 1 },
  ],
};

async function codexSetup(reply: () => FakeReply) {
  servers.upstream = await startFakeUpstream((request) =>
    request.path.startsWith('/backend-api/codex/models') ? reply() : { status: 404, body: {} },
  );
  const home = createCodexHome({ accessToken: accessToken('valid', 3600) });
  const clock = manualClock();
  servers.proxy = await startProxy({
    clock: clock.now,
    config: { models: { cache_ttl_seconds: 60 } },
    env: {
      CODEX_HOME: home.dir,
      CCPROXY_CODEX_BASE_URL: `${servers.upstream.url}/backend-api/codex`,
    },
  });
  return { fake: servers.upstream, running: servers.proxy, clock };
}

const warnings = (running: TestProxy) =>
  running.logs().filter((line) => String(line.msg).includes('model list unavailable'));

describe('/codex/v1/models', () => {
  it('lists the backend’s models in its order, without hidden ones, for both dialects', async () => {
    const { fake, running } = await codexSetup(() => ({ body: CODEX_LIST }));
    const models = await openaiClient(`${running.url}/codex/v1`).models.list();
    expect(models.data.map((model) => model.id)).toEqual(['gpt-9', 'gpt-9-mini']);
    const anthropic = await anthropicClient(`${running.url}/codex`).models.list();
    expect(anthropic.data.map((model) => [model.id, model.display_name])).toEqual([
      ['gpt-9', 'GPT-9'],
      ['gpt-9-mini', 'GPT-9 mini'],
    ]);
    const asked = fake.requests[0]!;
    expect(asked.method).toBe('GET');
    expect(asked.path).toBe(`/backend-api/codex/models?client_version=${CODEX_CLIENT_VERSION}`);
    expect(asked.headers.authorization).toMatch(/^Bearer /);
    expect(asked.headers['chatgpt-account-id']).toBeTruthy();
  });

  it('reuses the list until the TTL passes on the clock', async () => {
    const { fake, running, clock } = await codexSetup(() => ({ body: CODEX_LIST }));
    const client = openaiClient(`${running.url}/codex/v1`);
    await client.models.list();
    clock.advance(59_000);
    await client.models.list();
    expect(fake.requests).toHaveLength(1);
    clock.advance(2_000);
    await client.models.list();
    expect(fake.requests).toHaveLength(2);
  });

  it('serves the built-in list when the backend fails, and says so in a warning', async () => {
    const { running } = await codexSetup(() => ({ status: 503, body: { detail: 'down' } }));
    const models = await openaiClient(`${running.url}/codex/v1`).models.list();
    expect(models.data.map((model) => model.id)).toEqual(DEFAULT_CODEX_MODELS.map((m) => m.id));
    expect(warnings(running)).toHaveLength(1);
  });

  it('serves the last list the backend gave when it fails after the TTL', async () => {
    let up = true;
    const { fake, running, clock } = await codexSetup(() =>
      up ? { body: CODEX_LIST } : { status: 500, body: {} },
    );
    const client = openaiClient(`${running.url}/codex/v1`);
    await client.models.list();
    up = false;
    clock.advance(61_000);
    const models = await client.models.list();
    expect(fake.requests).toHaveLength(2);
    expect(models.data.map((model) => model.id)).toEqual(['gpt-9', 'gpt-9-mini']);
    expect(warnings(running)).toHaveLength(1);
  });

  it('a configured models_endpoint wins and the backend is not asked', async () => {
    servers.upstream = await startFakeUpstream(() => ({ body: CODEX_LIST }));
    const home = createCodexHome({ accessToken: accessToken('valid', 3600) });
    servers.proxy = await startProxy({
      config: { plugins: { codex: { models_endpoint: [{ id: 'my-model' }] } } },
      env: {
        CODEX_HOME: home.dir,
        CCPROXY_CODEX_BASE_URL: `${servers.upstream.url}/backend-api/codex`,
      },
    });
    const models = await openaiClient(`${servers.proxy.url}/codex/v1`).models.list();
    expect(models.data.map((model) => model.id)).toEqual(['my-model']);
    expect(servers.upstream.requests).toHaveLength(0);
  });
});

describe('/claude/v1/models', () => {
  const page = (ids: string[], hasMore: boolean) => ({
    data: ids.map((id) => ({
      type: 'model',
      id,
      display_name: id.toUpperCase(),
      created_at: '2026-10-01T00:00:00Z',
    })),
    has_more: hasMore,
    first_id: ids[0],
    last_id: ids.at(-1),
  });

  async function claudeSetup(reply: (path: string) => FakeReply) {
    servers.upstream = await startFakeUpstream((request) => {
      if (
        request.headers['x-api-key'] !== 'k' ||
        request.headers['anthropic-version'] !== '2023-06-01'
      )
        return { status: 401, body: { type: 'error', error: { type: 'authentication_error' } } };
      return reply(request.path);
    });
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    return { fake: servers.upstream, running: servers.proxy };
  }

  it('reads every page of the API’s list', async () => {
    const { fake, running } = await claudeSetup((path) =>
      path.includes('after_id=claude-b')
        ? { body: page(['claude-c'], false) }
        : { body: page(['claude-a', 'claude-b'], true) },
    );
    const anthropic = await anthropicClient(`${running.url}/claude`).models.list();
    expect(anthropic.data.map((model) => model.id)).toEqual(['claude-a', 'claude-b', 'claude-c']);
    expect(anthropic.data[0]).toMatchObject({
      display_name: 'CLAUDE-A',
      created_at: '2026-10-01T00:00:00.000Z',
    });
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/v1/models?limit=1000',
      '/v1/models?limit=1000&after_id=claude-b',
    ]);
    const openai = await openaiClient(`${running.url}/claude/v1`).models.list();
    expect(openai.data.map((model) => model.id)).toEqual(['claude-a', 'claude-b', 'claude-c']);
  });

  it('serves the built-in list (current Claude models) when the API fails', async () => {
    const { running } = await claudeSetup(() => ({ status: 500, body: {} }));
    const models = await openaiClient(`${running.url}/claude/v1`).models.list();
    expect(models.data.map((model) => model.id)).toEqual(DEFAULT_CLAUDE_MODELS.map((m) => m.id));
    expect(models.data.map((model) => model.id)).toContain('claude-sonnet-4-6');
    expect(warnings(running)).toHaveLength(1);
  });
});

describe('[providers.NAME] /v1/models', () => {
  it('caches the API’s list and answers an error in the client’s format when there is none', async () => {
    let up = true;
    servers.upstream = await startFakeUpstream((request) =>
      request.path === '/v1/models' && up
        ? { body: { object: 'list', data: [{ id: 'local-model', owned_by: 'me' }] } }
        : { status: 500, body: { error: { message: 'down' } } },
    );
    const clock = manualClock();
    servers.proxy = await startProxy({
      clock: clock.now,
      config: { providers: { local: { base_url: `${servers.upstream.url}/v1` } } },
    });
    const client = openaiClient(`${servers.proxy.url}/local/v1`);
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['local-model']);
    up = false;
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['local-model']);
    expect(servers.upstream.requests).toHaveLength(1);

    const fresh = await startProxy({
      config: { providers: { local: { base_url: `${servers.upstream.url}/v1` } } },
    });
    try {
      const error = await openaiClient(`${fresh.url}/local/v1`)
        .models.list()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 502 });
    } finally {
      await fresh.close();
    }
  });
});
