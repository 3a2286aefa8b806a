/**
 * The client suite's set-up: the real proxy on loopback with its Codex, Claude and Copilot
 * providers pointed at scripted fakes, isolated home directories, and a runner for the CLIs
 * installed in test/clients/node_modules.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { runProcess } from '../helpers/spawn-cli.js';
import {
  GITHUB_TOKEN,
  type Script,
  type Scripts,
  sayText,
  scriptedClaude,
  scriptedCodex,
  scriptedCopilot,
  type TurnView,
  type UpstreamApi,
  viewTurn,
} from './scripted-fakes.js';

/** test/clients, where the client package is installed. */
export const CLIENTS_DIR = dirname(fileURLToPath(import.meta.url));

/** Path of an installed client's bin (`claude`, `codex`). */
export function clientBin(name: string): string {
  return join(CLIENTS_DIR, 'node_modules', '.bin', name);
}

/** The proxy's access key: clients must present it. */
export const PROXY_KEY = 'ccproxy-client-suite-key-5c1d';
const CLAUDE_TOKEN = 'sk-ant-oat01-clientSuiteAccessToken';

/** A running proxy and its three fake upstreams. */
export interface Routes {
  proxy: TestProxy;
  codex: FakeUpstream;
  claude: FakeUpstream;
  copilot: FakeUpstream;
  scripts: Scripts;
  /** Sets the same script on every upstream. */
  script(script: Script): void;
  /** Forgets every recorded request. */
  reset(): void;
  /** Log lines at `error` or `fatal` since the last `reset` (an internal error, a crash). */
  errors(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Starts the fakes and the proxy with Codex, Claude (subscription) and Copilot accounts. */
export async function startRoutes(): Promise<Routes> {
  const scripts: Scripts = {
    codex: sayText('codex says hi'),
    claude: sayText('claude says hi'),
    copilot: sayText('copilot says hi'),
  };
  const codex = await startFakeUpstream(scriptedCodex(scripts));
  const claude = await startFakeUpstream(
    scriptedClaude(scripts, (token) => token === CLAUDE_TOKEN),
  );
  const copilot = await startFakeUpstream();
  copilot.handle(scriptedCopilot(scripts, () => copilot.url));
  const codexHome = createCodexHome({ accessToken: accessToken('client-suite', 3600) });
  const home = mkdtempSync(join(tmpdir(), 'ccproxy-clients-proxy-'));
  const credentials = join(home, '.credentials.json');
  writeFileSync(
    credentials,
    JSON.stringify({
      claudeAiOauth: {
        accessToken: CLAUDE_TOKEN,
        refreshToken: 'sk-ant-ort01-clientSuiteRefresh',
        expiresAt: Date.now() + 3_600_000,
        scopes: ['user:inference', 'user:profile'],
        subscriptionType: 'max',
      },
    }),
    { mode: 0o600 },
  );
  const proxy = await startProxy({
    home,
    logLevel: 'info',
    env: {
      HOME: home,
      CODEX_HOME: codexHome.dir,
      CCPROXY_CODEX_BASE_URL: `${codex.url}/backend-api/codex`,
      CCPROXY_CODEX_TOKEN_URL: `${codex.url}/oauth/token`,
      CCPROXY_CLAUDE_BASE_URL: claude.url,
      CCPROXY_CLAUDE_TOKEN_URL: `${claude.url}/v1/oauth/token`,
      CCPROXY_CLAUDE_CREDENTIALS_FILE: credentials,
      GH_TOKEN: GITHUB_TOKEN,
      CCPROXY_COPILOT_GITHUB_API_URL: copilot.url,
      SECURITY__AUTH_TOKEN: PROXY_KEY,
    },
  });
  let seenLines = 0;
  return {
    proxy,
    codex,
    claude,
    copilot,
    scripts,
    script(script) {
      scripts.codex = script;
      scripts.claude = script;
      scripts.copilot = script;
    },
    reset() {
      codex.requests.length = 0;
      claude.requests.length = 0;
      copilot.requests.length = 0;
      seenLines = proxy.logs().length;
    },
    errors: () =>
      proxy
        .logs()
        .slice(seenLines)
        .filter((line) => line.level === 'error' || line.level === 'fatal'),
    async close() {
      await proxy.close();
      await Promise.all([codex.close(), claude.close(), copilot.close()]);
    },
  };
}

/**
 * The routes one test file shares: started before its first test, reset before each test, checked
 * after each for errors inside the proxy (whatever the client saw), closed after the last.
 */
export function shareRoutes(): Routes {
  // Filled by `beforeAll`, which vitest runs before any test reads it; its members are closures,
  // so copying them keeps them working.
  const routes = {} as Routes;
  beforeAll(async () => {
    Object.assign(routes, await startRoutes());
  });
  afterAll(async () => {
    await routes.close?.();
  });
  beforeEach(() => routes.reset());
  afterEach(() => expect(routes.errors()).toEqual([]));
  return routes;
}

/** The requests a fake received on `path` (its query left out): the model calls of a run. */
export const callsTo = (fake: FakeUpstream, path: string) =>
  fake.requests.filter((request) => request.path.split('?')[0] === path);

/** The second of exactly two model calls a fake received on `path`, read as `api` sees it. */
export function secondModelCall(fake: FakeUpstream, path: string, api: UpstreamApi): TurnView {
  const calls = callsTo(fake, path);
  expect(calls).toHaveLength(2);
  return viewTurn(api, calls[1]!.json as Record<string, unknown>);
}

/** A temporary HOME (with XDG dirs) and a working directory inside it. */
export interface Sandbox {
  home: string;
  cwd: string;
  env: Record<string, string>;
}

/** Creates an isolated HOME, XDG directories and a working directory. */
export function createSandbox(): Sandbox {
  const home = mkdtempSync(join(tmpdir(), 'ccproxy-client-home-'));
  const cwd = join(home, 'work');
  for (const dir of ['work', '.config', '.cache', '.local/share', '.local/state'])
    mkdirSync(join(home, dir), { recursive: true });
  return {
    home,
    cwd,
    env: {
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_DATA_HOME: join(home, '.local/share'),
      XDG_STATE_HOME: join(home, '.local/state'),
      TMPDIR: tmpdir(),
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      NO_COLOR: '1',
    },
  };
}

/** A finished client run. */
export interface ClientRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client bin to completion with only the given environment (plus PATH), stdin closed. */
export async function runClient(
  bin: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string; timeoutMs?: number },
): Promise<ClientRun> {
  // A hung client is killed and fails its test with what it printed.
  const run = await runProcess(bin, args, { ...options, timeoutMs: options.timeoutMs ?? 60_000 });
  return { code: run.code, stdout: run.stdout, stderr: run.stderr };
}
