/**
 * The Chat stream decoder's fast path for ordinary delta chunks (`readOrdinaryChoice`): which
 * shapes it takes, that every other shape falls back to the narrowing, and that both paths give
 * the same events and warnings. The reference run sends each message with `event: "message"`,
 * which the fast path leaves alone and the full path reads like no event name at all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IrEvent } from '../../ir/events.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import type { SseMessage } from '../../sse/message.js';
import { runStep } from '../../streams/step.js';
import { createChatStreamDecoder, readOrdinaryChoice } from './decode-stream.js';

const envelope = {
  id: 'chatcmpl-x',
  object: 'chat.completion.chunk',
  created: 9,
  model: 'm',
  service_tier: 'default',
  system_fingerprint: 'fp_1',
};
const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...envelope,
  choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }],
  usage: null,
  obfuscation: 'abc',
  ...extra,
});

interface Decoded {
  events: IrEvent[];
  warnings: ConversionWarning[];
  unknown: string[];
}

function decode(payloads: unknown[], event?: string): Decoded {
  const warnings: ConversionWarning[] = [];
  const unknown: string[] = [];
  const messages: SseMessage[] = payloads.map((payload) => ({
    data: typeof payload === 'string' ? payload : JSON.stringify(payload),
    ...(event !== undefined ? { event } : {}),
  }));
  const decoder = createChatStreamDecoder({
    onWarning: (warning) => warnings.push(warning),
    onUnknownEvent: (type) => unknown.push(type),
  });
  return { events: runStep(decoder, messages), warnings, unknown };
}

/** A stream around `middle`: a role chunk first (the start), a finish chunk and usage after. */
function stream(middle: unknown[]): unknown[] {
  return [
    chunk({ delta: { role: 'assistant', content: '' } }),
    ...middle,
    chunk({ delta: {}, finish_reason: 'stop' }),
    { ...envelope, choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } },
    '[DONE]',
  ];
}

/** Decodes `payloads` through the fast path where it applies and through the full path only. */
function bothPaths(payloads: unknown[]): { fast: Decoded; full: Decoded } {
  return { fast: decode(payloads), full: decode(payloads, 'message') };
}

const ORDINARY: [string, unknown][] = [
  ['a content delta', chunk({ delta: { content: 'Hello "world"\n' } })],
  ['null content', chunk({ delta: { content: null } })],
  ['a role and content', chunk({ delta: { role: 'assistant', content: 'hi' } })],
  ['reasoning_content', chunk({ delta: { reasoning_content: 'think', content: null } })],
  ['reasoning', chunk({ delta: { reasoning: 'think' } })],
  ['a refusal', chunk({ delta: { refusal: 'no' } })],
  ['an empty delta', chunk({ delta: {} })],
  ['no object, index or logprobs', { choices: [{ delta: { content: 'x' } }] }],
  ['a finish reason', chunk({ delta: {}, finish_reason: 'length' })],
  [
    'a first tool call piece',
    chunk({
      delta: {
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } },
        ],
      },
    }),
  ],
  [
    'an arguments fragment',
    chunk({ delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] } }),
  ],
  ['null tool_calls entries', chunk({ delta: { content: 'x', tool_calls: [] } })],
];

