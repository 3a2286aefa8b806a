/** The proxy's own access key: one check in front of every route but `/health`. */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The key a client presented, from `authorization: Bearer` or `x-api-key`. */
export function presentedKey(headers: Pick<Headers, 'get'>): string | undefined {
  const authorization = headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  const apiKey = headers.get('x-api-key');
  return apiKey ? apiKey.trim() : undefined;
}

/** Compares keys in constant time (digests first, so lengths leak nothing either). */
export function keysMatch(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}
