/**
 * Where one account's credentials are kept, and the lock that makes its refresh happen once: a
 * file and an in-process lock for one replica, or a shared store (Redis) and a lock with a TTL
 * and a fencing token for several.
 */
import type { CredentialFileContent } from './credential-file.js';
import { readCredentialFile, writeCredentialFile } from './credential-file.js';

/** One account's stored credentials, in the provider's own file format. */
export interface CredentialStore {
  /** Where they live, for messages (a file path, or `redis:<key>`); never a secret. */
  readonly location: string;
  /** Reads them; `undefined` when there are none. */
  read(): Promise<CredentialFileContent | undefined>;
  /**
   * Replaces them. A shared store writes only if nobody else wrote since this store's last
   * `read` and the refresh lock is still held (compare-and-set with the fencing token).
   */
  write(data: unknown): Promise<void>;
}

/** Runs a refresh while no other replica refreshes the same account. */
export interface RefreshLock {
  /** Runs `action` holding the lock; waits for another holder to finish first. */
  run<T>(action: () => Promise<T>): Promise<T>;
}

/** The file store (the default): atomic writes with mode 0600. */
export function fileCredentialStore(path: string): CredentialStore {
  return {
    location: path,
    read: () => readCredentialFile(path),
    write: (data) => writeCredentialFile(path, data),
  };
}
