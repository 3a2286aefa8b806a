import { afterEach, describe, expect, it } from 'vitest';
import { type CallbackServer, formatDuration, startCallbackServer } from './callback-server.js';
import { LoginError } from './login-error.js';

let server: CallbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(
  timeoutMs = 5000,
  signal?: AbortSignal,
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>,
) {
  server = await startCallbackServer({
    port: 0,
    path: '/auth/callback',
    state: 'expected-state',
    timeoutMs,
    ...(signal ? { signal } : {}),
    ...(sleep ? { sleep } : {}),
  });
  return server;
}

function callback(port: number, query: string) {
  return fetch(`http://127.0.0.1:${port}/auth/callback?${query}`);
}

async function isClosed(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/auth/callback`).then(
    () => false,
    () => true,
  );
}

describe('callback server', () => {
  it('resolves with the code when the state matches, answers a success page and closes', async () => {
    const { port, code } = await start();
    const favicon = await fetch(`http://127.0.0.1:${port}/favicon.ico`);
    expect(favicon.status).toBe(404);
    const response = await callback(port, 'code=the-code&state=expected-state');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('Authorization received');
    await expect(code).resolves.toBe('the-code');
    expect(await isClosed(port)).toBe(true);
  });

  it('answers a wrong state with a 400 page, ignores it and keeps waiting for the right one', async () => {
    const { port, code } = await start();
    let settled = false;
    void code.then(
      () => (settled = true),
      () => (settled = true),
    );
    const response = await callback(port, 'code=forged-code&state=other');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('state mismatch');
    // A missing state, even with an error parameter, is ignored the same way.
    const missing = await callback(port, 'error=access_denied');
    expect(missing.status).toBe(400);
    expect(settled).toBe(false);
    expect(await isClosed(port)).toBe(false);
    const right = await callback(port, 'code=the-code&state=expected-state');
    expect(right.status).toBe(200);
    await expect(code).resolves.toBe('the-code');
  });

  it('a wrong state does not stop the timeout', async () => {
    const { port, code } = await start(300);
    expect((await callback(port, 'code=x&state=other')).status).toBe(400);
    await expect(code).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('rejects access_denied with its description', async () => {
    const { port, code } = await start();
    const response = await callback(
      port,
      'error=access_denied&error_description=User+cancelled&state=expected-state',
    );
    expect(response.status).toBe(400);
    const error = await code.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LoginError);
    expect((error as LoginError).reason).toBe('denied');
    expect((error as LoginError).message).toBe(
      'Sign-in was denied (access_denied: User cancelled)',
    );
  });

  it('rejects any other error parameter', async () => {
    const { port, code } = await start();
    await callback(port, 'error=invalid_scope&state=expected-state');
    await expect(code).rejects.toMatchObject({
      reason: 'rejected',
      message: 'Sign-in failed: the authorization server answered "invalid_scope"',
    });
  });

  it('rejects a callback without a code', async () => {
    const { port, code } = await start();
    expect((await callback(port, 'state=expected-state')).status).toBe(400);
    await expect(code).rejects.toMatchObject({ reason: 'invalid_response' });
  });

  it('times out and closes', async () => {
    // The injected wait is over at once: the timeout without the clock.
    const waits: number[] = [];
    const { port, code } = await start(50, undefined, async (ms) => {
      waits.push(ms);
    });
    await expect(code).rejects.toMatchObject({
      reason: 'timeout',
      message: 'Sign-in timed out: no answer from the browser within 50 ms',
    });
    expect(waits).toEqual([50]);
    expect(await isClosed(port)).toBe(true);
  });

  it('stops waiting out its timeout once a code arrives', async () => {
    let waitSignal: AbortSignal | undefined;
    const { port, code } = await start(5000, undefined, (_ms, signal) => {
      waitSignal = signal;
      return new Promise(() => {});
    });
    await callback(port, 'state=expected-state&code=c1');
    await expect(code).resolves.toBe('c1');
    expect(waitSignal?.aborted).toBe(true);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const { code } = await start(5000, controller.signal);
    controller.abort();
    await expect(code).rejects.toMatchObject({ reason: 'cancelled' });
  });

  it('reports a port in use clearly', async () => {
    const first = await start();
    await expect(
      startCallbackServer({ port: first.port, path: '/auth/callback', state: 's' }),
    ).rejects.toMatchObject({ reason: 'port_in_use' });
  });

  it('formats durations for messages', () => {
    expect(formatDuration(300_000)).toBe('5 minutes');
    expect(formatDuration(60_000)).toBe('1 minute');
    expect(formatDuration(1500)).toBe('2 seconds');
  });
});
