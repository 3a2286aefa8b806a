/** `ccproxy auth login copilot`: GitHub's device flow, storing the token in `{dataDir}/copilot.json`. */
import { type DeviceVerification, runDeviceFlow } from '../../auth/device-flow.js';
import { fetchGithubLogin, writeCopilotStore } from './credentials.js';

/** The scope the Copilot token exchange needs. */
export const COPILOT_SCOPE = 'read:user';

/** Options of `loginCopilot`. */
export interface CopilotLoginOptions {
  githubUrl: string;
  githubApiUrl: string;
  clientId: string;
  storeFile: string;
  fetch: typeof fetch;
  /** Shows the user code and URL. */
  onVerification(verification: DeviceVerification): void | Promise<void>;
  /** Wall-clock milliseconds. */
  now?(): number;
  /** Waits between polls (injectable for tests). */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
  slowDownIncrementMs?: number;
  signal?: AbortSignal;
}

/** What a successful Copilot sign-in tells the user. */
export interface CopilotLoginResult {
  storeFile: string;
  /** The GitHub login, when `GET /user` answered. */
  login?: string;
}

/** Runs the device flow and stores the token; rejects with a `LoginError` when it fails. */
export async function loginCopilot(options: CopilotLoginOptions): Promise<CopilotLoginResult> {
  const githubUrl = options.githubUrl.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const token = await runDeviceFlow({
    deviceCodeUrl: `${githubUrl}/login/device/code`,
    tokenUrl: `${githubUrl}/login/oauth/access_token`,
    clientId: options.clientId,
    scope: COPILOT_SCOPE,
    fetch: options.fetch,
    onVerification: options.onVerification,
    now,
    label: 'GitHub',
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.slowDownIncrementMs !== undefined
      ? { slowDownIncrementMs: options.slowDownIncrementMs }
      : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await writeCopilotStore(options.storeFile, {
    githubToken: token.accessToken,
    ...(token.tokenType !== undefined ? { tokenType: token.tokenType } : {}),
    ...(token.scope !== undefined ? { scope: token.scope } : {}),
    createdAt: new Date(now()).toISOString(),
  });
  const lookup = await fetchGithubLogin({
    apiUrl: options.githubApiUrl,
    token: token.accessToken,
    fetch: options.fetch,
  });
  return { storeFile: options.storeFile, ...(lookup.ok ? { login: lookup.login } : {}) };
}
