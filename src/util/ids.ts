/** Random identifiers in the shapes each API uses (`resp_…`, `msg_…`, `call_…`). */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A random id with a prefix, e.g. `createId('msg_')` → `msg_3fA9…` (24 random characters). */
export function createId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (let i = 0; i < length; i++) id += ALPHABET[bytes[i]! % ALPHABET.length];
  return id;
}
