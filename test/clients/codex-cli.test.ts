/**
 * The Codex CLI (pinned, `codex exec`) through the real proxy: a `model_providers` entry in a
 * temporary CODEX_HOME whose `base_url` is the proxy with `wire_api = "responses"`; a text turn
 * and a shell tool loop on /codex/v1, /claude/v1 and /copilot/v1.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ClientRun,
  callsTo,
  clientBin,
  createSandbox,
  PROXY_KEY,
  runClient,
  type Sandbox,
  secondModelCall,
  shareRoutes,
} from './harness.js';
import { callToolThenSay, sayText, type UpstreamApi, viewTurn } from './scripted-fakes.js';

const routes = shareRoutes();

/** Runs `codex exec <prompt>` with the proxy as its model provider; returns the last message. */
async function codexExec(
  sandbox: Sandbox,
  route: string,
  model: string | undefined,
  prompt: string,
  options: { resume?: boolean } = {},
): Promise<{ run: ClientRun; last: string }> {
  const codexHome = join(sandbox.home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(
    join(codexHome, 'config.toml'),
    [
      // Without a model, Codex uses its default (gpt-6.1-sol in 0.169), which sends its tools
      // in an `additional_tools` input item instead of `tools`.
      ...(model ? [`model = "${model}"`] : []),
      'model_provider = "ccproxy"',
      '',
      '[model_providers.ccproxy]',
      'name = "ccproxy"',
      `base_url = "${routes.proxy.url}/${route}/v1"`,
      'wire_api = "responses"',
      'env_key = "CCPROXY_API_KEY"',
      // One attempt: a rejected request must fail the test at once, not after retries.
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
      // Nothing but the proxy: no analytics from a test run.
      '[analytics]',
      'enabled = false',
      '',
    ].join('\n'),
  );
  const lastFile = join(sandbox.home, 'last-message.txt');
  const run = await runClient(
    clientBin('codex'),
    [
      'exec',
      '--skip-git-repo-check',
      // The tool loop runs `cat` in the sandbox's working directory; no OS sandbox in CI.
      '--dangerously-bypass-approvals-and-sandbox',
      '--output-last-message',
      lastFile,
      ...(options.resume ? ['resume', '--last'] : []),
      prompt,
    ],
    {
      cwd: sandbox.cwd,
      env: { ...sandbox.env, CODEX_HOME: codexHome, CCPROXY_API_KEY: PROXY_KEY },
    },
  );
  let last = '';
  try {
    last = readFileSync(lastFile, 'utf8');
    rmSync(lastFile);
  } catch {
    throw new Error(
      `codex wrote no last message (exit ${run.code}):\n${run.stdout}\n${run.stderr}`,
    );
  }
  return { run, last };
}

interface RouteCase {
  route: 'codex' | 'claude' | 'copilot';
  model: string | undefined;
  path: string;
  api: UpstreamApi;
}

const ROUTES: RouteCase[] = [
  {
    route: 'codex',
    model: 'gpt-5.1-codex',
    path: '/backend-api/codex/responses',
    api: 'openai-responses',
  },
  { route: 'claude', model: 'claude-sonnet-4-5', path: '/v1/messages', api: 'anthropic-messages' },
  { route: 'copilot', model: 'gpt-5.1', path: '/responses', api: 'openai-responses' },
  {
    route: 'codex',
    model: undefined,
    path: '/backend-api/codex/responses',
    api: 'openai-responses',
  },
  { route: 'claude', model: undefined, path: '/v1/messages', api: 'anthropic-messages' },
  { route: 'copilot', model: undefined, path: '/chat/completions', api: 'openai-chat' },
];

describe.each(ROUTES)('Codex CLI on /$route/v1 with $model', ({ route, model, path, api }) => {
  // Codex's default model takes its tools from `additional_tools`, in namespaces: the code-mode
  // `exec` (freeform JavaScript that calls the CLI's tools) in the default `functions` one.
  const viaExec = model === undefined;
  const execName = api === 'openai-responses' ? 'functions.exec' : 'exec';

  it('answers a text turn', async () => {
    routes.scripts[route] = sayText('Hello from the fake upstream.');
    const { run, last } = await codexExec(createSandbox(), route, model, 'Say hello.');
    expect(last.trim(), run.stderr).toBe('Hello from the fake upstream.');
    expect(run.code).toBe(0);
    const calls = callsTo(routes[route], path);
    expect(calls).toHaveLength(1);
    const turn = viewTurn(api, calls[0]!.json as Record<string, unknown>);
    expect(turn.userTexts.join('\n')).toContain('Say hello.');
    expect(turn.toolNames).toContain(viaExec ? execName : 'exec_command');
  });

  it('runs a tool loop: cat through a tool, then a final answer built from its output', async () => {
    const sandbox = createSandbox();
    writeFileSync(join(sandbox.cwd, 'tide.txt'), 'High tide at Brest: 14:05, 6.4 m\n');
    const final = (output: string) =>
      `The file says: ${/High tide[^\n\\]*/.exec(output)?.[0] ?? output}`;
    routes.scripts[route] = viaExec
      ? callToolThenSay(
          'exec',
          "const result = await tools.exec_command({ cmd: 'cat tide.txt' });\ntext(result.output);",
          final,
          api === 'openai-responses' ? 'functions' : undefined,
        )
      : callToolThenSay('exec_command', { cmd: 'cat tide.txt', workdir: sandbox.cwd }, final);
    const { run, last } = await codexExec(sandbox, route, model, 'What does tide.txt say?');
    expect(last.trim(), run.stderr).toBe('The file says: High tide at Brest: 14:05, 6.4 m');
    expect(run.code).toBe(0);
    const second = secondModelCall(routes[route], path, api);
    expect(second.callIds).toHaveLength(1);
    expect(second.resultIds).toEqual(second.callIds);
    expect(second.toolResults.join('')).toContain('High tide at Brest: 14:05, 6.4 m');
  });

  it('resumes the session for a second turn that carries the first answer', async () => {
    const sandbox = createSandbox();
    routes.scripts[route] = (turn) => ({
      text:
        turn.assistantTexts.length === 0
          ? 'High tide at 14:05.'
          : `You asked again; before, I said: ${turn.assistantTexts.at(-1)}`,
    });
    const first = await codexExec(sandbox, route, model, 'When is high tide?');
    expect(first.last.trim(), first.run.stderr).toBe('High tide at 14:05.');
    const second = await codexExec(sandbox, route, model, 'And low tide?', { resume: true });
    expect(second.last.trim(), second.run.stderr).toBe(
      'You asked again; before, I said: High tide at 14:05.',
    );
    const turn = secondModelCall(routes[route], path, api);
    expect(turn.userTexts.join('\n')).toContain('When is high tide?');
    expect(turn.userTexts.at(-1)).toContain('And low tide?');
  });
});

describe.each([
  { route: 'codex', path: '/backend-api/codex/responses', api: 'openai-responses' },
  { route: 'claude', path: '/v1/messages', api: 'anthropic-messages' },
  { route: 'copilot', path: '/responses', api: 'openai-responses' },
] as const)('Codex CLI apply_patch (a freeform tool) on /$route/v1', ({ route, path, api }) => {
  it('applies the patch the model sends and gets its result back', async () => {
    const sandbox = createSandbox();
    const patch = [
      '*** Begin Patch',
      '*** Add File: notes.txt',
      '+High tide at Brest: 14:05',
      '*** End Patch',
      '',
    ].join('\n');
    routes.scripts[route] = callToolThenSay('apply_patch', patch, (output) => `Patched: ${output}`);
    // gpt-5.5 (in the CLI's model catalog) declares apply_patch as a `custom` tool in `tools`.
    const { run, last } = await codexExec(sandbox, route, 'gpt-5.5', 'Write the tide down.');
    expect(readFileSync(join(sandbox.cwd, 'notes.txt'), 'utf8'), run.stderr).toBe(
      'High tide at Brest: 14:05\n',
    );
    expect(last).toMatch(/^Patched: .*notes\.txt/s);
    const calls = callsTo(routes[route], path);
    expect(calls).toHaveLength(2);
    const second = viewTurn(api, calls[1]!.json as Record<string, unknown>);
    expect(second.resultIds).toEqual(second.callIds);
    if (api === 'openai-responses') {
      // On a Responses upstream the call goes back as the custom call it was.
      const input = (calls[1]!.json as { input: Array<Record<string, unknown>> }).input;
      expect(input.filter((item) => item.type === 'custom_tool_call')).toEqual([
        expect.objectContaining({ name: 'apply_patch', input: patch }),
      ]);
    }
  });
});
