import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { guardBackendEvents } from './backend-events.js';

function collectingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', format: 'json', destination }), lines };
}

describe('guardBackendEvents', () => {
  it('hands events on, and turns a failing taker into one warning instead of a stream failure', () => {
    const { logger, lines } = collectingLogger();
    const seen: string[] = [];
    const take = guardBackendEvents((event) => {
      seen.push(event.type);
      if (event.type === 'codex.rate_limits') throw new Error('bad numbers');
    }, logger);
    expect(() => {
      take?.({ type: 'keepalive' });
      take?.({ type: 'codex.rate_limits' });
      take?.({ type: 'codex.rate_limits' });
    }).not.toThrow();
    expect(seen).toEqual(['keepalive', 'codex.rate_limits', 'codex.rate_limits']);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'warn',
      event_type: 'codex.rate_limits',
      msg: 'reading an upstream event failed',
    });
    expect(guardBackendEvents(undefined, logger)).toBeUndefined();
  });
});
