/**
 * A request as Claude Code 2.1.197 sends it (system messages between turns, adaptive thinking,
 * `output_config.effort`, `context_management`, the billing block, its beta list), through the
 * real server on every provider route, read back by the official Anthropic SDK.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it, vi } from 'vitest';
import { formats } from '../../src/formats/index.js';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeAnthropicApi, MID_CONVERSATION_SYSTEM_BETA } from '../helpers/fake-anthropic.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type RecordedRequest, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes, loadFixtureJson } from '../helpers/fixtures.js';
import { startProxy } from '../helpers/proxy.js';
import { anthropicClient } from '../helpers/sdk-clients.js';
import { closeServersAfterEach } from '../helpers/servers.js';

/** The betas Claude Code 2.1.197 sends, in its order. */
const BETAS = [
  'claude-code-20250219',
  'interleaved-thinking-2025-05-14',
  'thinking-token-count-2026-05-13',
  'context-management-2025-06-27',
  'prompt-caching-scope-2026-01-05',
  MID_CONVERSATION_SYSTEM_BETA,
  'effort-2025-11-24',
];

type Body = Record<string, unknown>;
const claudeCode = (): Body =>
  loadFixtureJson('anthropic-messages', 'request-claude-code-2.1.197.json');

const servers = closeServersAfterEach();

/** Sends the request the way Claude Code does (`beta.messages` with its betas) and reads it. */
async function sendAsClaudeCode(baseURL: string, body: Body): Promise<Anthropic.Beta.BetaMessage> {
  const stream = anthropicClient(baseURL).beta.messages.stream({
    ...body,
    betas: BETAS,
  } as unknown as Anthropic.Beta.Messages.MessageCreateParamsStreaming);
  return stream.finalMessage();
}

