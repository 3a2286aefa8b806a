import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/helpers/openai-responses-kit.js';
import { createLargeCodexStream } from '../../../test/helpers/openai-responses-large-stream.js';
import { splitRandomly } from '../../../test/helpers/split.js';
import type { SseMessage } from '../../sse/message.js';
import { createSseParser, type PlainEvent, type PlainRun } from '../../sse/parse.js';
import type { DecodeStreamOptions } from '../format.js';
import { createResponsesStreamAccumulator } from './accumulate-stream.js';
import { createResponsesStreamDecoder } from './decode-stream.js';
import { createResponsesStreamPassthrough } from './passthrough-stream.js';

type Event = Record<string, unknown> & { type: string };

/** The upstream's own events, in the shapes the steps read differently. */
const limits = {
  type: 'codex.rate_limits',
  plan_type: 'pro',
  rate_limits: { primary: { used_percent: 42, window_minutes: 300, reset_at: 5 } },
};
const flat = { type: 'codex.notice', sequence_number: 0, text: 'flat, read by the scan' };
const keepalive = { type: 'keepalive', sequence_number: 0 };
/** No `type` in the data: the SSE event name stands in for it. */
const named = { rate_limits: { secondary: { used_percent: 7 } } };

function withBackendEvents(sse: string): { text: string; expected: Event[] } {
  const event = (name: string, data: unknown) =>
    `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  const at = sse.indexOf('event: response.output_text.delta');
  const text =
    event('codex.rate_limits', limits) +
    sse.slice(0, at) +
    event('codex.notice', flat) +
    event('keepalive', keepalive) +
    event('codex.rate_limits', named) +
    sse.slice(at);
  // Every backend event of the text in its order, the large stream's own among them (one
  // `codex.rate_limits`, five `keepalive`s), with the event name as the type where none is.
  const expected = [...text.matchAll(/^event: (codex\.[\w.]+|keepalive)\ndata: (.*)$/gm)].map(
    (match) => ({ type: match[1] ?? '', ...(JSON.parse(match[2] ?? '') as object) }) as Event,
  );
  return { text, expected };
}

/** Feeds `text` split at random places to a step through the parser the pipeline puts before it. */
function feed(
  text: string,
  seed: number,
  step: {
    push(message: SseMessage): unknown;
    plain?: PlainEvent;
    plainRun?: () => PlainRun | undefined;
  },
): void {
  const parser = createSseParser({ plain: step.plain, plainRun: step.plainRun });
  for (const chunk of splitRandomly(new TextEncoder().encode(text), seed, 4000))
    for (const message of parser.push(chunk)) step.push(message);
  for (const message of parser.end()) step.push(message);
}

describe('the Responses steps hand the upstream’s own events to `onBackendEvent`', () => {
  const { sse } = createLargeCodexStream();
  const { text, expected } = withBackendEvents(sse);
  const steps: Record<string, (options: DecodeStreamOptions) => Parameters<typeof feed>[2]> = {
    passthrough: (options) => createResponsesStreamPassthrough(testContext(), options),
    accumulator: (options) => createResponsesStreamAccumulator(options),
    decoder: (options) => createResponsesStreamDecoder(options),
  };
  for (const [name, create] of Object.entries(steps)) {
    it(`${name}: every one, once, parsed, in order, whatever the chunks`, () => {
      for (const seed of [1, 2, 3]) {
        const reported: Event[] = [];
        feed(text, seed, create({ onBackendEvent: (event) => reported.push(event) }));
        expect(expected).toHaveLength(10);
        expect(reported).toEqual(expected);
        expect(reported[0]).toEqual(limits);
      }
    });
  }

  it('passthrough: none of them reaches the client', () => {
    const out: SseMessage[] = [];
    const step = createResponsesStreamPassthrough(testContext(), { onBackendEvent: () => {} });
    const parser = createSseParser({ plain: step.plain, plainRun: step.plainRun });
    for (const message of [...parser.push(text), ...parser.end()]) out.push(...step.push(message));
    out.push(...step.end());
    const wire = out.map((message) => message.raw ?? `${message.event} ${message.data}`).join('');
    expect(wire).not.toMatch(/codex\.|keepalive/);
  });
});
