/** Loads recorded fixtures from a format folder's `__fixtures__`. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WireFormatId } from '../../src/ir/meta.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of a fixture file of a format. */
export function fixturePath(format: WireFormatId, file: string): string {
  return join(root, 'src', 'formats', format, '__fixtures__', file);
}

/** Raw bytes of a fixture. */
export function loadFixtureBytes(format: WireFormatId, file: string): Buffer {
  return readFileSync(fixturePath(format, file));
}

/** A JSON fixture, parsed. */
export function loadFixtureJson<T = Record<string, unknown>>(
  format: WireFormatId,
  file: string,
): T {
  return JSON.parse(readFileSync(fixturePath(format, file), 'utf8')) as T;
}
