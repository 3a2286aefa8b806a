/** Random identifiers in the shapes each API uses (`resp_…`, `msg_…`, `call_…`). */
import { randomFillSync } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * Random bytes drawn from the system's CSPRNG in blocks, as `crypto.randomUUID` does: one
 * `randomFillSync` per 8 KiB instead of one `randomBytes` call per id (3.6% of a non-stream
 * request's CPU in the issue-13 profile). Each byte is used once.
 */
const POOL_SIZE = 8 * 1024;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/** A random id with a prefix, e.g. `createId('msg_')` → `msg_3fA9…` (24 random characters). */
export function createId(prefix: string, length = 24): string {
  if (length > POOL_SIZE) throw new RangeError(`createId: length ${length} is over ${POOL_SIZE}`);
  if (offset + length > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  let id = prefix;
  for (let i = 0; i < length; i++) id += ALPHABET[pool[offset + i]! % ALPHABET.length];
  offset += length;
  return id;
}
