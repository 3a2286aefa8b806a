import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseArbitrary } from '../../test/helpers/ir-arbitraries.js';
import { accumulateEvents } from './accumulate.js';
import { checkEvents } from './check-events.js';
import type { IrEvent } from './events.js';
import { TRUNCATED_STREAM_ERROR } from './response.js';
import { responseToEvents } from './response-to-events.js';

describe('IR accumulator', () => {
  it('rebuilds interleaved blocks from many deltas', () => {
    const events: IrEvent[] = [
      { type: 'message-start', id: 'r1', model: 'm' },
      { type: 'text-start', index: 0 },
      { type: 'tool-call-start', index: 1, callId: 'call_a', name: 'f', kind: 'function' },
      { type: 'text-delta', index: 0, delta: 'Hel' },
      { type: 'tool-call-delta', index: 1, delta: '{"a"' },
      { type: 'text-delta', index: 0, delta: 'lo' },
      { type: 'tool-call-delta', index: 1, delta: ':1}' },
      { type: 'text-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'usage', usage: { inputTokens: 3 } },
      { type: 'usage', usage: { outputTokens: 9 } },
      { type: 'message-end', finishReason: 'tool-calls' },
    ];
    expect(checkEvents(events)).toEqual([]);
    expect(accumulateEvents(events)).toEqual({
      id: 'r1',
      model: 'm',
      content: [
        { type: 'text', text: 'Hello' },
        { type: 'tool-call', callId: 'call_a', name: 'f', arguments: '{"a":1}', kind: 'function' },
      ],
      finishReason: 'tool-calls',
      status: 'completed',
      usage: { inputTokens: 3, outputTokens: 9 },
    });
  });

  it('keeps what was gathered when the stream stops early, marked incomplete', () => {
    const result = accumulateEvents([
      { type: 'message-start', id: 'r2' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'partial' },
    ]);
    expect(result.status).toBe('incomplete');
    expect(result.error).toEqual(TRUNCATED_STREAM_ERROR);
    expect(result.content).toEqual([{ type: 'text', text: 'partial' }]);
  });

  it('keeps content before a mid-stream error and marks the response failed', () => {
    const result = accumulateEvents([
      { type: 'message-start' },
      { type: 'text-start', index: 0 },
      { type: 'text-delta', index: 0, delta: 'so far' },
      { type: 'error', error: { code: 'upstream_overloaded', message: 'Overloaded' } },
    ]);
    expect(result).toMatchObject({
      status: 'failed',
      finishReason: 'error',
      content: [{ type: 'text', text: 'so far' }],
      error: { code: 'upstream_overloaded' },
    });
  });

  it('tolerates deltas for blocks that never started', () => {
    const result = accumulateEvents([
      { type: 'message-start' },
      { type: 'tool-call-delta', index: 0, delta: '{}' },
      { type: 'message-end', finishReason: 'tool-calls' },
    ]);
    expect(result.content).toEqual([
      { type: 'tool-call', callId: '', name: '', arguments: '{}', kind: 'function' },
    ]);
  });

  it('is the inverse of responseToEvents', () => {
    fc.assert(
      fc.property(responseArbitrary, (response) => {
        const events = responseToEvents(response);
        expect(checkEvents(events)).toEqual([]);
        expect(accumulateEvents(events)).toEqual(response);
      }),
      { numRuns: 500 },
    );
  });
});

describe('checkEvents', () => {
  it('reports broken grammar', () => {
    expect(
      checkEvents([
        { type: 'text-start', index: 1 },
        { type: 'text-delta', index: 2, delta: 'x' },
        { type: 'reasoning-end', index: 1 },
      ]),
    ).toEqual([
      'event 0 (text-start): the first event must be message-start',
      'event 0 (text-start): index 1 is not the next dense index 0',
      'event 1 (text-delta): block 2 is not open',
      'event 2 (reasoning-end): block 1 is a text block',
      'the stream has no message-end or error event',
    ]);
  });
});
