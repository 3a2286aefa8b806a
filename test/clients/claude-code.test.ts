/**
 * Claude Code (pinned, print mode with `--output-format json`) through the real proxy on the
 * /codex, /claude and /copilot routes: a text turn and a Read tool loop, checked in Claude Code's
 * result and in what each fake upstream received.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anthropicClient } from '../helpers/sdk-clients.js';
import {
  type ClientRun,
  callsTo,
  clientBin,
  createSandbox,
  PROXY_KEY,
  runClient,
  secondModelCall,
  shareRoutes,
} from './harness.js';
import { callToolThenSay, sayText, type UpstreamApi, viewTurn } from './scripted-fakes.js';

const routes = shareRoutes();

interface ClaudeResult {
  type: string;
  subtype: string;
  is_error: boolean;
  result: string;
  num_turns: number;
  stop_reason: string | null;
}

/** Runs `claude -p <prompt> --output-format json` against `<proxy>/<route>`. */
async function claude(
  route: string,
  model: string | undefined,
  prompt: string,
  extra: string[] = [],
): Promise<{ run: ClientRun; result: ClaudeResult; cwd: string }> {
  const sandbox = createSandbox();
  return claudeIn(sandbox, route, model, prompt, extra);
}

async function claudeIn(
  sandbox: ReturnType<typeof createSandbox>,
  route: string,
  model: string | undefined,
  prompt: string,
  extra: string[],
): Promise<{ run: ClientRun; result: ClaudeResult; cwd: string }> {
  const run = await runClient(
    clientBin('claude'),
    ['-p', prompt, '--output-format', 'json', ...(model ? ['--model', model] : []), ...extra],
    {
      cwd: sandbox.cwd,
      env: {
        ...sandbox.env,
        ANTHROPIC_BASE_URL: `${routes.proxy.url}/${route}`,
        ANTHROPIC_API_KEY: PROXY_KEY,
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_ERROR_REPORTING: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        // One attempt: a rejected request must fail the test at once, not after retries.
        CLAUDE_CODE_MAX_RETRIES: '0',
      },
    },
  );
  let result: ClaudeResult;
  try {
    result = JSON.parse(run.stdout) as ClaudeResult;
  } catch {
    throw new Error(
      `claude printed no JSON result (exit ${run.code}):\n${run.stdout}\n${run.stderr}`,
    );
  }
  return { run, result, cwd: sandbox.cwd };
}

interface RouteCase {
  route: 'codex' | 'claude' | 'copilot';
  /** The `--model`; none for Claude Code's default (claude-opus-4-8 in 2.1.197). */
  model: string | undefined;
  /** The model the upstream must be asked for. */
  upstreamModel: RegExp;
  /** Where the fake receives the model call, and in which API. */
  path: string;
  api: UpstreamApi;
}

const ROUTES: RouteCase[] = [
  {
    route: 'codex',
    model: 'gpt-5.1-codex',
    upstreamModel: /^gpt-5\.1-codex$/,
    path: '/backend-api/codex/responses',
    api: 'openai-responses',
  },
  {
    route: 'claude',
    model: 'claude-sonnet-4-5',
    upstreamModel: /^claude-sonnet-4-5$/,
    path: '/v1/messages',
    api: 'anthropic-messages',
  },
  {
    route: 'copilot',
    model: 'claude-sonnet-4.5',
    upstreamModel: /^claude-sonnet-4\.5$/,
    path: '/v1/messages',
    api: 'anthropic-messages',
  },
  {
    route: 'copilot',
    model: 'gpt-4.1',
    upstreamModel: /^gpt-4\.1$/,
    path: '/chat/completions',
    api: 'openai-chat',
  },
  // Claude Code's default model: mapped to a Codex model on /codex, sent as it is elsewhere.
  {
    route: 'codex',
    model: undefined,
    upstreamModel: /^gpt-/,
    path: '/backend-api/codex/responses',
    api: 'openai-responses',
  },
  {
    route: 'claude',
    model: undefined,
    upstreamModel: /^claude-/,
    path: '/v1/messages',
    api: 'anthropic-messages',
  },
  {
    route: 'copilot',
    model: undefined,
    upstreamModel: /^claude-/,
    path: '/v1/messages',
    api: 'anthropic-messages',
  },
];

