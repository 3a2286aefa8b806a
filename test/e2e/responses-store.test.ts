/**
 * Stateful Responses over stateless upstreams, end to end: the official openai SDK sends
 * `item_reference` items (as the Vercel AI SDK does) and `previous_response_id`; the fake Codex
 * backend (store:false, ids unresolvable) must receive the expanded items.
 */
import OpenAI from 'openai';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeAnthropicApi } from '../helpers/fake-anthropic.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes, loadFixtureJson } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { openaiClient } from '../helpers/sdk-clients.js';
import { shareCodexServers } from '../helpers/servers.js';

type Item = Record<string, unknown>;

const RS_ID = 'rs_4a5b6c7d8e9f00112233445566778899aabbccdd';
const MSG_ID = 'msg_5b6c7d8e9f00112233445566778899aabbccddee';
const ANSWER = 'High tide in Monterey is at 06:42 (1.6 m).';

const shared = shareCodexServers();
let openai: OpenAI;

/** The first turn answers with reasoning and a message; later turns with plain text. */
function codexTranscripts() {
  let turn = 0;
  return fakeCodexBackend({
    transcript: () =>
      loadFixtureBytes('openai-responses', turn++ === 0 ? 'reasoning.sse' : 'text.sse'),
  });
}

const codexRequests = () =>
  shared.upstream.requests.filter((r) => r.path === '/backend-api/codex/responses');
const sentInput = (index: number) => (codexRequests()[index]!.json as { input: Item[] }).input;

beforeAll(() => {
  openai = openaiClient(`${shared.proxy.url}/codex/v1`);
});

describe('item_reference over the Codex backend', () => {
  it('expands message and reasoning references of a streamed first turn', async () => {
    shared.upstream.handle(codexTranscripts());
    const first = await openai.responses
      .stream({ model: 'gpt-5.1-codex', input: 'When is high tide in Monterey?' })
      .finalResponse();
    expect(first.output.map((item) => item.id)).toEqual([RS_ID, MSG_ID]);

    // The second turn as the Vercel AI SDK sends it when `store` is left unset.
    const second = await openai.responses.create({
      model: 'gpt-5.1-codex',
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'When is high tide in Monterey?' }] },
        { type: 'item_reference', id: RS_ID },
        { type: 'item_reference', id: MSG_ID },
        { role: 'user', content: [{ type: 'input_text', text: 'And low tide?' }] },
      ],
    });
    expect(second.status).toBe('completed');

    const sent = codexRequests()[1]!.json as Record<string, unknown>;
    expect(sent.store).toBe(false);
    expect(sent).not.toHaveProperty('previous_response_id');
    const input = sent.input as Item[];
    expect(input.map((item) => (item.type === 'reasoning' ? 'reasoning' : item.role))).toEqual([
      'user',
      'reasoning',
      'assistant',
      'user',
    ]);
    expect(input.some((item) => item.type === 'item_reference')).toBe(false);
    expect(input[1]).toMatchObject({
      type: 'reasoning',
      encrypted_content: 'gAAAAABpQ2-done-3Jx9vKQ8mZtR1yW5cN0bE7fA4hL6uS2dP==',
    });
    expect(input[2]).toMatchObject({
      role: 'assistant',
      content: [expect.objectContaining({ type: 'output_text', text: ANSWER })],
    });
    expect(input[3]).toMatchObject({ role: 'user' });
  });

  it('answers 400 naming an unknown item id, without calling the upstream', async () => {
    shared.upstream.handle(codexTranscripts());
    const error = await openai.responses
      .create({
        model: 'gpt-5.1-codex',
        input: [
          { role: 'user', content: 'Hi' },
          { role: 'user', content: 'Again' },
          { type: 'item_reference', id: 'rs_0000' },
          { type: 'item_reference', id: 'msg_never_served' },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.param).toBe('input[2].id');
    expect(bad.message).toContain("'rs_0000'");
    expect(codexRequests()).toHaveLength(0);
  });
});

