/** The settings that point every built-in provider at the demo upstream, with throwaway credentials. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function unsignedJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.demo`;
}

/** The demo's settings and the throwaway credentials they point at. */
export interface DemoSettings {
  /** Settings in the TOML layout. */
  settings: Record<string, Record<string, unknown>>;
  /** The temporary Codex home holding the demo `auth.json`. */
  codexHome: string;
  /** Removes the temporary credentials (idempotent; also done when the process exits). */
  remove(): void;
}

/** Settings in the TOML layout, and the temporary Codex home they use. */
export function demoSettings(upstreamUrl: string): DemoSettings {
  const codexHome = mkdtempSync(join(tmpdir(), 'ccproxy-demo-'));
  const remove = () => {
    process.off('exit', remove);
    rmSync(codexHome, { recursive: true, force: true });
  };
  // Whatever way the process ends (a signal handled by `serve`, an error, a plain exit), the
  // demo's credentials do not outlive it.
  process.on('exit', remove);
  const claims = { sub: 'demo', exp: Math.floor(Date.now() / 1000) + 30 * 24 * 3600 };
  writeFileSync(
    join(codexHome, 'auth.json'),
    JSON.stringify({
      OPENAI_API_KEY: null,
      tokens: {
        access_token: unsignedJwt(claims),
        refresh_token: 'demo-refresh-token',
        id_token: unsignedJwt({ email: 'demo@example.com' }),
        account_id: 'demo-account',
      },
      last_refresh: new Date().toISOString(),
    }),
    { mode: 0o600 },
  );
  return {
    codexHome,
    remove,
    settings: {
      plugins: {
        codex: { base_url: `${upstreamUrl}/backend-api/codex`, codex_home: codexHome },
        claude_api: { base_url: upstreamUrl, api_key: 'demo-anthropic-key' },
        copilot: { github_token: 'demo-github-token', github_api_url: upstreamUrl },
      },
    },
  };
}
