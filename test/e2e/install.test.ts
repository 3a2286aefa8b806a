/** The README's install step: `npm link` puts a working `ccproxy` command on the PATH. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const prefix = mkdtempSync(join(tmpdir(), 'ccproxy-prefix-'));
afterAll(() => rmSync(prefix, { recursive: true, force: true }));

describe('npm link', () => {
  it('installs the ccproxy command, which then runs from any folder', async () => {
    // A throwaway global prefix, so the machine's own global folder is not touched.
    const env = { ...process.env, npm_config_prefix: prefix };
    await run('npm', ['link', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], {
      cwd: ROOT,
      env,
    });
    const elsewhere = mkdtempSync(join(tmpdir(), 'ccproxy-cwd-'));
    const { stdout } = await run('ccproxy', ['--version'], {
      cwd: elsewhere,
      env: { PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`, HOME: elsewhere },
    });
    expect(stdout.trim()).toBe(VERSION);
    const help = await run('ccproxy', ['config', '--help'], {
      cwd: elsewhere,
      env: { PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`, HOME: elsewhere },
    });
    expect(help.stdout).toContain('show');
    rmSync(elsewhere, { recursive: true, force: true });
  });
});
