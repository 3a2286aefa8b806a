/** fast-check generators for neutral responses, for round-trip properties. */
import fc from 'fast-check';
import type { IrAssistantPart } from '../../src/ir/content.js';
import type { IrFinishReason, IrResponse } from '../../src/ir/response.js';
import type { IrUsage } from '../../src/ir/usage.js';

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const word = fc.stringMatching(/^[a-zA-Z0-9_]{1,16}$/);

/** Usage with every field either absent or a plausible count. */
export const usageArbitrary: fc.Arbitrary<IrUsage> = fc.record(
  {
    inputTokens: fc.nat({ max: 100_000 }),
    outputTokens: fc.nat({ max: 100_000 }),
    cachedInputTokens: fc.nat({ max: 1000 }),
    reasoningTokens: fc.nat({ max: 1000 }),
  },
  { requiredKeys: [] },
);

const toolArguments = fc
  .dictionary(word, fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()), {
    maxKeys: 4,
  })
  .map((value) => JSON.stringify(value));

/** One assistant part of any kind the IR models (no opaque parts, no meta). */
export const assistantPartArbitrary: fc.Arbitrary<IrAssistantPart> = fc.oneof(
  fc.record({ type: fc.constant('text' as const), text }),
  fc.record({
    type: fc.constant('text' as const),
    text,
    annotations: fc.array(
      fc.record({ type: fc.constant('url-citation' as const), url: fc.webUrl(), title: text }),
      { minLength: 1, maxLength: 2 },
    ),
  }),
  fc.record({ type: fc.constant('refusal' as const), text }),
  fc.record(
    {
      type: fc.constant('reasoning' as const),
      text,
      signature: word,
      encryptedContent: word,
      id: word.map((id) => `rs_${id}`),
    },
    { requiredKeys: ['type', 'text'] },
  ),
  fc.record({
    type: fc.constant('tool-call' as const),
    callId: word.map((id) => `call_${id}`),
    name: word,
    arguments: toolArguments,
    kind: fc.constant('function' as const),
  }),
);

const finishReasons: IrFinishReason[] = [
  'stop',
  'length',
  'tool-calls',
  'content-filter',
  'refusal',
];

/** A whole, well-formed response (completed or incomplete, or failed with an error). */
export const responseArbitrary: fc.Arbitrary<IrResponse> = fc
  .record({
    id: word.map((id) => `resp_${id}`),
    model: word,
    content: fc.array(assistantPartArbitrary, { maxLength: 5 }),
    finishReason: fc.constantFrom(...finishReasons),
    usage: usageArbitrary,
    failed: fc.boolean(),
  })
  .map(({ failed, ...rest }): IrResponse => {
    if (failed) {
      return {
        ...rest,
        finishReason: 'error',
        status: 'failed',
        error: { code: 'upstream_error', message: 'Upstream failed' },
      };
    }
    const status =
      rest.finishReason === 'length' || rest.finishReason === 'content-filter'
        ? 'incomplete'
        : 'completed';
    return { ...rest, status };
  });
