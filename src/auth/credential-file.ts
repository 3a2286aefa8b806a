/** Reads and writes credential files: atomic replace, mode 0600, never world-readable. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { registerSecretsIn } from '../util/secrets.js';

/** A credential file's parsed content and what we know of its permissions. */
export interface CredentialFileContent {
  data: unknown;
  /** Modification time in ms, to notice when another tool rewrote the file. */
  mtimeMs: number;
  /** True when group or others may read it (the caller warns). */
  insecure: boolean;
}

/** Reads a JSON credential file; `undefined` when it does not exist. */
export async function readCredentialFile(path: string): Promise<CredentialFileContent | undefined> {
  let text: string;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new SyntaxError(`Credential file "${path}" is not valid JSON`);
  }
  // Every token the file holds is known by value from now on, whatever its shape.
  registerSecretsIn(data);
  return { data, mtimeMs: info.mtimeMs, insecure: (info.mode & 0o077) !== 0 };
}

/** The modification time of a file, or `undefined` when it does not exist. */
export async function fileMtime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Writes JSON atomically: a temporary file in the same directory, created with mode 0600 and
 * flushed to disk, then renamed over the target. Readers never see a half-written file and no
 * backup or temporary file is left behind.
 */
export async function writeCredentialFile(path: string, data: unknown): Promise<void> {
  registerSecretsIn(data);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}
