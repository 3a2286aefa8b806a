/**
 * The bench's phases pass: the summary of the phase probe's records, its report section, and the
 * probe itself in a real server process (the stack floor) in front of a loopback upstream that
 * takes a known time to answer.
 */
import { createServer, type Server as HttpServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PhaseRecord, type PhaseRow, summarizePhases } from '../../scripts/bench/phases.js';
import { phasesSection } from '../../scripts/bench/report.js';
import {
  phaseProbeArgs,
  readPhases,
  type Server,
  startBaseline,
  stop,
} from '../../scripts/bench/servers.js';

const record = (start: number, sent: number, upstreamEnd: number, finish: number): PhaseRecord => ({
  start,
  sent,
  upstreamEnd,
  finish,
});

describe('summarizePhases', () => {
  it('gives the median of each phase', () => {
    const summary = summarizePhases([
      record(0, 1, 5, 6),
      record(10, 12, 20, 23),
      record(100, 103, 110, 114),
    ]);
    expect(summary).toEqual({
      requests: 3,
      beforeUpstream: 2,
      upstream: 7,
      afterUpstream: 3,
      inServer: 13,
    });
  });

  it('leaves out a record whose moments are out of order', () => {
    const summary = summarizePhases([record(0, 1, 5, 6), record(0, 9, 2, 3)]);
    expect(summary.requests).toBe(1);
    expect(summary.upstream).toBe(4);
  });

  it('has no medians without records', () => {
    const summary = summarizePhases([]);
    expect(summary.requests).toBe(0);
    expect(summary.beforeUpstream).toBeNaN();
  });
});

describe('phasesSection', () => {
  it('writes each row in microseconds, ccproxy before the floor', () => {
    const row: PhaseRow = {
      rowId: 'chat',
      addedP50: { ccproxy: 0.44, floor: 0.29, pipe: 0.3 },
      ccproxy: summarizePhases([record(0, 0.15, 0.35, 0.46)]),
      floor: summarizePhases([record(0, 0.08, 0.28, 0.33)]),
    };
    const text = phasesSection([row], 400);
    expect(text).toContain(
      '| `chat` | 440 / 290 / 300 | 150 / 80 | 200 / 200 | 110 / 50 | 460 / 330 | 1 / 1 |',
    );
    expect(text).toContain('400 requests to each server');
  });

  it('writes n/a for a phase nothing was timed in', () => {
    const row: PhaseRow = {
      rowId: 'claude',
      addedP50: { ccproxy: 0.3, floor: 0.2, pipe: 0.2 },
      ccproxy: summarizePhases([]),
      floor: summarizePhases([record(0, 0.05, 0.2, 0.25)]),
    };
    expect(phasesSection([row], 10)).toContain('| n/a / 50 |');
  });
});

describe('the phase probe in a server process', () => {
  /** How long the fake upstream waits before it answers. */
  const UPSTREAM_DELAY_MS = 40;
  let upstream: HttpServer;
  let floor: Server;

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{"ok":true}');
        }, UPSTREAM_DELAY_MS);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    floor = await startBaseline('stack floor', 'stack-floor', port, phaseProbeArgs());
  });

  afterAll(async () => {
    await stop(floor, 5000);
    await new Promise((resolve) => upstream.close(resolve));
  });

  const send = () =>
    new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: floor.port, path: '/v1/chat/completions', method: 'POST' },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('error', reject);
      request.end('{"model":"m"}');
    });

  it('times each request, the upstream wait in its upstream phase', async () => {
    await readPhases(floor);
    for (let i = 0; i < 3; i++) expect(await send()).toBe(200);
    const records = await readPhases(floor);
    expect(records).toHaveLength(3);
    const summary = summarizePhases(records);
    expect(summary.requests).toBe(3);
    // The upstream's wait falls in the upstream phase, not before or after it.
    expect(summary.upstream).toBeGreaterThanOrEqual(UPSTREAM_DELAY_MS - 1);
    expect(summary.beforeUpstream).toBeLessThan(UPSTREAM_DELAY_MS / 2);
    expect(summary.afterUpstream).toBeLessThan(UPSTREAM_DELAY_MS / 2);
    expect(summary.inServer).toBeGreaterThanOrEqual(summary.upstream);
  });

  it('starts over after each ask', async () => {
    await send();
    expect(await readPhases(floor)).toHaveLength(1);
    expect(await readPhases(floor)).toHaveLength(0);
  });
});
