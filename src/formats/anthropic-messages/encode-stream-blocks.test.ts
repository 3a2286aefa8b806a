/**
 * The block writer's `openDelta` (a delta to the open block written as its one message, without
 * the list `push` grows): for any order of block events, valid or not, it writes what `push`
 * writes, or declines and leaves the event to `push`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { onTheWire } from '../../../test/helpers/sse-wire.js';
import type { SseMessage } from '../../sse/message.js';
import type { BlockEvent } from './block-event.js';
import { createBlockWriter } from './encode-stream-blocks.js';

const context = { createdAt: 1, createId: (prefix: string) => `${prefix}x` };

const delta = fc.oneof(fc.constant(''), fc.string({ maxLength: 6 }), fc.constantFrom('"', '\n'));

/**
 * Block events over three IR indexes, in any order (deltas before starts, after ends, of other
 * kinds), deltas the most frequent, as in a stream.
 */
const blockEvent: fc.Arbitrary<BlockEvent> = fc
  .tuple(fc.nat({ max: 2 }), fc.nat({ max: 17 }), delta)
  .map(([index, op, text]): BlockEvent => {
    switch (op) {
      case 0:
        return { type: 'text-start', index };
      case 1:
      case 2:
      case 12:
      case 13:
      case 14:
        return { type: 'text-delta', index, delta: text };
      case 3:
        return { type: 'text-end', index };
      case 4:
        return { type: 'reasoning-start', index };
      case 5:
      case 15:
        return { type: 'reasoning-delta', index, delta: text };
      case 6:
        return { type: 'reasoning-end', index, signature: 'sig' };
      case 7:
        return {
          type: 'tool-call-start',
          index,
          callId: `c${index}`,
          name: 'f',
          kind: text === '' ? 'custom' : 'function',
        };
      case 8:
      case 16:
        return { type: 'tool-call-delta', index, delta: text };
      case 9:
        return { type: 'tool-call-end', index };
      case 10:
        return { type: 'refusal-start', index };
      case 11:
        return { type: 'refusal-delta', index, delta: text };
      default:
        return {
          type: 'opaque',
          index,
          format: 'anthropic-messages',
          value: { type: 'redacted_thinking', data: 'x' },
        };
    }
  });

/** A block's events in order: its start, deltas, its end (`end` false: left open). */
const blockScript = (index: number): fc.Arbitrary<BlockEvent[]> =>
  fc
    .tuple(
      fc.constantFrom('text', 'refusal', 'reasoning', 'function', 'custom'),
      fc.array(delta, { maxLength: 6 }),
      fc.boolean(),
    )
    .map(([kind, deltas, end]): BlockEvent[] => {
      if (kind === 'function' || kind === 'custom') {
        return [
          { type: 'tool-call-start', index, callId: `c${index}`, name: 'f', kind },
          ...deltas.map((text): BlockEvent => ({ type: 'tool-call-delta', index, delta: text })),
          ...(end ? [{ type: 'tool-call-end', index } as BlockEvent] : []),
        ];
      }
      const type = kind as 'text' | 'refusal' | 'reasoning';
      return [
        { type: `${type}-start`, index } as BlockEvent,
        ...deltas.map((text) => ({ type: `${type}-delta`, index, delta: text }) as BlockEvent),
        ...(end ? [{ type: `${type}-end`, index } as BlockEvent] : []),
      ];
    });

/** Blocks one after another, or two of them interleaved (the second then waits its turn). */
const scripted: fc.Arbitrary<BlockEvent[]> = fc
  .tuple(blockScript(0), blockScript(1), blockScript(2), fc.boolean())
  .map(([first, second, third, interleave]) => {
    if (!interleave) return [...first, ...second, ...third];
    const mixed: BlockEvent[] = [];
    for (let i = 0; i < Math.max(first.length, second.length); i++) {
      if (i < first.length) mixed.push(first[i] as BlockEvent);
      if (i < second.length) mixed.push(second[i] as BlockEvent);
    }
    return [...mixed, ...third];
  });

describe('BlockWriter.openDelta', () => {
  it('writes what push writes for any events, and takes the usual deltas', () => {
    let taken = 0;
    fc.assert(
      fc.property(fc.oneof(fc.array(blockEvent, { maxLength: 40 }), scripted), (events) => {
        const reference = createBlockWriter(context);
        const fast = createBlockWriter(context);
        const expected: SseMessage[] = [];
        const written: SseMessage[] = [];
        for (const event of events) {
          reference.push(event, expected);
          const message = fast.openDelta(event);
          if (message === undefined) fast.push(event, written);
          else {
            taken++;
            written.push(message);
          }
        }
        reference.finish(expected);
        fast.finish(written);
        expect(onTheWire(written)).toEqual(onTheWire(expected));
      }),
      { numRuns: 2000 },
    );
    // The comparison means something only if the fast path ran.
    expect(taken).toBeGreaterThan(1000);
  });
});
