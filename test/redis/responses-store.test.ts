/**
 * The Responses store on Redis: a conversation started on one replica continues on another
 * (`previous_response_id` and `item_reference` expanded from what the first one kept), and a
 * response deleted through one replica is gone for all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCli } from '../helpers/cli.js';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { startRedis, type TestRedis } from '../helpers/redis-server.js';
import { openaiClient } from '../helpers/sdk-clients.js';

type Item = Record<string, unknown>;
const RS_ID = 'rs_4a5b6c7d8e9f00112233445566778899aabbccdd';
const MSG_ID = 'msg_5b6c7d8e9f00112233445566778899aabbccddee';

let redis: TestRedis;
let upstream: FakeUpstream;
const replicas: TestProxy[] = [];

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startFakeUpstream();
  let turn = 0;
  upstream.handle(
    fakeCodexBackend({
      transcript: () =>
        loadFixtureBytes('openai-responses', turn++ === 0 ? 'reasoning.sse' : 'text.sse'),
    }),
  );
  const home = createCodexHome({ accessToken: accessToken('store', 3600) });
  const env = {
    STATE__BACKEND: 'redis',
    STATE__URL: redis.url,
    CODEX_HOME: home.dir,
    CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
  };
  const cli = createTestCli({ env });
  expect(await cli.run(['state', 'import'])).toBe(0);
  for (let index = 0; index < 2; index++) {
    const proxy = await startProxy({ env });
    await proxy.composed.sharedState?.ready(5000);
    replicas.push(proxy);
  }
});
afterAll(async () => {
  for (const proxy of replicas) await proxy.close();
  await upstream?.close();
  await redis?.close();
});

const codexRequests = () =>
  upstream.requests.filter((request) => request.path === '/backend-api/codex/responses');

describe('the Responses store on Redis', () => {
  it('continues a conversation on another replica, and deletes for all', async () => {
    const [first, second] = replicas as [TestProxy, TestProxy];
    const opening = await openaiClient(`${first.url}/codex/v1`)
      .responses.stream({ model: 'gpt-5.1-codex', input: 'When is high tide in Monterey?' })
      .finalResponse();
    expect(opening.output.map((item) => item.id)).toEqual([RS_ID, MSG_ID]);

    const next = await openaiClient(`${second.url}/codex/v1`).responses.create({
      model: 'gpt-5.1-codex',
      previous_response_id: opening.id,
      input: 'And low tide?',
    });
    expect(next.status).toBe('completed');
    const input = (codexRequests()[1]!.json as { input: Item[] }).input;
    expect(input.map((item) => (item.type === 'reasoning' ? 'reasoning' : item.role))).toEqual([
      'user',
      'reasoning',
      'assistant',
      'user',
    ]);

    // An item reference resolves on either replica too.
    await openaiClient(`${first.url}/codex/v1`).responses.create({
      model: 'gpt-5.1-codex',
      input: [
        { type: 'item_reference', id: MSG_ID },
        { role: 'user', content: [{ type: 'input_text', text: 'Thanks' }] },
      ],
    });
    expect((codexRequests()[2]!.json as { input: Item[] }).input[0]).toMatchObject({
      role: 'assistant',
    });

    const fetched = await fetch(`${second.url}/codex/v1/responses/${opening.id}`);
    expect(fetched.status).toBe(200);
    const deleted = await fetch(`${second.url}/codex/v1/responses/${opening.id}`, {
      method: 'DELETE',
    });
    expect(await deleted.json()).toMatchObject({ id: opening.id, deleted: true });
    expect((await fetch(`${first.url}/codex/v1/responses/${opening.id}`)).status).toBe(404);
    // The message item is still held by the later turns that repeated it.
    const again = await openaiClient(`${second.url}/codex/v1`).responses.create({
      model: 'gpt-5.1-codex',
      input: [{ type: 'item_reference', id: MSG_ID }],
    });
    expect(again.status).toBe('completed');
  });
});
