/** `ccproxy config show` and `config generate-token`, run in-process. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestCli } from '../../../test/helpers/cli.js';
import { resolveConfig } from '../../config/resolve.js';

describe('ccproxy config', () => {
  it('shows every setting with its source, secrets redacted', async () => {
    const cli = createTestCli({
      env: {
        SERVER__PORT: '9001',
        SECURITY__AUTH_TOKEN: 'super-secret-access-key',
        OPENAI_KEY: 'sk-should-not-show',
      },
    });
    const file = join(cli.home, 'work', '.ccproxy.toml');
    writeFileSync(
      file,
      '[logging]\nlevel = "debug"\n\n[providers.router]\nbase_url = "http://127.0.0.1:1/v1"\napi_key = "sk-plain-text-key"\n',
    );
    expect(await cli.run(['config', 'show'])).toBe(0);
    const out = cli.stdout();
    expect(out).toContain(`# config file: ${file}`);
    expect(out).toMatch(/server\.port\s+= 9001 {2}# environment SERVER__PORT/);
    expect(out).toMatch(/server\.host\s+= "127\.0\.0\.1" {2}# default/);
    expect(out).toMatch(
      new RegExp(`logging\\.level\\s+= "debug"  # ${file.replace(/[.]/g, '\\.')}`),
    );
    expect(out).toMatch(/security\.auth_token\s+= "\[REDACTED\]"/);
    expect(out).toMatch(/providers\.router\.api_key\s+= "\[REDACTED\]"/);
    expect(out).not.toContain('super-secret-access-key');
    expect(out).not.toContain('sk-plain-text-key');

    const json = createTestCli({ env: { SERVER__PORT: '9001' } });
    expect(await json.run(['config', 'show', '--json'])).toBe(0);
    const parsed = JSON.parse(json.stdout()) as {
      settings: Array<{ key: string; value: unknown; source: string }>;
    };
    expect(parsed.settings.find((s) => s.key === 'server.port')).toEqual({
      key: 'server.port',
      value: 9001,
      source: 'environment SERVER__PORT',
    });
  });

  it('lists settings without a default that are not set, and every base URL', async () => {
    const cli = createTestCli({ env: { CCPROXY_CODEX_BASE_URL: 'http://127.0.0.1:1/codex' } });
    expect(await cli.run(['config', 'show'])).toBe(0);
    const out = cli.stdout();
    expect(out).toMatch(/^logging\.level\s+= \(unset\)$/m);
    expect(out).toMatch(/^plugins\.claude_api\.base_url\s+= \(unset\)$/m);
    expect(out).toMatch(/^plugins\.copilot\.base_url\s+= \(unset\)$/m);
    expect(out).toMatch(
      /^plugins\.codex\.base_url\s+= "http:\/\/127\.0\.0\.1:1\/codex" {2}# environment CCPROXY_CODEX_BASE_URL$/m,
    );

    const json = createTestCli({});
    expect(await json.run(['config', 'show', '--json'])).toBe(0);
    const parsed = JSON.parse(json.stdout()) as {
      settings: Array<{ key: string; value: unknown; source: string }>;
    };
    expect(parsed.settings.find((s) => s.key === 'logging.level')).toEqual({
      key: 'logging.level',
      value: null,
      source: 'not set',
    });
  });

  it('names a bad key and exits 2', async () => {
    const cli = createTestCli({ env: { SERVER__PORT: 'nope' } });
    expect(await cli.run(['config', 'show'])).toBe(2);
    expect(cli.stderr()).toContain('"server.port"');
  });

  it('generates strong random access keys', async () => {
    const keys = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const cli = createTestCli();
      expect(await cli.run(['config', 'generate-token'])).toBe(0);
      keys.add(cli.stdout().trim());
    }
    expect(keys.size).toBe(3);
    for (const key of keys) {
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // It meets the access-key rule (16 characters or more).
      expect(resolveConfig({ env: { SECURITY__AUTH_TOKEN: key } }).config.security.auth_token).toBe(
        key,
      );
    }
  });
});
