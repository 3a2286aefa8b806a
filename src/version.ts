/** The package version, read once from package.json. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  const parsed = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}

/** The ccproxy version (from package.json). */
export const VERSION: string = readVersion();
