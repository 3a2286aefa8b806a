import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startServe } from '../helpers/spawn-cli.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

function isolatedEnv(): Record<string, string> {
  const home = mkdtempSync(join(tmpdir(), 'ccproxy-home-'));
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    CODEX_HOME: join(home, '.codex'),
  };
}

describe('ccproxy command line', () => {
  it('prints help and version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('serve');
    const serveHelp = await runCli(['serve', '--help']);
    expect(serveHelp.stdout).toContain('--enable-plugin');
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);
  });

  it('exits 2 with a usage message on a bad flag or value', async () => {
    const bad = await runCli(['serve', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--bogus'/);
    const badPort = await runCli(['serve', '--port', 'eighty'], isolatedEnv());
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port/);
  });

  it('names the bad key of a config file', async () => {
    const env = isolatedEnv();
    const file = join(env.HOME!, 'bad.toml');
    writeFileSync(file, '[server]\nport = "x"\n');
    const run = await runCli(['serve', '--config', file], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"server.port"');
    expect(run.stderr).toContain(file);
  });

  it.each([
    ['heap_growth_percent', '-5'],
    ['allocation_site_pretenuring', 'sometimes'],
  ])('names server.%s when the environment gives it a bad value', async (key, value) => {
    const run = await runCli(['serve', '--port', '0'], {
      ...isolatedEnv(),
      [`SERVER__${key.toUpperCase()}`]: value,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`"server.${key}"`);
  });

  it('refuses a non-loopback address without an access key', async () => {
    const run = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], isolatedEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Refusing to listen on 0\.0\.0\.0 without an access key/);
  });

  it('runs the original report command line, answers /health and stops cleanly on SIGTERM', async () => {
    const serve = await startServe(
      [
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--log-level',
        'info',
        '--enable-plugin',
        'codex',
        '--enable-plugin',
        'access_log',
        '--disable-plugin',
        'claude_sdk',
        '--disable-plugin',
        'claude_api',
        '--disable-plugin',
        'copilot',
      ],
      isolatedEnv(),
    );
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${serve.url}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', version: VERSION });
    expect(body.plugins).toEqual(expect.arrayContaining(['codex', 'access_log']));
    expect(body.plugins).not.toContain('copilot');
    expect(await serve.stop('SIGTERM')).toBe(0);
    expect(serve.stderr()).toContain('stopped');
  });
});
