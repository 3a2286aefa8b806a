import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import type { UsageReport } from '../../accounts/plan-usage.js';
import type { UpstreamBody } from '../../http/upstream-fetch.js';
import {
  codexLimitResetAt,
  readCodexRateLimitsEvent,
  readCodexUsageHeaders,
  tapCodexRateLimits,
} from './usage.js';

/** What the tap reported before its byte pre-check: one parser fed the whole 64 KiB prefix. */
function referenceReports(chunks: Uint8Array[]): UsageReport[] {
  const reports: UsageReport[] = [];
  const decoder = new TextDecoder();
  const parser = createParser({
    onEvent(message) {
      if (message.event !== 'codex.rate_limits' && !message.data.includes('codex.rate_limits'))
        return;
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
      const type = (data as { type?: unknown }).type;
      if (type !== undefined && type !== 'codex.rate_limits') return;
      const report = readCodexRateLimitsEvent(data, 0);
      if (report) reports.push(report);
    },
  });
  let scanned = 0;
  for (const chunk of chunks) {
    if (scanned >= 64 * 1024) break;
    scanned += chunk.byteLength;
    parser.feed(decoder.decode(chunk, { stream: true }));
  }
  return reports;
}

async function tapReports(
  chunks: Uint8Array[],
): Promise<{ reports: UsageReport[]; out: number[] }> {
  const queue = [...chunks];
  const reports: UsageReport[] = [];
  const body = tapCodexRateLimits(
    {
      read: async () => {
        const value = queue.shift();
        return value ? { done: false, value } : { done: true };
      },
      cancel: async () => {},
    },
    (report) => reports.push(report),
    () => 0,
  );
  const out: number[] = [];
  for (;;) {
    const next = await body.read();
    if (next.done) break;
    out.push(...next.value);
  }
  return { reports, out };
}

/** Splits bytes at pseudo-random places (deterministic for a seed). */
function splitBytes(bytes: Uint8Array, seed: number, maxPiece: number): Uint8Array[] {
  let state = seed;
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const length = 1 + (state % maxPiece);
    pieces.push(bytes.subarray(at, at + length));
    at += length;
  }
  return pieces;
}

function limitsEvent(used: number, eol = '\n', withName = true): string {
  const data = `{"type":"codex.rate_limits","rate_limits":{"primary":{"used_percent":${used},"reset_at":5}}}`;
  return `${withName ? `event: codex.rate_limits${eol}` : ''}data: ${data}${eol}${eol}`;
}

function deltaEvent(text: string, eol = '\n'): string {
  return `event: response.output_text.delta${eol}data: ${JSON.stringify({ type: 'response.output_text.delta', delta: text })}${eol}${eol}`;
}

function bodyOf(chunks: string[]): UpstreamBody {
  const queue = chunks.map((chunk) => new TextEncoder().encode(chunk));
  return {
    read: async () => {
      const value = queue.shift();
      return value ? { done: false, value } : { done: true };
    },
    cancel: async () => {},
  };
}