/** Shapes the fast path leaves to the full path, each with what makes it unusual. */
const FALLBACKS: [string, unknown][] = [
  ['not an object', [1, 2]],
  ['a top-level error', chunk({ delta: { content: 'x' } }, { error: { message: 'boom' } })],
  ['a null error', chunk({ delta: { content: 'x' } }, { error: null })],
  ['object "error"', chunk({ delta: { content: 'x' } }, { object: 'error' })],
  ['an unknown object', chunk({ delta: { content: 'x' } }, { object: 'list' })],
  ['a non-string object', chunk({ delta: { content: 'x' } }, { object: 5 })],
  ['a usage object', chunk({ delta: { content: 'x' } }, { usage: { prompt_tokens: 1 } })],
  ['a non-object usage', chunk({ delta: { content: 'x' } }, { usage: 1 })],
  ['no choices', { ...envelope, choices: [] }],
  ['choices not an array', { ...envelope, choices: { index: 0 } }],
  [
    'two choices',
    {
      ...envelope,
      choices: [
        { index: 0, delta: { content: 'a' } },
        { index: 1, delta: { content: 'b' } },
      ],
    },
  ],
  ['a choice that is not an object', { ...envelope, choices: ['x'] }],
  ['choice index 1', chunk({ index: 1, delta: { content: 'x' } })],
  ['a string choice index', chunk({ index: '0', delta: { content: 'x' } })],
  ['a whole message', chunk({ delta: undefined, message: { content: 'x' } })],
  ['usage in the choice', chunk({ delta: { content: 'x' }, usage: { prompt_tokens: 1 } })],
  ['logprobs', chunk({ delta: { content: 'x' }, logprobs: { content: [] } })],
  ['a numeric finish_reason', chunk({ delta: { content: 'x' }, finish_reason: 1 })],
  ['no delta', chunk({})],
  ['a string delta', chunk({ delta: 'x' })],
  ['numeric content', chunk({ delta: { content: 5 } })],
  ['array reasoning_content', chunk({ delta: { reasoning_content: ['x'] } })],
  ['object reasoning', chunk({ delta: { reasoning: { text: 'x' } } })],
  ['boolean refusal', chunk({ delta: { refusal: true } })],
  [
    'annotations',
    chunk({
      delta: {
        content: 'x',
        annotations: [
          {
            type: 'url_citation',
            url_citation: { url: 'https://a', start_index: 0, end_index: 1 },
          },
        ],
      },
    }),
  ],
  ['a legacy function_call', chunk({ delta: { function_call: { name: 'f', arguments: '{}' } } })],
  ['null tool_calls', chunk({ delta: { tool_calls: null } })],
  ['tool_calls not an array', chunk({ delta: { tool_calls: { index: 0 } } })],
  ['a tool call that is not an object', chunk({ delta: { tool_calls: ['x'] } })],
  [
    'a tool call without index',
    chunk({ delta: { tool_calls: [{ id: 'call_1', function: { name: 'f', arguments: '' } }] } }),
  ],
  [
    'a string tool call index',
    chunk({ delta: { tool_calls: [{ index: '0', function: { arguments: '1' } }] } }),
  ],
  [
    'a custom tool call',
    chunk({
      delta: { tool_calls: [{ index: 0, type: 'custom', custom: { name: 'p', input: 'x' } }] },
    }),
  ],
  [
    'name and arguments at the top of a tool call',
    chunk({ delta: { tool_calls: [{ index: 0, name: 'f', arguments: '{}' }] } }),
  ],
  ['a tool call without function', chunk({ delta: { tool_calls: [{ index: 0, id: 'call_1' }] } })],
  [
    'a numeric function name',
    chunk({ delta: { tool_calls: [{ index: 0, function: { name: 1, arguments: '' } }] } }),
  ],
  [
    'object arguments',
    chunk({ delta: { tool_calls: [{ index: 0, function: { name: 'f', arguments: {} } }] } }),
  ],
  [
    'a numeric tool call id',
    chunk({ delta: { tool_calls: [{ index: 0, id: 7, function: { name: 'f' } }] } }),
  ],
  [
    'a numeric tool call type',
    chunk({ delta: { tool_calls: [{ index: 0, type: 1, function: { name: 'f' } }] } }),
  ],
];