describe('previous_response_id over the Codex backend', () => {
  it('sends the previous input and output, then the new input, and no previous_response_id', async () => {
    shared.upstream.handle(codexTranscripts());
    const first = await openai.responses.create({
      model: 'gpt-5.1-codex',
      instructions: 'Answer briefly.',
      input: 'When is high tide in Monterey?',
    });
    const second = await openai.responses.create({
      model: 'gpt-5.1-codex',
      previous_response_id: first.id,
      input: 'And low tide?',
    });
    const third = await openai.responses
      .stream({ model: 'gpt-5.1-codex', previous_response_id: second.id, input: 'Thanks!' })
      .finalResponse();
    expect(third.status).toBe('completed');

    for (const request of codexRequests()) {
      expect(request.json).not.toHaveProperty('previous_response_id');
      expect((request.json as Item).store).toBe(false);
    }
    const texts = (input: Item[]) =>
      input.map((item) => {
        if (item.type === 'reasoning') return 'reasoning';
        const content = item.content as Array<{ text?: string }>;
        return `${String(item.role)}: ${content.map((part) => part.text).join('')}`;
      });
    const secondAnswer = second.output_text;
    expect(texts(sentInput(1))).toEqual([
      'user: When is high tide in Monterey?',
      'reasoning',
      `assistant: ${ANSWER}`,
      'user: And low tide?',
    ]);
    expect(texts(sentInput(2))).toEqual([
      'user: When is high tide in Monterey?',
      'reasoning',
      `assistant: ${ANSWER}`,
      'user: And low tide?',
      `assistant: ${secondAnswer}`,
      'user: Thanks!',
    ]);
    // Instructions are the request's own, never inherited (as the Responses API does).
    expect((codexRequests()[2]!.json as Item).instructions).not.toContain('Answer briefly.');
  });

  it('answers 400 naming an unknown previous_response_id', async () => {
    shared.upstream.handle(codexTranscripts());
    const error = (await openai.responses
      .create({ model: 'gpt-5.1-codex', previous_response_id: 'resp_unknown123', input: 'x' })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('previous_response_id');
    expect(error.message).toContain("'resp_unknown123'");
    expect(codexRequests()).toHaveLength(0);
  });
});

describe('GET and DELETE /v1/responses/{id}', () => {
  it('retrieves a served response, deletes it, then answers 404 in the Responses format', async () => {
    shared.upstream.handle(codexTranscripts());
    const served = await openai.responses.create({ model: 'gpt-5.1-codex', input: 'Tides?' });
    const retrieved = await openai.responses.retrieve(served.id);
    expect(retrieved).toEqual(served);

    const deleted = await fetch(`${shared.proxy.url}/codex/v1/responses/${served.id}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({
      id: served.id,
      object: 'response.deleted',
      deleted: true,
    });

    const gone = (await openai.responses
      .retrieve(served.id)
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.NotFoundError>;
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    expect(gone.message).toContain(served.id);
    const again = await openai.responses.delete(served.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('keeps nothing for a request with store:false', async () => {
    shared.upstream.handle(codexTranscripts());
    const served = await openai.responses.create({
      model: 'gpt-5.1-codex',
      input: 'Tides?',
      store: false,
    });
    const missing = await openai.responses.retrieve(served.id).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('other providers and settings', () => {
  let local: { upstream: FakeUpstream; proxy: TestProxy } | undefined;
  afterEach(async () => {
    await local?.proxy.close();
    await local?.upstream.close();
    local = undefined;
  });

  it('expands references toward a Claude upstream (ids made by the proxy)', async () => {
    const claude = await startFakeUpstream(
      fakeAnthropicApi({ transcript: 'text', auth: { mode: 'api-key', key: 'k' } }),
    );
    const running = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: claude.url, ANTHROPIC_API_KEY: 'k' },
    });
    local = { upstream: claude, proxy: running };
    const client = openaiClient(`${running.url}/claude/v1`);
    const first = await client.responses
      .stream({ model: 'claude-sonnet-4-6', input: 'Tides?' })
      .finalResponse();
    const message = first.output.find((item) => item.type === 'message');
    expect(message?.id).toMatch(/^msg_/);
    await client.responses.create({
      model: 'claude-sonnet-4-6',
      input: [
        { role: 'user', content: 'Tides?' },
        { type: 'item_reference', id: message!.id! },
        { role: 'user', content: 'And tomorrow?' },
      ],
    });
    const sent = claude.requests.filter((r) => r.path === '/v1/messages')[1]!.json as {
      messages: Array<{ role: string; content: unknown }>;
    };
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent.messages[1]!.content).toEqual([{ type: 'text', text: first.output_text }]);
  });

  it('continues a tool loop with previous_response_id toward a Chat Completions API', async () => {
    const chat = await startFakeUpstream((request) =>
      request.path === '/v1/chat/completions'
        ? { body: loadFixtureJson('openai-chat', 'text-then-tools.expected.json') }
        : { status: 404, body: {} },
    );
    const running = await startProxy({
      config: { providers: { local: { base_url: `${chat.url}/v1` } } },
    });
    local = { upstream: chat, proxy: running };
    const client = openaiClient(`${running.url}/local/v1`);
    const first = await client.responses.create({
      model: 'gpt-4o',
      input: 'Weather in Paris tomorrow?',
      tools: [{ type: 'function', name: 'search_web', parameters: {}, strict: false }],
    });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ name: 'search_web' });
    await client.responses.create({
      model: 'gpt-4o',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call!.call_id, output: 'Sunny, 24 °C' }],
    });
    const sent = chat.requests[1]!.json as {
      messages: Array<{
        role: string;
        content?: unknown;
        tool_calls?: unknown[];
        tool_call_id?: string;
      }>;
    };
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(sent.messages[1]!.tool_calls).toEqual([
      expect.objectContaining({
        id: call!.call_id,
        function: expect.objectContaining({ name: 'search_web' }),
      }),
    ]);
    expect(sent.messages[2]).toMatchObject({
      tool_call_id: call!.call_id,
      content: 'Sunny, 24 °C',
    });
  });

  it('leaves unknown ids to an OpenAI Responses API that keeps responses itself', async () => {
    const api = await startFakeUpstream((request) => {
      if (request.path !== '/v1/responses') return { status: 404, body: {} };
      return {
        headers: { 'content-type': 'text/event-stream' },
        sse: { bytes: loadFixtureBytes('openai-responses', 'text.sse'), seed: 2 },
      };
    });
    const running = await startProxy({
      config: { providers: { openai: { base_url: `${api.url}/v1`, format: 'openai-responses' } } },
    });
    local = { upstream: api, proxy: running };
    await openaiClient(`${running.url}/openai/v1`).responses.create({
      model: 'gpt-5.1',
      previous_response_id: 'resp_kept_upstream',
      input: [{ type: 'item_reference', id: 'msg_kept_upstream' }],
    });
    expect(api.requests[0]!.json).toMatchObject({
      previous_response_id: 'resp_kept_upstream',
      input: [{ type: 'item_reference', id: 'msg_kept_upstream' }],
    });
  });

  it('with [responses_store] enabled = false, a reference is a 400 that says the store is off', async () => {
    const codex = await startFakeUpstream(codexTranscripts());
    const running = await startProxy({
      config: { responses_store: { enabled: false } },
      env: {
        CODEX_HOME: shared.home.dir,
        CCPROXY_CODEX_BASE_URL: `${codex.url}/backend-api/codex`,
      },
    });
    local = { upstream: codex, proxy: running };
    const client = openaiClient(`${running.url}/codex/v1`);
    const served = await client.responses.create({ model: 'gpt-5.1-codex', input: 'Tides?' });
    const error = (await client.responses
      .create({ model: 'gpt-5.1-codex', previous_response_id: served.id, input: 'x' })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.BadRequestError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain('enabled = false');
  });
});
