import { describe, expect, it } from 'vitest';
import { createRequestRecord, type RequestRecord } from '../../observability/request-record.js';
import { createDashboardFeed, dashboardRequest, replayCommand } from './feed.js';
import { createPlanUsageStore } from './plan-usage.js';

function record(fields: Partial<RequestRecord>): RequestRecord {
  const { record } = createRequestRecord({
    requestId: fields.requestId ?? 'req_1',
    method: 'POST',
    path: '/codex/v1/chat/completions',
    startedAt: 0,
  });
  return Object.assign(record, { status: 200, durationMs: 1500, ...fields });
}

describe('dashboard feed', () => {
  it('keeps tokens per minute per provider for the last hour and totals since start', () => {
    let now = Date.UTC(2026, 0, 1, 12, 0, 10);
    const feed = createDashboardFeed({ wallClock: () => now });
    feed.record(record({ provider: 'codex', usage: { inputTokens: 100, outputTokens: 20 } }));
    feed.record(record({ provider: 'claude', usage: { inputTokens: 5, outputTokens: 5 } }));
    now += 60_000;
    feed.record(
      record({
        provider: 'codex',
        usage: { inputTokens: 1, outputTokens: 2, cachedInputTokens: 1, reasoningTokens: 1 },
        status: 429,
        errorCode: 'upstream_rate_limit',
      }),
    );
    let usage = feed.usage();
    expect(usage.perMinute).toHaveLength(60);
    expect(usage.perMinute.at(-2)!.tokens).toEqual({ codex: 120, claude: 10 });
    expect(usage.perMinute.at(-1)!.tokens).toEqual({ codex: 3 });
    expect(usage.totals.codex).toEqual({
      requests: 2,
      failed: 1,
      inputTokens: 101,
      outputTokens: 22,
      cachedTokens: 1,
      reasoningTokens: 1,
    });
    now += 60 * 60_000;
    usage = feed.usage();
    expect(usage.perMinute.every((bucket) => Object.keys(bucket.tokens).length === 0)).toBe(true);
    expect(usage.totals.codex!.requests).toBe(2);
  });

  it('keeps a bounded list of recent requests', () => {
    const feed = createDashboardFeed({ keep: 2 });
    for (const id of ['a', 'b', 'c']) feed.record(record({ requestId: id }));
    expect(feed.recent().map((r) => r.id)).toEqual(['b', 'c']);
  });

  it('serializes and sends only to connected subscribers', () => {
    const feed = createDashboardFeed();
    feed.record(record({ requestId: 'unwatched' }));
    expect(feed.published()).toBe(0);
    const chunks: string[] = [];
    let closed = false;
    const unsubscribe = feed.subscribe({
      send: (chunk) => chunks.push(chunk),
      close: () => {
        closed = true;
      },
    });
    feed.record(record({ requestId: 'watched' }));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatch(/^event: request\ndata: \{.*"id":"watched".*\}\n\n$/);
    unsubscribe();
    feed.record(record({ requestId: 'after' }));
    expect(chunks).toHaveLength(1);
    expect(feed.published()).toBe(1);
    feed.subscribe({ send: () => {}, close: () => (closed = true) });
    feed.closeAll();
    expect(closed).toBe(true);
    expect(feed.subscribers()).toBe(0);
  });

  it('publishes plan usage changes once per burst, and only while a dashboard is connected', async () => {
    const planUsage = createPlanUsageStore();
    let reads = 0;
    const source = {
      snapshot: () => {
        reads += 1;
        return planUsage.snapshot();
      },
    };
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const feed = createDashboardFeed({ wallClock: () => now, planUsage: source });
    planUsage.report('codex', 'default', [{ usedRatio: 0.1, windowMinutes: 300 }]);
    feed.planUsageChanged();
    await Promise.resolve();
    expect(reads).toBe(0);

    const chunks: string[] = [];
    feed.subscribe({ send: (chunk) => chunks.push(chunk), close: () => {} });
    planUsage.report('codex', 'default', [{ usedRatio: 0.42, windowMinutes: 300 }]);
    // Headers and the stream's first event report in the same turn: one event.
    feed.planUsageChanged();
    feed.planUsageChanged();
    await Promise.resolve();
    expect(reads).toBe(1);
    expect(chunks).toHaveLength(1);
    const [, data] = /^event: usage\ndata: (.*)\n\n$/.exec(chunks[0]!)!;
    expect(JSON.parse(data!)).toEqual({
      now: '2026-01-01T12:00:00.000Z',
      planUsage: [
        {
          provider: 'codex',
          account: 'default',
          updatedAt: expect.any(String),
          windows: [{ usedRatio: 0.42, windowMinutes: 300 }],
        },
      ],
    });
    feed.planUsageChanged();
    await Promise.resolve();
    expect(chunks).toHaveLength(2);
  });

  it('dates a request from its end and duration', () => {
    const view = dashboardRequest(record({ durationMs: 2000 }), Date.UTC(2026, 0, 1, 0, 0, 2));
    expect(view.time).toBe('2026-01-01T00:00:00.000Z');
    expect(view.finishedAt).toBe('2026-01-01T00:00:02.000Z');
  });

  it('writes replay commands a shell takes as they are', () => {
    expect(replayCommand('/tmp/c/x-req_1', 'openai-responses', true)).toBe(
      'ccproxy replay /tmp/c/x-req_1.sse --as responses --stream',
    );
    expect(replayCommand("/tmp/my dir/it's", 'anthropic-messages', false)).toBe(
      "ccproxy replay '/tmp/my dir/it'\\''s.sse' --as messages",
    );
  });
});