function textOf(message: Anthropic.Beta.BetaMessage): string {
  return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

function expectInstructionsBetweenTurns(items: Body[], role: string): void {
  const instructions = items.filter((item) => item.role === 'system' || item.role === 'developer');
  expect(instructions.map((item) => item.role)).toEqual([role, role]);
  // At their places: after the first user turn, and after the first tool result.
  expect(items.indexOf(instructions[0] as Body)).toBe(1);
  expect(JSON.stringify(instructions[0])).toContain('opened the file');
  expect(JSON.stringify(instructions[1])).toContain('TodoWrite');
}

describe('Claude Code 2.1.197 on every route', () => {
  it('/claude forwards the body field for field, with its betas', async () => {
    servers.upstream = await startFakeUpstream(
      fakeAnthropicApi({ transcript: 'text', auth: { mode: 'api-key', key: 'k' } }),
    );
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    const body = claudeCode();
    const message = await sendAsClaudeCode(`${servers.proxy.url}/claude`, body);
    expect(textOf(message)).not.toBe('');
    const sent = servers.upstream.requests[0] as RecordedRequest;
    expect(sent.json).toEqual(body);
    expect(JSON.stringify(sent.json)).toBe(JSON.stringify(body));
    expect(String(sent.headers['anthropic-beta']).split(',')).toEqual(BETAS);
  });

  it('/claude sends a body it did not change upstream as the client wrote it, byte for byte', async () => {
    servers.upstream = await startFakeUpstream(
      fakeAnthropicApi({ transcript: 'text', auth: { mode: 'api-key', key: 'k' } }),
    );
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
      config: {
        plugins: {
          claude_api: { model_mappings: [{ match: 'alias-model', target: 'claude-sonnet-4-6' }] },
        },
      },
    });
    // Pretty-printed, with escapes JSON.stringify would not write: kept as they are.
    const written = JSON.stringify({ ...claudeCode(), stream: false }, null, 2).replace(
      'Claude Code',
      'Claude \\u0043ode \\u00e9',
    );
    const send = (text: string) =>
      fetch(`${servers.proxy!.url}/claude/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
        body: text,
      });
    expect((await send(written)).status).toBe(200);
    expect(servers.upstream.requests[0]?.body).toBe(written);
    // A mapped model is a change: that body is serialised again, with the upstream's model.
    const mapped = written.replace(/"model": "[^"]+"/, '"model": "alias-model"');
    expect((await send(mapped)).status).toBe(200);
    const sent = servers.upstream.requests[1] as RecordedRequest;
    expect(sent.body).not.toBe(mapped);
    expect(sent.json).toEqual({ ...(JSON.parse(mapped) as Body), model: 'claude-sonnet-4-6' });
  });

  it('/claude answers with a non-streamed body it did not change as the upstream wrote it', async () => {
    // Spaced, with escapes JSON.stringify would not write: kept only when the text is sent.
    const answer = JSON.stringify(
      loadFixtureJson('anthropic-messages', 'text.expected.json'),
      null,
      1,
    ).replace(/"text": "([^"]*)"/, '"text": "\\u0048i \\/ $1"');
    servers.upstream = await startFakeUpstream(() => ({
      headers: { 'content-type': 'application/json' },
      body: answer,
    }));
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    const response = await fetch(`${servers.proxy.url}/claude/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
      body: JSON.stringify({ ...claudeCode(), stream: false }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(answer);
  });

  it('/claude forwards the body without decoding it, streamed and not', async () => {
    servers.upstream = await startFakeUpstream(
      fakeAnthropicApi({ transcript: 'text', auth: { mode: 'api-key', key: 'k' } }),
    );
    servers.proxy = await startProxy({
      env: { CCPROXY_CLAUDE_BASE_URL: servers.upstream.url, ANTHROPIC_API_KEY: 'k' },
    });
    // The real decoder, watched (it still runs when called).
    const decode = vi.spyOn(formats['anthropic-messages'], 'decodeRequest');
    try {
      const message = await sendAsClaudeCode(`${servers.proxy.url}/claude`, claudeCode());
      expect(textOf(message)).not.toBe('');
      expect(decode).not.toHaveBeenCalled();
      // The same answer, not streamed: still nothing decoded on the same-format route.
      const client = anthropicClient(`${servers.proxy.url}/claude`);
      const body = claudeCode();
      await client.messages.create({ ...body, stream: false } as never);
      expect(decode).not.toHaveBeenCalled();
    } finally {
      decode.mockRestore();
    }
  });

  it('/claude on a Claude plan (OAuth) keeps the billing block first and the identity after it', async () => {
    servers.upstream = await startFakeUpstream(
      fakeAnthropicApi({
        transcript: 'text',
        auth: { mode: 'oauth', acceptToken: (token) => token === 'sk-ant-oat01-valid' },
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'ccproxy-claude-code-'));
    const credentials = join(dir, '.credentials.json');
    writeFileSync(
      credentials,
      JSON.stringify({
        claudeAiOauth: {
          accessToken: 'sk-ant-oat01-valid',
          refreshToken: 'sk-ant-ort01-refresh',
          expiresAt: Date.now() + 3_600_000,
          scopes: ['user:inference'],
          subscriptionType: 'max',
        },
      }),
      { mode: 0o600 },
    );
    servers.proxy = await startProxy({
      env: {
        CCPROXY_CLAUDE_BASE_URL: servers.upstream.url,
        CCPROXY_CLAUDE_CREDENTIALS_FILE: credentials,
      },
    });
    const body = claudeCode();
    const message = await sendAsClaudeCode(`${servers.proxy.url}/claude`, body);
    expect(textOf(message)).not.toBe('');
    const sent = servers.upstream.requests[0] as RecordedRequest;
    // Its identity block already follows the billing block: nothing to insert, nothing changed.
    expect(sent.json).toEqual(body);
    expect(String(sent.headers['anthropic-beta']).split(',')).toEqual([
      ...BETAS,
      'oauth-2025-04-20',
    ]);
  });

  it('/codex gets developer messages at their places, effort, and no Anthropic-only fields', async () => {
    servers.upstream = await startFakeUpstream(
      fakeCodexBackend({ transcript: loadFixtureBytes('openai-responses', 'text.sse') }),
    );
    const home = createCodexHome({ accessToken: accessToken('valid', 3600) });
    servers.proxy = await startProxy({
      env: {
        CODEX_HOME: home.dir,
        CCPROXY_CODEX_BASE_URL: `${servers.upstream.url}/backend-api/codex`,
        CCPROXY_CODEX_TOKEN_URL: `${servers.upstream.url}/oauth/token`,
      },
    });
    const message = await sendAsClaudeCode(`${servers.proxy.url}/codex`, {
      ...claudeCode(),
      model: 'gpt-5.1-codex',
    });
    expect(textOf(message)).not.toBe('');
    expect(message.stop_reason).toBe('end_turn');
    const sent = servers.upstream.requests[0]?.json as Body;
    const input = sent.input as Body[];
    // The fake backend answers 400 "System messages are not allowed" to any system item.
    expectInstructionsBetweenTurns(input, 'developer');
    expect(sent.instructions).toContain("You are Claude Code, Anthropic's official CLI");
    expect(JSON.stringify(sent)).not.toContain('x-anthropic-billing-header');
    expect(sent.reasoning).toEqual({ effort: 'high' });
    for (const key of ['context_management', 'output_config', 'thinking', 'metadata', 'system']) {
      expect(sent).not.toHaveProperty(key);
    }
    expect(input.filter((item) => item.type === 'function_call').map((item) => item.name)).toEqual([
      'Read',
      'Bash',
    ]);
    expect((sent.tools as Body[]).length).toBe(24);
    const dropped = servers.proxy
      .logs()
      .filter((line) => JSON.stringify(line.warnings ?? []).includes('context_management: '));
    expect(dropped.length).toBeGreaterThan(0);
  });

  it('/copilot gets system messages at their places and reasoning_effort on Chat', async () => {
    const token = 'tid=copilot-1;exp=soon';
    const fake = await startFakeUpstream((request) => {
      if (request.path === '/copilot_internal/v2/token') {
        return {
          body: {
            token,
            expires_at: Math.floor(Date.now() / 1000) + 1800,
            refresh_in: 1500,
            endpoints: { api: fake.url },
          },
        };
      }
      if (request.path === '/models') return { body: { data: [], object: 'list' } };
      if (request.path !== '/chat/completions') return { status: 404, body: {} };
      return {
        headers: { 'content-type': 'text/event-stream' },
        sse: { bytes: loadFixtureBytes('openai-chat', 'text.sse'), seed: 5 },
      };
    });
    servers.upstream = fake;
    servers.proxy = await startProxy({
      env: {
        GH_TOKEN: 'gho_githubTokenForTests0123456789',
        CCPROXY_COPILOT_GITHUB_API_URL: fake.url,
      },
    });
    const message = await sendAsClaudeCode(`${servers.proxy.url}/copilot`, {
      ...claudeCode(),
      model: 'gpt-4.1',
    });
    expect(textOf(message)).not.toBe('');
    const sent = fake.requests.find((request) => request.path === '/chat/completions')
      ?.json as Body;
    const messages = sent.messages as Body[];
    expect(messages[0]?.role).toBe('system');
    expect(String(messages[0]?.content)).not.toContain('x-anthropic-billing-header');
    // After the leading system prompt, the instructions keep their places between turns.
    expectInstructionsBetweenTurns(messages.slice(1), 'system');
    expect(sent.reasoning_effort).toBe('high');
    for (const key of ['context_management', 'output_config', 'thinking', 'metadata']) {
      expect(sent).not.toHaveProperty(key);
    }
  });
});