describe('readOrdinaryChoice', () => {
  for (const [name, payload] of ORDINARY) {
    it(`takes ${name}, with the same events as the full path`, () => {
      expect(readOrdinaryChoice(payload)).toBeDefined();
      const { fast, full } = bothPaths(stream([payload, payload]));
      expect(fast).toEqual(full);
    });
  }

  for (const [name, payload] of FALLBACKS) {
    it(`falls back on ${name}, with the same events as the full path`, () => {
      expect(readOrdinaryChoice(payload)).toBeUndefined();
      const { fast, full } = bothPaths(stream([chunk({ delta: { content: 'a' } }), payload]));
      expect(fast).toEqual(full);
    });
  }

  it('gives the first chunk of a stream to the full path (it starts the message)', () => {
    const { fast } = bothPaths([chunk({ delta: { content: 'x' } }), '[DONE]']);
    expect(fast.events[0]).toMatchObject({ type: 'message-start', id: 'chatcmpl-x', model: 'm' });
  });

  it('reads text and tool arguments on the fast path as the full path does', () => {
    const payloads = stream([
      chunk({ delta: { content: 'Hel' } }),
      chunk({ delta: { content: 'lo' } }),
      chunk({
        delta: {
          tool_calls: [
            { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } },
          ],
        },
      }),
      chunk({ delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] } }),
    ]);
    const { fast, full } = bothPaths(payloads);
    expect(fast).toEqual(full);
    expect(fast.events.map((event) => event.type)).toEqual([
      'message-start',
      'text-start',
      'text-delta',
      'text-delta',
      'text-end',
      'tool-call-start',
      'tool-call-delta',
      'usage',
      'tool-call-end',
      'message-end',
    ]);
  });

  it('gives the same events and warnings as the full path for random chunks', () => {
    const text = fc.oneof(fc.string({ maxLength: 6 }), fc.constant(null));
    const toolCall = fc.record(
      {
        index: fc.nat(2),
        id: fc.constantFrom('call_1', 'call_2', ''),
        type: fc.constant('function'),
        function: fc.record(
          { name: fc.constantFrom('f', 'g', ''), arguments: fc.string({ maxLength: 6 }) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['index', 'function'] },
    );
    // Ordinary chunks (the fast path's), each then given at most one unusual field.
    const ordinary = fc.record({
      delta: fc.record(
        {
          role: fc.constant('assistant'),
          content: text,
          reasoning_content: text,
          reasoning: text,
          refusal: text,
          tool_calls: fc.array(toolCall, { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
      finish: fc.constantFrom(null, null, null, 'stop', 'tool_calls', 'weird'),
    });
    const paths = [
      ['object'],
      ['usage'],
      ['error'],
      ['choices', 1],
      ['choices', 0],
      ['choices', 0, 'index'],
      ['choices', 0, 'message'],
      ['choices', 0, 'usage'],
      ['choices', 0, 'logprobs'],
      ['choices', 0, 'finish_reason'],
      ['choices', 0, 'delta'],
      ['choices', 0, 'delta', 'content'],
      ['choices', 0, 'delta', 'reasoning_content'],
      ['choices', 0, 'delta', 'refusal'],
      ['choices', 0, 'delta', 'annotations'],
      ['choices', 0, 'delta', 'function_call'],
      ['choices', 0, 'delta', 'tool_calls'],
      ['choices', 0, 'delta', 'tool_calls', 0],
      ['choices', 0, 'delta', 'tool_calls', 0, 'index'],
      ['choices', 0, 'delta', 'tool_calls', 0, 'id'],
      ['choices', 0, 'delta', 'tool_calls', 0, 'type'],
      ['choices', 0, 'delta', 'tool_calls', 0, 'custom'],
      ['choices', 0, 'delta', 'tool_calls', 0, 'name'],
      ['choices', 0, 'delta', 'tool_calls', 0, 'arguments'],
      ['choices', 0, 'delta', 'tool_calls', 0, 'function'],
      ['choices', 0, 'delta', 'tool_calls', 0, 'function', 'name'],
      ['choices', 0, 'delta', 'tool_calls', 0, 'function', 'arguments'],
    ];
    const odd = fc.constantFrom<unknown>(
      'x',
      '',
      'error',
      'list',
      5,
      0,
      1,
      null,
      true,
      {},
      [],
      ['x'],
      { prompt_tokens: 2, completion_tokens: 1 },
      { content: 'y', tool_calls: [{ index: 1, function: { name: 'h', arguments: '{}' } }] },
      { name: 'g', input: 'i', arguments: '{"b":2}' },
      [{ type: 'url_citation', url_citation: { url: 'https://a', start_index: 0, end_index: 1 } }],
      { index: 0, delta: { content: 'z' } },
    );
    const change = fc.option(fc.tuple(fc.constantFrom(...paths), odd), { freq: 2 });

    function setPath(target: unknown, path: (string | number)[], value: unknown): void {
      let node = target as Record<string | number, unknown>;
      for (const key of path.slice(0, -1)) {
        const next = node[key];
        if (typeof next !== 'object' || next === null) return;
        node = next as Record<string | number, unknown>;
      }
      node[path[path.length - 1] as string | number] = value;
    }

    const payload = fc.tuple(ordinary, change).map(([{ delta, finish }, edit]) => {
      const value = chunk({ delta, finish_reason: finish });
      if (edit !== null) setPath(value, edit[0], edit[1]);
      return value;
    });
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 8 }), fc.boolean(), (middle, done) => {
        const payloads: unknown[] = [chunk({ delta: { role: 'assistant' } }), ...middle];
        if (done) payloads.push('[DONE]');
        const { fast, full } = bothPaths(payloads);
        expect(fast).toEqual(full);
      }),
      { numRuns: 1000 },
    );
  });
});
