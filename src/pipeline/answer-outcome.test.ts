/**
 * `readAnswerOutcome` against `decodeResponse`: for any body, a format's reader either declines or
 * gives exactly the usage and finish reason the full decode gives, for an answer the decode finds
 * no failure in. Bodies: every reassembled transcript of the format, and any IR response encoded
 * in the format with one field replaced by any JSON value (or removed).
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixturePath, loadFixtureJson } from '../../test/helpers/fixtures.js';
import { responseArbitrary } from '../../test/helpers/ir-arbitraries.js';
import type { EncodeContext, WireBody, WireFormat } from '../formats/format.js';
import { formats } from '../formats/index.js';
import type { WireFormatId } from '../ir/meta.js';

const context: EncodeContext = { createdAt: 1767300000, createId: (prefix) => `${prefix}test` };

/** Where a drifting upstream may put something unexpected, by format. */
const DRIFT_PATHS: Record<string, ReadonlyArray<ReadonlyArray<string | number>>> = {
  'openai-chat': [
    ['usage'],
    ['usage', 'prompt_tokens'],
    ['usage', 'completion_tokens_details'],
    ['choices'],
    ['choices', 0],
    ['choices', 0, 'finish_reason'],
    ['choices', 0, 'message'],
    ['choices', 0, 'message', 'refusal'],
    ['choices', 0, 'message', 'content'],
  ],
  'anthropic-messages': [
    ['usage'],
    ['usage', 'input_tokens'],
    ['usage', 'cache_read_input_tokens'],
    ['stop_reason'],
    ['content'],
    ['type'],
  ],
};

/** Values some drift paths read specially: finish reasons, refusals, content parts. */
const DRIFT_VALUES: unknown[] = [
  'stop',
  'end_turn',
  'refusal',
  'I cannot help with that.',
  [{ type: 'refusal', refusal: 'No.' }],
  [{ type: 'text', text: 'Hi' }],
  { input_tokens: 3, output_tokens: 4 },
  { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
];

/** A copy of `body` with the value at `path` replaced (`undefined`: removed), where it exists. */
function withValue(body: WireBody, path: ReadonlyArray<string | number>, value: unknown): WireBody {
  const copy = structuredClone(body);
  let at: unknown = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof at !== 'object' || at === null) return copy;
    at = (at as Record<string | number, unknown>)[key];
  }
  if (typeof at !== 'object' || at === null) return copy;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete (at as Record<string | number, unknown>)[last];
  else (at as Record<string | number, unknown>)[last] = value;
  return copy;
}

/** The reassembled transcripts of a format (`*.expected.json`). */
function fixtureBodies(id: WireFormatId): WireBody[] {
  const folder = dirname(fixturePath(id, 'x'));
  return readdirSync(folder)
    .filter((file) => file.endsWith('.expected.json'))
    .map((file) => loadFixtureJson(id, file));
}

const readers = (Object.values(formats) as WireFormat[]).filter(
  (format) => format.readAnswerOutcome !== undefined,
);

describe('readAnswerOutcome', () => {
  it('is given by the Chat and Messages formats', () => {
    expect(readers.map((format) => format.id).sort()).toEqual([
      'anthropic-messages',
      'openai-chat',
    ]);
  });

  describe.each(readers.map((format) => [format.id, format] as const))('%s', (id, format) => {
    const read = format.readAnswerOutcome as NonNullable<WireFormat['readAnswerOutcome']>;
    let answered = 0;
    let declined = 0;

    const check = (body: WireBody) => {
      const outcome = read(body);
      if (outcome === undefined) {
        declined++;
        return;
      }
      answered++;
      const decoded = format.decodeResponse(body).value;
      expect(decoded.error).toBeUndefined();
      expect(outcome).toEqual({ usage: decoded.usage, finishReason: decoded.finishReason });
    };

    it('agrees with the full decode on every transcript', () => {
      const bodies = fixtureBodies(id);
      expect(bodies.length).toBeGreaterThan(5);
      for (const body of bodies) check(body);
    });

    it('agrees with the full decode on any encoded answer, drift included', () => {
      const paths = DRIFT_PATHS[id] ?? [];
      fc.assert(
        fc.property(
          responseArbitrary,
          fc.option(
            fc.record({
              path: fc.constantFrom(...paths),
              value: fc.oneof(fc.jsonValue(), fc.constantFrom(undefined, ...DRIFT_VALUES)),
            }),
          ),
          (response, drift) => {
            const body = format.encodeResponse(response, context).value;
            check(drift ? withValue(body, drift.path, drift.value) : body);
          },
        ),
        { numRuns: 400 },
      );
      // A reader that declined everything would agree with anything.
      expect(answered).toBeGreaterThan(declined);
    });
  });

  it('leaves a Chat refusal to the full decode, which reads it', () => {
    const chat = formats['openai-chat'];
    const body = loadFixtureJson('openai-chat', 'refusal.expected.json');
    const inParts = withValue(
      withValue(
        loadFixtureJson('openai-chat', 'text.expected.json'),
        ['choices', 0, 'message', 'content'],
        [{ type: 'refusal', refusal: 'No.' }],
      ),
      ['choices', 0, 'finish_reason'],
      'stop',
    );
    for (const refused of [body, inParts]) {
      expect(chat.readAnswerOutcome?.(refused)).toBeUndefined();
      expect(chat.decodeResponse(refused).value.finishReason).toBe('refusal');
    }
  });
});