describe.each(ROUTES)(
  'Claude Code on /$route with $model',
  ({ route, model, upstreamModel, path, api }) => {
    it('answers a text turn', async () => {
      routes.scripts[route] = sayText('Hello from the fake upstream.');
      const { run, result } = await claude(route, model, 'Say hello.');
      expect(result, run.stderr).toMatchObject({
        type: 'result',
        subtype: 'success',
        is_error: false,
        result: 'Hello from the fake upstream.',
      });
      expect(run.code).toBe(0);
      const calls = callsTo(routes[route], path);
      expect(calls.length).toBeGreaterThanOrEqual(1);
      const turn = viewTurn(api, calls.at(-1)!.json as Record<string, unknown>);
      expect(turn.model).toMatch(upstreamModel);
      expect(turn.userTexts.join('\n')).toContain('Say hello.');
      // Claude Code declares its tools; they reach the upstream in its own format.
      expect(turn.toolNames).toEqual(expect.arrayContaining(['Read', 'Bash']));
    });

    it('runs a tool loop: Read on a file, then a final answer built from its content', async () => {
      const sandbox = createSandbox();
      const file = join(sandbox.cwd, 'tide.txt');
      writeFileSync(file, 'High tide at Brest: 14:05, 6.4 m\n');
      routes.scripts[route] = callToolThenSay(
        'Read',
        { file_path: file },
        (content) => `The file says: ${/High tide[^\n]*/.exec(content)?.[0] ?? content}`,
      );
      const { run, result } = await claudeIn(sandbox, route, model, 'What does tide.txt say?', [
        '--allowedTools',
        'Read',
      ]);
      expect(result, run.stderr).toMatchObject({
        subtype: 'success',
        is_error: false,
        result: 'The file says: High tide at Brest: 14:05, 6.4 m',
      });
      expect(result.num_turns).toBe(2);
      const second = secondModelCall(routes[route], path, api);
      // The fake's own check already refused an orphan result; the call and result pair up.
      expect(second.callIds).toHaveLength(1);
      expect(second.resultIds).toEqual(second.callIds);
      expect(second.toolResults.join('')).toContain('High tide at Brest: 14:05, 6.4 m');
    });

    it('continues the conversation for a second turn that carries the first answer', async () => {
      const sandbox = createSandbox();
      routes.scripts[route] = (turn) => ({
        text:
          turn.assistantTexts.length === 0
            ? 'High tide at 14:05.'
            : `Before, I said: ${turn.assistantTexts.at(-1)}`,
      });
      const first = await claudeIn(sandbox, route, model, 'When is high tide?', []);
      expect(first.result, first.run.stderr).toMatchObject({ result: 'High tide at 14:05.' });
      const second = await claudeIn(sandbox, route, model, 'And low tide?', ['--continue']);
      expect(second.result, second.run.stderr).toMatchObject({
        subtype: 'success',
        result: 'Before, I said: High tide at 14:05.',
      });
      const turn = secondModelCall(routes[route], path, api);
      expect(turn.userTexts.join('\n')).toContain('When is high tide?');
      expect(turn.userTexts.join('\n')).toContain('And low tide?');
    });
  },
);

describe.each(['codex', 'claude', 'copilot'] as const)('Claude Code side calls on /%s', (route) => {
  it('/context counts tokens through count_tokens', async () => {
    const { run, result } = await claude(route, 'claude-sonnet-4-5', '/context');
    expect(result, run.stderr).toMatchObject({ subtype: 'success', is_error: false });
    expect(result.result).toContain('Context Usage');
    // Claude Code falls back to an estimate when count_tokens fails: the access log tells.
    const counted = routes.proxy
      .logs()
      .map((line) => line.access as { route?: string; status?: number } | undefined)
      .filter((access) => access?.route === `/${route}/v1/messages/count_tokens`);
    expect(counted.length).toBeGreaterThan(0);
    expect(counted.map((access) => access!.status)).toEqual(counted.map(() => 200));
  });

  it('lists models in the Anthropic format', async () => {
    // Claude Code 2.1.197 ships the SDK's models.list() (GET /v1/models?beta=true) but keeps it
    // switched off; the official SDK reads the same list, pages and all.
    const ids: string[] = [];
    for await (const model of anthropicClient(
      `${routes.proxy.url}/${route}`,
      PROXY_KEY,
    ).models.list())
      ids.push(model.id);
    expect(ids.length).toBeGreaterThan(0);
  });
});
