/**
 * Where a request's latency goes, at concurrency 1: the phases the phase probe
 * (`phase-probe.ts`) times in a server that calls its upstream through undici (ccproxy and the
 * stack floor), from Node's and undici's diagnostics channels. Before the upstream: from the
 * server's request event to the upstream request's head written (reading and checking the
 * client's body, building and sending the upstream request). The upstream: from there to the
 * end of its answer. After the upstream: from there to the client's answer written whole
 * (reading, converting and writing the answer).
 */
import { median } from './analysis.js';

/** One request's moments, in ms on the server's own clock (`performance.now()`). */
export interface PhaseRecord {
  /** Node's `http.server.request.start`: the request's head is parsed. */
  start: number;
  /** undici's `undici:client:sendHeaders`: the upstream request's head is written. */
  sent: number;
  /** undici's `undici:request:trailers`: the upstream's answer has ended. */
  upstreamEnd: number;
  /** Node's `http.server.response.finish`: the client's answer is written whole. */
  finish: number;
}

/** What a server's phase probe is asked over IPC, and what it answers. */
export interface PhaseRequest {
  type: 'phases';
}
export interface PhaseAnswer {
  type: 'phases';
  /** The requests timed since the last ask (the probe then starts over). */
  records: PhaseRecord[];
}

/** Medians of a server's phases over its requests, in ms. */
export interface PhaseSummary {
  requests: number;
  beforeUpstream: number;
  upstream: number;
  afterUpstream: number;
  /** The request's whole time in the server: request event to answer written. */
  inServer: number;
}

/** The medians of each phase; a record whose moments are out of order is left out. */
export function summarizePhases(records: readonly PhaseRecord[]): PhaseSummary {
  const valid = records.filter(
    (record) =>
      record.start <= record.sent &&
      record.sent <= record.upstreamEnd &&
      record.upstreamEnd <= record.finish,
  );
  return {
    requests: valid.length,
    beforeUpstream: median(valid.map((record) => record.sent - record.start)),
    upstream: median(valid.map((record) => record.upstreamEnd - record.sent)),
    afterUpstream: median(valid.map((record) => record.finish - record.upstreamEnd)),
    inServer: median(valid.map((record) => record.finish - record.start)),
  };
}

/** One row of the phases pass. */
export interface PhaseRow {
  rowId: string;
  /** Added p50 (the server's p50 minus the direct request's), ms, in the same pass. */
  addedP50: { ccproxy: number; floor: number; pipe: number };
  ccproxy: PhaseSummary;
  floor: PhaseSummary;
}
