/**
 * Installs the client package (test/clients) before the suite runs, when its node_modules is
 * missing or was installed from another lockfile: the CLIs weigh ~650 MB, so the root `npm ci`
 * never installs them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const stamp = join(dir, 'node_modules', '.ccproxy-lock-sha256');

/** Vitest global setup: `npm ci --prefix test/clients` unless the installed stamp matches. */
export default function setup(): void {
  const digest = createHash('sha256')
    .update(readFileSync(join(dir, 'package.json')))
    .update(readFileSync(join(dir, 'package-lock.json')))
    .digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest) return;
  process.stderr.write('installing the client package (npm ci --prefix test/clients)...\n');
  execFileSync('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], {
    stdio: 'inherit',
  });
  writeFileSync(stamp, `${digest}\n`);
}
