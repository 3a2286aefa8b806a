/** The error of a sign-in that could not complete: the CLI prints its message and exits with 1. */

/** Why a sign-in failed. */
export type LoginFailureReason =
  | 'denied'
  | 'expired'
  | 'timeout'
  | 'state_mismatch'
  | 'network'
  | 'rejected'
  | 'invalid_response'
  | 'cancelled'
  | 'port_in_use';

/**
 * A failed sign-in. Its message is one sentence meant for the user and never holds a token, a
 * code or a verifier.
 */
export class LoginError extends Error {
  readonly reason: LoginFailureReason;

  constructor(reason: LoginFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LoginError';
    this.reason = reason;
  }
}
