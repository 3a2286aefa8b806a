/** Shared checks of the head-only stream decoders (the pipeline's probe of a stream's head). */
import { expect } from 'vitest';
import type { DecodeStreamOptions } from '../../src/formats/format.js';
import type { IrEvent } from '../../src/ir/events.js';
import type { SseMessage } from '../../src/sse/message.js';
import type { StreamStep } from '../../src/streams/step.js';

/** A format's stream decoder factory. */
export type MakeDecoder = (options: DecodeStreamOptions) => StreamStep<SseMessage, IrEvent>;

/** What a probe may leave out by default: the fields of message-start. */
export function withoutStartFields(events: IrEvent[]): unknown[] {
  return events.map((event) => (event.type === 'message-start' ? { type: event.type } : event));
}

/** Each message's events, message by message (as the probe reads them), then the end's. */
export function stepwise(
  make: MakeDecoder,
  messages: SseMessage[],
  options: DecodeStreamOptions,
): IrEvent[][] {
  const decoder = make(options);
  return [...messages.map((message) => decoder.push(message)), decoder.end()];
}

/**
 * Checks that a head-only decoder gives the full decoder's events, message by message, as
 * `judged` sees them, on every stream of `streams` cut after every message.
 */
export function expectHeadOnlyAgrees(
  make: MakeDecoder,
  streams: Record<string, SseMessage[]>,
  judged: (events: IrEvent[]) => unknown[] = withoutStartFields,
): void {
  for (const [name, messages] of Object.entries(streams)) {
    for (let cut = 0; cut <= messages.length; cut++) {
      const head = messages.slice(0, cut);
      expect(stepwise(make, head, { headOnly: true }).map(judged), `${name} @${cut}`).toEqual(
        stepwise(make, head, {}).map(judged),
      );
    }
  }
}
