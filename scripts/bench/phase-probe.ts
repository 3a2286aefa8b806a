/**
 * Preloaded (`node --import`) into the servers the bench's phases pass measures (ccproxy and the
 * stack floor, which both call their upstream through undici): times each request's phases from
 * Node's and undici's diagnostics channels, without any code in the server (see `phases.ts`).
 * The upstream call's channels carry nothing that links them to the client's request, so this
 * holds for one request at a time: the pass sends them at concurrency 1. Answers
 * `{ type: 'phases' }` over IPC with the requests timed since the last ask.
 *
 * Subscribing costs the server a little on each request (the channels then build their
 * messages): the pass runs in processes of its own, apart from the bench's measurements.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { PhaseAnswer, PhaseRecord, PhaseRequest } from './phases.js';

if (process.send) {
  let current: Partial<PhaseRecord> | undefined;
  let records: PhaseRecord[] = [];
  const now = () => performance.now();
  subscribe('http.server.request.start', () => {
    current = { start: now() };
  });
  subscribe('undici:client:sendHeaders', () => {
    if (current !== undefined && current.sent === undefined) current.sent = now();
  });
  subscribe('undici:request:trailers', () => {
    if (current !== undefined && current.upstreamEnd === undefined) current.upstreamEnd = now();
  });
  subscribe('http.server.response.finish', () => {
    const record = current;
    current = undefined;
    if (
      record?.start === undefined ||
      record.sent === undefined ||
      record.upstreamEnd === undefined
    ) {
      return;
    }
    records.push({
      start: record.start,
      sent: record.sent,
      upstreamEnd: record.upstreamEnd,
      finish: now(),
    });
  });
  process.on('message', (message: PhaseRequest) => {
    if (message?.type !== 'phases') return;
    const answer: PhaseAnswer = { type: 'phases', records };
    records = [];
    process.send?.(answer);
  });
  process.channel?.unref();
}
