import type { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openerCommand, openUrl } from './open-url.js';

/** A fake `spawn` that records its call and exits (or fails) as told. */
function fakeSpawn(outcome: { exitCode?: number; error?: boolean; throws?: boolean }) {
  const calls: Array<{ command: string; args: readonly string[] }> = [];
  const fake = ((command: string, args: readonly string[]) => {
    calls.push({ command, args });
    if (outcome.throws) throw new Error('spawn failed');
    const child = Object.assign(new EventEmitter(), { unref() {} });
    setImmediate(() => {
      if (outcome.error) child.emit('error', new Error('ENOENT'));
      else if (outcome.exitCode !== undefined) child.emit('exit', outcome.exitCode);
    });
    return child;
  }) as unknown as typeof spawn;
  return { fake, calls };
}

describe('openUrl', () => {
  it('picks the opener per platform', () => {
    expect(openerCommand('https://x.test/a?b=1&c=2', 'darwin', {})).toEqual({
      command: 'open',
      args: ['https://x.test/a?b=1&c=2'],
    });
    expect(openerCommand('https://x.test/?a=1&b=2', 'win32', {})).toEqual({
      command: 'cmd',
      args: ['/c', 'start', '""', '"https://x.test/?a=1&b=2"'],
      verbatim: true,
    });
    expect(openerCommand('https://x.test/', 'linux', { DISPLAY: ':0' })?.command).toBe('xdg-open');
    expect(openerCommand('https://x.test/', 'linux', {})).toBeUndefined();
  });

  it('resolves true when the opener exits with 0', async () => {
    const { fake, calls } = fakeSpawn({ exitCode: 0 });
    await expect(openUrl('https://x.test/', { platform: 'darwin', spawn: fake })).resolves.toBe(
      true,
    );
    expect(calls).toEqual([{ command: 'open', args: ['https://x.test/'] }]);
  });

  it('resolves true when the opener is still running after the settle time', async () => {
    const { fake } = fakeSpawn({});
    await expect(
      openUrl('https://x.test/', { platform: 'darwin', spawn: fake, settleMs: 10 }),
    ).resolves.toBe(true);
  });

  it('never throws: missing opener, failing opener, throwing spawn, headless Linux, bad URL', async () => {
    for (const outcome of [{ error: true }, { exitCode: 3 }, { throws: true }]) {
      const { fake } = fakeSpawn(outcome);
      await expect(openUrl('https://x.test/', { platform: 'darwin', spawn: fake })).resolves.toBe(
        false,
      );
    }
    const { fake, calls } = fakeSpawn({ exitCode: 0 });
    await expect(
      openUrl('https://x.test/', { platform: 'linux', env: {}, spawn: fake }),
    ).resolves.toBe(false);
    await expect(openUrl('file:///etc/passwd', { platform: 'darwin', spawn: fake })).resolves.toBe(
      false,
    );
    await expect(openUrl('not a url', { platform: 'darwin', spawn: fake })).resolves.toBe(false);
    expect(calls).toEqual([]);
  });
});
