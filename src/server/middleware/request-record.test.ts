import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger.js';
import type { ProxyMetrics } from '../../observability/metrics.js';
import type { AppDeps } from '../app-deps.js';
import { beginRequest, endRequest } from './request-record.js';

/** A JSON-lines logger whose lines are collected. */
function collectingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', format: 'json', destination }), lines };
}

/** Metrics whose request counter throws for the paths named. */
function metricsFailingFor(path: string): ProxyMetrics {
  const quiet = { inc: () => {}, observe: () => {} };
  return {
    requests: {
      inc: (labels: Record<string, string>) => {
        if (labels.route === path) throw new Error('counter broke');
      },
    },
    duration: quiet,
    timeToFirstByte: quiet,
    tokens: quiet,
    conversionWarnings: quiet,
  } as unknown as ProxyMetrics;
}

describe('endRequest', () => {
  it('logs every request ended in one turn, even when one of them fails to', async () => {
    const { logger, lines } = collectingLogger();
    const deps = { logger, metrics: metricsFailingFor('/broken') } as unknown as AppDeps;
    const now = () => 0;
    for (const path of ['/first', '/broken', '/third']) {
      const begun = beginRequest(deps, now, {
        method: 'POST',
        path,
        requestId: `req${path.replace('/', '-')}`,
        headers: () => new Headers(),
      });
      begun.lifecycle.record.route = path;
      endRequest(deps, now, begun, 200);
    }
    // Ended in this turn: written in a later one, together.
    expect(lines).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const access = lines.filter((line) => line.msg === 'access');
    expect(access.map((line) => line.request_id)).toEqual(['req-first', 'req-broken', 'req-third']);
    const failed = lines.filter((line) => line.msg === 'writing the access log failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ request_id: 'req-broken', level: 'error' });
  });
});
