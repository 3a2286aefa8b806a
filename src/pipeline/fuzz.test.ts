/**
 * Fuzzing the conversions: random and mutated upstream SSE byte streams, through every upstream
 * format into every client format, streaming and not. Nothing may throw, and every streamed
 * answer must end with its format's terminal event.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixtureBytes } from '../../test/helpers/fixtures.js';
import type { WireFormatId } from '../formats/format.js';
import { formats } from '../formats/index.js';
import { WIRE_FORMAT_IDS } from '../ir/meta.js';
import { parseSse } from '../sse/parse.js';
import { runStep } from '../streams/step.js';
import {
  type ConversionPlan,
  convertBufferedBody,
  createPassthroughHalves,
  createStreamReassembler,
  createTranslateHalves,
  decodingHalf,
  type StreamHalves,
} from './conversion.js';
import { routeBetween } from './plan.js';

const SAMPLES: Record<WireFormatId, Buffer[]> = {
  'openai-responses': [
    'codex-output-missing',
    'reasoning',
    'parallel-tool-calls',
    'error-failed',
    'custom-tool-call',
  ].map((name) => loadFixtureBytes('openai-responses', `${name}.sse`)),
  'anthropic-messages': [
    'thinking-text-tool',
    'web-search-citations',
    'error-mid-stream',
    'redacted-thinking',
  ].map((name) => loadFixtureBytes('anthropic-messages', `${name}.sse`)),
  'openai-chat': [
    'tool-calls-parallel',
    'reasoning-deepseek',
    'error-mid-stream',
    'azure-text',
  ].map((name) => loadFixtureBytes('openai-chat', `${name}.sse`)),
};

function plan(clientFormat: WireFormatId, upstreamFormat: WireFormatId): ConversionPlan {
  let ids = 0;
  return {
    ...routeBetween(clientFormat, upstreamFormat),
    formats,
    encodeContext: { createdAt: 1, createId: (prefix) => `${prefix}${++ids}`, model: 'fuzz' },
    customTools: new Set(['apply_patch']),
    onWarning: () => {},
    onUnknownEvent: () => {},
  };
}

/** A mutation of a byte stream: cut, splice random bytes, duplicate or drop a range, flip bytes. */
const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('truncate' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.uint8Array({ maxLength: 40 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.constantFrom(
      ...[
        '\n\n',
        'data: {',
        'data: [DONE]\n\n',
        'event: error\n',
        '"type":',
        ': x\r\n',
        '\r',
        '}}]',
      ].map((s) => new TextEncoder().encode(s)),
    ),
  }),
  fc.record({
    kind: fc.constant('drop' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.nat({ max: 400 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.nat({ max: 400 }),
  }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    value: fc.nat({ max: 255 }),
  }),
);

function mutate(
  source: Uint8Array,
  mutations: Array<typeof mutation extends fc.Arbitrary<infer T> ? T : never>,
): Uint8Array {
  let bytes = Buffer.from(source);
  for (const m of mutations) {
    const at = Math.floor(m.at * bytes.length);
    switch (m.kind) {
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
        break;
      case 'drop':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
        break;
      case 'duplicate':
        bytes = Buffer.concat([
          bytes.subarray(0, at + m.length),
          bytes.subarray(at, at + m.length),
          bytes.subarray(at + m.length),
        ]);
        break;
      case 'flip':
        if (at < bytes.length) bytes[at] = m.value;
        break;
    }
  }
  return bytes;
}

function lastEvent(text: string, client: WireFormatId): string | undefined {
  const messages = parseSse(text).filter((message) => message.comment === undefined);
  const last = messages.at(-1);
  if (!last) return undefined;
  if (client === 'openai-chat') return last.data === '[DONE]' ? '[DONE]' : last.data;
  return last.event;
}

const TERMINAL: Record<WireFormatId, string[]> = {
  'openai-chat': ['[DONE]'],
  'anthropic-messages': ['message_stop', 'error'],
  'openai-responses': ['response.completed', 'response.incomplete', 'response.failed'],
};

function runHalves(halves: StreamHalves<unknown>, chunks: Uint8Array[]): string {
  const decode = decodingHalf(halves);
  const items: unknown[] = [];
  for (const chunk of chunks) items.push(...decode.push(chunk));
  items.push(...decode.end());
  return runStep(halves.encode, items)
    .map((chunk) => (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')))
    .join('');
}

describe('fuzzed upstream streams', () => {
  for (const upstreamFormat of WIRE_FORMAT_IDS) {
    it(`${upstreamFormat} streams, mutated, into every client format`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...SAMPLES[upstreamFormat]),
          fc.array(mutation, { minLength: 1, maxLength: 5 }),
          fc.constantFrom(...WIRE_FORMAT_IDS),
          fc.array(fc.nat({ max: 300 }), { maxLength: 6 }),
          (sample, mutations, clientFormat, cuts) => {
            const bytes = mutate(sample, mutations);
            const chunks: Uint8Array[] = [];
            let start = 0;
            for (const cut of [...cuts].sort((a, b) => a - b)) {
              if (cut > start && cut < bytes.length) {
                chunks.push(bytes.subarray(start, cut));
                start = cut;
              }
            }
            chunks.push(bytes.subarray(start));
            const conversion = plan(clientFormat, upstreamFormat);
            const halves =
              clientFormat === upstreamFormat
                ? createPassthroughHalves(conversion)
                : createTranslateHalves(conversion);
            const text = runHalves(halves as never, chunks);
            if (clientFormat !== upstreamFormat) {
              // A translated stream always ends with the client format's terminal event.
              expect(TERMINAL[clientFormat]).toContain(lastEvent(text, clientFormat));
            }
            const reassembler = createStreamReassembler(conversion);
            for (const chunk of chunks) reassembler.push(chunk);
            const { body } = convertBufferedBody(conversion, reassembler.result().body);
            expect(typeof body).toBe('object');
            JSON.stringify(body);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('arbitrary bytes never break any conversion', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.constantFrom(...WIRE_FORMAT_IDS),
        fc.constantFrom(...WIRE_FORMAT_IDS),
        (bytes, upstreamFormat, clientFormat) => {
          const conversion = plan(clientFormat, upstreamFormat);
          runHalves(createTranslateHalves(conversion) as never, [bytes]);
          const reassembler = createStreamReassembler(conversion);
          reassembler.push(bytes);
          convertBufferedBody(conversion, reassembler.result().body);
        },
      ),
      { numRuns: 150 },
    );
  });
});
