/**
 * The OAuth device authorization grant (RFC 8628) as GitHub implements it: get a user code, show
 * it, then poll the token endpoint at the interval the server asks for until the user approves.
 * @see https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow
 */
import { setTimeout as delay } from 'node:timers/promises';
import { getNumber, getString } from '../util/json.js';
import { LoginError } from './login-error.js';
import { describeReply, type OAuthReply, postOAuthRequest } from './token-request.js';

/** The RFC 8628 grant type sent while polling. */
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** What the user must do: open `verificationUri` and type `userCode`. */
export interface DeviceVerification {
  userCode: string;
  verificationUri: string;
  /** A URI with the code already filled in, when the server gives one. */
  verificationUriComplete?: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

/** The token the device flow ends with. */
export interface DeviceFlowToken {
  accessToken: string;
  tokenType?: string;
  scope?: string;
}

/** Options of `runDeviceFlow`. */
export interface DeviceFlowOptions {
  /** `{github_url}/login/device/code`. */
  deviceCodeUrl: string;
  /** `{github_url}/login/oauth/access_token`. */
  tokenUrl: string;
  clientId: string;
  scope: string;
  fetch: typeof fetch;
  /** Shows the user code and URL; called once, before polling starts. */
  onVerification(verification: DeviceVerification): void | Promise<void>;
  /** Waits between polls (injectable so tests do not sleep). */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  /** Wall-clock milliseconds (injectable so tests can expire the code). */
  now?(): number;
  /** Added to the interval on `slow_down` when the server names no new interval (RFC 8628: 5 s). */
  slowDownIncrementMs?: number;
  /** Endpoint owner for messages, e.g. `GitHub`. */
  label?: string;
  signal?: AbortSignal;
}

const DEFAULT_INTERVAL_SECONDS = 5;
const DEFAULT_EXPIRES_IN_SECONDS = 900;

async function requestDeviceCode(options: DeviceFlowOptions, label: string) {
  const reply = await postOAuthRequest({
    url: options.deviceCodeUrl,
    body: { client_id: options.clientId, scope: options.scope },
    encoding: 'form',
    fetch: options.fetch,
    label: `the ${label} device-code endpoint`,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const deviceCode = getString(reply.body, 'device_code');
  const userCode = getString(reply.body, 'user_code');
  const verificationUri =
    getString(reply.body, 'verification_uri') ?? getString(reply.body, 'verification_url');
  if (!reply.ok || !deviceCode || !userCode || !verificationUri) {
    const detail = describeReply(reply);
    throw new LoginError(
      reply.ok ? 'invalid_response' : 'rejected',
      `${label} did not start the device sign-in (${detail})`,
    );
  }
  const complete = getString(reply.body, 'verification_uri_complete');
  const verification: DeviceVerification = {
    userCode,
    verificationUri,
    ...(complete ? { verificationUriComplete: complete } : {}),
    expiresInSeconds: positive(getNumber(reply.body, 'expires_in')) ?? DEFAULT_EXPIRES_IN_SECONDS,
    intervalSeconds: nonNegative(getNumber(reply.body, 'interval')) ?? DEFAULT_INTERVAL_SECONDS,
  };
  return { deviceCode, verification };
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

function nonNegative(value: number | undefined): number | undefined {
  return value !== undefined && value >= 0 ? value : undefined;
}

/** What one poll of the token endpoint means. */
export type DevicePollOutcome =
  | { kind: 'token'; token: DeviceFlowToken }
  | { kind: 'pending' }
  | { kind: 'slow_down'; intervalSeconds?: number };

/**
 * Reads one poll answer: a token, keep waiting, or slow down. Throws a `LoginError` for the
 * answers that end the flow (`expired_token`, `access_denied`, any other error).
 */
export function interpretPollReply(reply: OAuthReply, label: string): DevicePollOutcome {
  const accessToken = getString(reply.body, 'access_token');
  if (reply.ok && accessToken) {
    const tokenType = getString(reply.body, 'token_type');
    const scope = getString(reply.body, 'scope');
    return {
      kind: 'token',
      token: {
        accessToken,
        ...(tokenType !== undefined ? { tokenType } : {}),
        ...(scope !== undefined ? { scope } : {}),
      },
    };
  }
  // GitHub answers these with HTTP 200 and an `error` field; RFC 8628 servers use 400.
  const error = getString(reply.body, 'error');
  switch (error) {
    case 'authorization_pending':
      return { kind: 'pending' };
    case 'slow_down': {
      const intervalSeconds = positive(getNumber(reply.body, 'interval'));
      return intervalSeconds !== undefined
        ? { kind: 'slow_down', intervalSeconds }
        : { kind: 'slow_down' };
    }
    case 'expired_token':
      throw expiredError();
    case 'access_denied':
      throw new LoginError('denied', `Sign-in was denied: the ${label} authorization was refused`);
    default: {
      const detail = describeReply(reply);
      throw new LoginError(
        error ? 'rejected' : 'invalid_response',
        `${label} refused the device sign-in (${detail})`,
      );
    }
  }
}

function expiredError(): LoginError {
  return new LoginError(
    'expired',
    'The device code expired before the sign-in was approved; run the login again',
  );
}

/**
 * Runs the whole device flow and resolves with the access token. Rejects with a `LoginError`:
 * `denied` when the user refused, `expired` when the code expired first, `rejected` for any
 * other OAuth error, `network` when the server cannot be reached.
 */
export async function runDeviceFlow(options: DeviceFlowOptions): Promise<DeviceFlowToken> {
  const label = options.label ?? 'OAuth server';
  const sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  const now = options.now ?? Date.now;
  const increment = options.slowDownIncrementMs ?? 5000;

  const { deviceCode, verification } = await requestDeviceCode(options, label);
  await options.onVerification(verification);
  const deadline = now() + verification.expiresInSeconds * 1000;
  let intervalMs = verification.intervalSeconds * 1000;

  for (;;) {
    try {
      await sleep(intervalMs, options.signal);
    } catch (error) {
      throw new LoginError('cancelled', 'Sign-in was cancelled', { cause: error });
    }
    if (now() >= deadline) throw expiredError();
    const reply = await postOAuthRequest({
      url: options.tokenUrl,
      body: {
        client_id: options.clientId,
        device_code: deviceCode,
        grant_type: DEVICE_CODE_GRANT_TYPE,
      },
      encoding: 'form',
      fetch: options.fetch,
      label: `the ${label} token endpoint`,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const outcome = interpretPollReply(reply, label);
    if (outcome.kind === 'token') return outcome.token;
    if (outcome.kind === 'slow_down') {
      // RFC 8628 §3.5: add 5 s for this and every later poll; GitHub names the new interval.
      intervalMs =
        outcome.intervalSeconds !== undefined
          ? Math.max(outcome.intervalSeconds * 1000, intervalMs)
          : intervalMs + increment;
    }
  }
}
