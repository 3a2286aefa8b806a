/** PKCE (RFC 7636) verifier and S256 challenge, plus the random `state` of an authorization request. */
import { createHash, randomBytes } from 'node:crypto';

/** A PKCE verifier and the challenge derived from it. */
export interface PkcePair {
  /** Sent only with the code exchange; base64url, 43-128 characters. */
  verifier: string;
  /** `BASE64URL(SHA256(verifier))`, sent with the authorization request. */
  challenge: string;
}

/** The S256 challenge of a verifier. */
export function createCodeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * A fresh PKCE pair. The verifier is 64 random bytes in base64url (86 characters), the size the
 * Codex CLI uses; RFC 7636 asks for at least 32 bytes of entropy.
 */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(64).toString('base64url');
  return { verifier, challenge: createCodeChallenge(verifier) };
}

/** A random, unguessable `state` value (32 bytes, base64url) that ties a callback to its request. */
export function createState(): string {
  return randomBytes(32).toString('base64url');
}
