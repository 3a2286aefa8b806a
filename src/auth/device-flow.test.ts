import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeReply,
  type FakeUpstream,
  startFakeUpstream,
} from '../../test/helpers/fake-upstream.js';
import { DEVICE_CODE_GRANT_TYPE, type DeviceVerification, runDeviceFlow } from './device-flow.js';

let github: FakeUpstream | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

const deviceCodeReply: FakeReply = {
  body: {
    device_code: 'dev-code-1',
    user_code: 'WDJB-MJHT',
    verification_uri: 'https://github.com/login/device',
    expires_in: 900,
    interval: 5,
  },
};

/** A GitHub fake: the device-code answer, then the given poll answers in order. */
async function fakeGithub(polls: FakeReply[], deviceCode: FakeReply = deviceCodeReply) {
  let poll = 0;
  github = await startFakeUpstream((request) => {
    if (request.path === '/login/device/code') return deviceCode;
    if (request.path === '/login/oauth/access_token') {
      return polls[Math.min(poll++, polls.length - 1)];
    }
    return { status: 404, body: {} };
  });
  return github;
}

/** A fake clock that sleeping advances, so expiry is testable without waiting. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

function run(server: FakeUpstream, time: ReturnType<typeof fakeTime>, shown: DeviceVerification[]) {
  return runDeviceFlow({
    deviceCodeUrl: `${server.url}/login/device/code`,
    tokenUrl: `${server.url}/login/oauth/access_token`,
    clientId: 'client-1',
    scope: 'read:user',
    fetch,
    onVerification: (verification) => {
      shown.push(verification);
    },
    sleep: time.sleep,
    now: time.now,
    label: 'GitHub',
  });
}

describe('device flow', () => {
  it('shows the code, keeps polling while pending, slows down, and returns the token', async () => {
    const server = await fakeGithub([
      { body: { error: 'authorization_pending' } },
      { body: { error: 'slow_down', error_description: 'Too many requests' } },
      { body: { error: 'slow_down', interval: 20 } },
      { body: { access_token: 'gho_token_value', token_type: 'bearer', scope: 'read:user' } },
    ]);
    const time = fakeTime();
    const shown: DeviceVerification[] = [];
    const token = await run(server, time, shown);

    expect(token).toEqual({
      accessToken: 'gho_token_value',
      tokenType: 'bearer',
      scope: 'read:user',
    });
    expect(shown).toEqual([
      {
        userCode: 'WDJB-MJHT',
        verificationUri: 'https://github.com/login/device',
        expiresInSeconds: 900,
        intervalSeconds: 5,
      },
    ]);
    // 5 s, 5 s, +5 s after the first slow_down, then the server's own new interval.
    expect(time.sleeps).toEqual([5000, 5000, 10_000, 20_000]);
    const [start, ...polls] = server.requests;
    expect(start!.headers.accept).toBe('application/json');
    expect(Object.fromEntries(new URLSearchParams(start!.body))).toEqual({
      client_id: 'client-1',
      scope: 'read:user',
    });
    expect(polls).toHaveLength(4);
    expect(Object.fromEntries(new URLSearchParams(polls[0]!.body))).toEqual({
      client_id: 'client-1',
      device_code: 'dev-code-1',
      grant_type: DEVICE_CODE_GRANT_TYPE,
    });
  });

  it('uses an injectable slow_down increment', async () => {
    const server = await fakeGithub([
      { body: { error: 'slow_down' } },
      { body: { access_token: 'gho_x' } },
    ]);
    const time = fakeTime();
    await runDeviceFlow({
      deviceCodeUrl: `${server.url}/login/device/code`,
      tokenUrl: `${server.url}/login/oauth/access_token`,
      clientId: 'c',
      scope: 's',
      fetch,
      onVerification: () => {},
      sleep: time.sleep,
      now: time.now,
      slowDownIncrementMs: 7,
    });
    expect(time.sleeps).toEqual([5000, 5007]);
  });

  it('fails with "expired" when the server says expired_token', async () => {
    const server = await fakeGithub([{ body: { error: 'expired_token' } }]);
    await expect(run(server, fakeTime(), [])).rejects.toMatchObject({
      name: 'LoginError',
      reason: 'expired',
    });
  });

  it('fails with "expired" once expires_in has passed, without polling again', async () => {
    const server = await fakeGithub([{ body: { error: 'authorization_pending' } }], {
      body: { ...(deviceCodeReply.body as object), expires_in: 12 },
    });
    const time = fakeTime();
    await expect(run(server, time, [])).rejects.toMatchObject({ reason: 'expired' });
    // Polls at 5 s and 10 s; at 15 s the 12 s code has expired.
    expect(time.sleeps).toEqual([5000, 5000, 5000]);
    expect(server.requests.filter((r) => r.path === '/login/oauth/access_token')).toHaveLength(2);
  });

  it('fails with "denied" on access_denied', async () => {
    const server = await fakeGithub([
      { body: { error: 'authorization_pending' } },
      { body: { error: 'access_denied' } },
    ]);
    await expect(run(server, fakeTime(), [])).rejects.toMatchObject({
      reason: 'denied',
      message: 'Sign-in was denied: the GitHub authorization was refused',
    });
  });

  it('reports other OAuth errors with their description', async () => {
    const server = await fakeGithub([
      { body: { error: 'device_flow_disabled', error_description: 'Device flow is disabled' } },
    ]);
    await expect(run(server, fakeTime(), [])).rejects.toMatchObject({
      reason: 'rejected',
      message: 'GitHub refused the device sign-in (device_flow_disabled: Device flow is disabled)',
    });
  });

  it('reports a refused device-code request', async () => {
    const server = await fakeGithub([], {
      status: 401,
      body: { error: 'incorrect_client_credentials' },
    });
    await expect(run(server, fakeTime(), [])).rejects.toMatchObject({
      reason: 'rejected',
      message: 'GitHub did not start the device sign-in (HTTP 401: incorrect_client_credentials)',
    });
  });

  it('reports an unreachable server as a network failure', async () => {
    const server = await fakeGithub([]);
    const url = server.url;
    await server.close();
    github = undefined;
    await expect(
      runDeviceFlow({
        deviceCodeUrl: `${url}/login/device/code`,
        tokenUrl: `${url}/login/oauth/access_token`,
        clientId: 'c',
        scope: 's',
        fetch,
        onVerification: () => {},
        label: 'GitHub',
      }),
    ).rejects.toMatchObject({ reason: 'network' });
  });
});
