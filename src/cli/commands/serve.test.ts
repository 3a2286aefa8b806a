/** `ccproxy serve` in-process: the ready line is a promise that a signal now stops it cleanly. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTestCli } from '../../../test/helpers/cli.js';

describe('ccproxy serve', () => {
  it('has its signal handlers in place when it prints "listening on", and exits 0 on SIGTERM', async () => {
    const cli = createTestCli();
    const before = process.listenerCount('SIGTERM');
    let handlersAtReady: number | undefined;
    const captured = cli.io.stdout;
    // Look at the handlers at the very moment the line is written, not once a reader got it:
    // a supervisor may signal as soon as it reads the line.
    cli.io.stdout = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        if (chunk.toString().startsWith('listening on')) {
          handlersAtReady = process.listenerCount('SIGTERM');
        }
        captured.write(chunk, callback);
      },
    });
    const exit = cli.run(['serve', '--port', '0', '--disable-plugin', 'codex']);
    await cli.waitForOutput(/listening on http:\/\/\S+/);
    expect(handlersAtReady).toBe(before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exit).toBe(0);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
