import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, isoTimestamp } from './logger.js';

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

describe('createLogger', () => {
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
