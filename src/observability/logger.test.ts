import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createLogger, deferredChild, isoTimestamp } from './logger.js';

describe('isoTimestamp', () => {
  it('is pino isoTime’s field for the current millisecond', () => {
    const before = Date.now();
    const stamp = isoTimestamp();
    const after = Date.now();
    const match = /^,"time":"([^"]+)"$/.exec(stamp);
    const ms = Date.parse(match?.[1] ?? '');
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
    expect(new Date(ms).toISOString()).toBe(match?.[1]);
  });
});

function collect(): { destination: Writable; text: () => string } {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { destination, text: () => text };
}

describe('createLogger', () => {
  it('writes readable lines, redacted, with format "pretty" (pino-pretty, loaded on demand)', () => {
    const { destination, text } = collect();
    const logger = createLogger({ level: 'info', format: 'pretty', destination });
    logger.info({ authorization: 'Bearer sk-secret-value-123456' }, 'upstream answered');
    expect(text()).toContain('INFO');
    expect(text()).toContain('upstream answered');
    expect(text()).not.toContain('sk-secret-value-123456');
    expect(text()).not.toMatch(/^\{/);
  });

  it('writes JSON lines with format "json"', () => {
    const { destination, text } = collect();
    const logger = createLogger({ level: 'info', format: 'json', destination });
    logger.info('upstream answered');
    expect(JSON.parse(text())).toMatchObject({ level: 'info', msg: 'upstream answered' });
  });
});

describe('deferredChild', () => {
  const lines = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => {
        const { time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return rest;
      });

  it('writes the lines a pino child with the same bindings writes', () => {
    const deferredOut = collect();
    const childOut = collect();
    const bindings = { request_id: 'req_1' };
    const log = (logger: ReturnType<typeof createLogger>) => {
      logger.info('one');
      logger.warn({ error_code: 'x', authorization: 'Bearer sk-secret-value-123456' }, 'two');
      logger.debug('not written at info');
      logger.child({ provider: 'codex' }).error('three');
    };
    log(
      deferredChild(
        createLogger({ level: 'info', format: 'json', destination: deferredOut.destination }),
        () => bindings,
      ),
    );
    log(
      createLogger({ level: 'info', format: 'json', destination: childOut.destination }).child(
        bindings,
      ),
    );
    expect(lines(deferredOut.text())).toEqual(lines(childOut.text()));
    expect(lines(deferredOut.text())).toHaveLength(3);
    expect(deferredOut.text()).toContain('"request_id":"req_1"');
    expect(deferredOut.text()).not.toContain('sk-secret-value-123456');
  });

  it('makes the child only when a line is written at a level that is on', () => {
    const { destination } = collect();
    const parent = createLogger({ level: 'warn', format: 'json', destination });
    const child = vi.spyOn(parent, 'child');
    const bindings = vi.fn(() => ({ request_id: 'req_2' }));
    const logger = deferredChild(parent, bindings);
    expect(logger.isLevelEnabled('info')).toBe(false);
    logger.info('off');
    logger.debug({ a: 1 }, 'off');
    expect(child).not.toHaveBeenCalled();
    expect(bindings).not.toHaveBeenCalled();
    logger.warn('on');
    logger.error('on again');
    expect(child).toHaveBeenCalledTimes(1);
    expect(bindings).toHaveBeenCalledTimes(1);
  });

  it('answers its bindings, and has the level of its parent', () => {
    const { destination } = collect();
    const parent = createLogger({ level: 'debug', format: 'json', destination });
    const logger = deferredChild(parent, () => ({ request_id: 'req_3' }));
    expect(logger.bindings()).toEqual({ request_id: 'req_3' });
    expect(logger.level).toBe('debug');
    expect(logger.isLevelEnabled('debug')).toBe(true);
  });
});