describe('Codex usage', () => {
  it('reads the headers, with a relative reset from older backends', () => {
    const headers = new Headers({
      'x-codex-primary-used-percent': '55',
      'x-codex-primary-window-minutes': '300',
      'x-codex-primary-reset-after-seconds': '60',
      'x-codex-credits-unlimited': 'false',
      'x-codex-credits-balance': '3',
    });
    expect(readCodexUsageHeaders(headers, 1_000)).toEqual({
      windows: [{ name: 'primary', usedRatio: 0.55, windowMinutes: 300, resetsAt: 61_000 }],
      credits: { unlimited: false, balance: '3' },
    });
    expect(readCodexUsageHeaders(new Headers({ 'x-codex-primary-used-percent': 'x' }), 0)).toBe(
      undefined,
    );
  });

  it('rests a limited account until the reset of its full window only', () => {
    const headers = new Headers({
      'x-codex-primary-used-percent': '100',
      'x-codex-primary-reset-at': '50',
      'x-codex-secondary-used-percent': '40',
      'x-codex-secondary-reset-at': '900',
    });
    expect(codexLimitResetAt(headers, 0)).toBe(50_000);
    headers.set('x-codex-primary-used-percent', '99');
    expect(codexLimitResetAt(headers, 0)).toBeUndefined();
  });

  it('reads the event leniently (missing windows, unknown fields)', () => {
    expect(
      readCodexRateLimitsEvent(
        {
          type: 'codex.rate_limits',
          rate_limits: { secondary: { used_percent: 5, resets_at: 10, future: 1 } },
        },
        0,
      ),
    ).toEqual({ windows: [{ name: 'secondary', usedRatio: 0.05, resetsAt: 10_000 }] });
    expect(readCodexRateLimitsEvent({ type: 'codex.rate_limits' }, 0)).toBeUndefined();
  });

  it('finds the event in a stream split anywhere and passes every byte through', async () => {
    const event = `event: codex.rate_limits\ndata: {"type":"codex.rate_limits","rate_limits":{"primary":{"used_percent":9,"window_minutes":300,"reset_at":5}}}\n\n`;
    const rest = 'event: response.created\ndata: {"type":"response.created"}\n\n';
    const text = event + rest;
    for (const cut of [1, 17, 60, event.length - 1, event.length + 3]) {
      const reports: UsageReport[] = [];
      const body = tapCodexRateLimits(
        bodyOf([text.slice(0, cut), text.slice(cut)]),
        (report) => reports.push(report),
        () => 0,
      );
      let out = '';
      for (;;) {
        const next = await body.read();
        if (next.done) break;
        out += new TextDecoder().decode(next.value);
      }
      expect(out).toBe(text);
      expect(reports).toEqual([
        { windows: [{ name: 'primary', usedRatio: 0.09, windowMinutes: 300, resetsAt: 5000 }] },
      ]);
    }
  });

  describe('byte pre-check before any parsing', () => {
    const filler = (n: number) => deltaEvent('word '.repeat(n));
    const streams: Record<string, string> = {
      'first event': limitsEvent(9) + filler(50) + filler(20),
      'none at all': filler(40) + filler(400),
      'CRLF line ends': limitsEvent(7, '\r\n') + deltaEvent('a', '\r\n') + limitsEvent(8, '\r\n'),
      'CR line ends': limitsEvent(7, '\r') + deltaEvent('b', '\r') + limitsEvent(6, '\r'),
      'two events apart': filler(30) + limitsEvent(1) + filler(200) + limitsEvent(2) + filler(5),
      'without an event line': filler(3) + limitsEvent(4, '\n', false),
      'the name inside other text': deltaEvent('see codex.rate_limits here') + limitsEvent(3),
      'after a blank line split CR LF': `${limitsEvent(5).replace(/\n\n$/, '\r\r\n')}${limitsEvent(6)}`,
      'an event past 64 KiB': filler(14000) + limitsEvent(11),
      'one cut short by the 64 KiB limit': filler(13100) + limitsEvent(12) + filler(10),
      'a BOM mid-stream': `${limitsEvent(1)}\uFEFFevent: codex.rate_limits\ndata: {"rate_limits":{"primary":{"used_percent":3}}}\n\n`,
    };
    for (const [name, text] of Object.entries(streams)) {
      it(`reports what a full parse reports: ${name}`, async () => {
        const bytes = new TextEncoder().encode(text);
        for (const [seed, maxPiece] of [
          [1, bytes.length],
          [2, 1],
          [3, 7],
          [4, 40],
          [5, 300],
          [6, 5000],
        ] as const) {
          // Tiny pieces only for the short streams (the long ones would take seconds).
          if (maxPiece < 40 && bytes.length > 10_000) continue;
          const chunks = splitBytes(bytes, seed, maxPiece);
          const { reports, out } = await tapReports(chunks);
          expect(reports).toEqual(referenceReports(chunks));
          expect(Buffer.from(out).equals(Buffer.from(bytes))).toBe(true);
        }
      });
    }

    it('reports events when their name sits across a chunk boundary', async () => {
      const text = filler(2) + limitsEvent(42);
      const at = text.indexOf('codex.rate_limits') + 6;
      const chunks = [text.slice(0, at), text.slice(at)].map((part) =>
        new TextEncoder().encode(part),
      );
      const { reports } = await tapReports(chunks);
      expect(reports).toEqual([
        { windows: [{ name: 'primary', usedRatio: 0.42, resetsAt: 5000 }] },
      ]);
    });

    it('reports nothing past the first 64 KiB', async () => {
      const text = filler(14000) + limitsEvent(42);
      expect(text.length).toBeGreaterThan(64 * 1024);
      const { reports } = await tapReports(splitBytes(new TextEncoder().encode(text), 9, 4000));
      expect(reports).toEqual([]);
    });
  });
});
