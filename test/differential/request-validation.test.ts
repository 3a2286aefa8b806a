/**
 * Request validation without zod's copy (`src/util/zod-accept.ts`), against zod itself:
 * - each compiled schema accepts exactly what `safeParse` accepts, and zod's output is then equal
 *   to the input (so handing on the input is handing on what zod would give);
 * - the Messages and Responses request decoders give the same neutral request, or the same
 *   error, whether validation goes through the compiled tests or through zod alone (the module
 *   loaded a second time with `compileAccept` declining all). Equal as values: where zod's copy
 *   put a schema's keys first, an object kept whole (an opaque block) now keeps the client's own
 *   key order, which JSON gives no meaning.
 * Bodies: the request transcripts of both formats, each with any value anywhere replaced, any
 * key removed, or any object's keys reversed.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { requestSchema as anthropicRequestSchema } from '../../src/formats/anthropic-messages/schema.js';
import type { WireFormat } from '../../src/formats/format.js';
import { formats } from '../../src/formats/index.js';
import { chatRequestSchema, validateChatRequest } from '../../src/formats/openai-chat/schema.js';
import * as responsesSchemas from '../../src/formats/openai-responses/schema.js';
import type { WireFormatId } from '../../src/ir/meta.js';
import { compileAccept } from '../../src/util/zod-accept.js';
import { loadFixtureJson } from '../helpers/fixtures.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TRANSCRIPTS: ReadonlyArray<[WireFormatId, string]> = [
  ['anthropic-messages', 'request-claude-code.json'],
  ['anthropic-messages', 'request-claude-code-2.1.197.json'],
  ['anthropic-messages', 'request-sampling.json'],
  ['openai-responses', 'codex-request.json'],
  ['openai-responses', 'public-request.json'],
  ['openai-chat', 'request-full.json'],
  ['openai-chat', 'request-legacy.json'],
  ['openai-chat', 'request-options.json'],
];

/** Values that sit on the edges of the checks: non-finite, unsafe, negative, empty, wrong type. */
const EDGE_VALUES: Json[] = [
  -0,
  -1,
  1.5,
  2 ** 53,
  // What `JSON.parse` makes of a number too large for a double (`1e400`).
  Number.POSITIVE_INFINITY,
  '',
  'x',
  null,
  [],
  {},
  true,
  [{}],
  [{ type: 1 }],
  { type: 'text' },
];

/** Every path to a value in `root` (objects and arrays), the root's own excluded. */
function pathsOf(root: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (root === null || typeof root !== 'object') return [];
  const entries: Array<[string | number, Json]> = Array.isArray(root)
    ? root.map((value, index) => [index, value])
    : Object.entries(root);
  return entries.flatMap(([key, value]) => [[...prefix, key], ...pathsOf(value, [...prefix, key])]);
}

type Edit =
  | { kind: 'set'; value: Json }
  | { kind: 'remove' }
  | { kind: 'reverse' }
  | { kind: 'none' };

/** `body` with one edit at `path` (on a copy). */
function edited(body: Json, path: Array<string | number>, edit: Edit): Json {
  const copy = structuredClone(body);
  if (edit.kind === 'none' || path.length === 0) return copy;
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (edit.kind === 'set') parent[last] = edit.value;
  else if (edit.kind === 'remove') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    const target = parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      parent[last] = Object.fromEntries(Object.entries(target).reverse());
    }
  }
  return copy;
}

const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), value: fc.jsonValue() as fc.Arbitrary<Json> }),
  fc.record({ kind: fc.constant('set' as const), value: fc.constantFrom(...EDGE_VALUES) }),
  fc.constant({ kind: 'remove' } as const),
  fc.constant({ kind: 'reverse' } as const),
  fc.constant({ kind: 'none' } as const),
);

/** A transcript with one edit somewhere (or none), and its format. */
const bodyArbitrary = fc.constantFrom(...TRANSCRIPTS).chain(([format, file]) => {
  const body = loadFixtureJson<Json>(format, file);
  const paths = [[], ...pathsOf(body)];
  return fc
    .record({ path: fc.constantFrom(...paths), edit: editArbitrary })
    .map(({ path, edit }) => ({ format, body: edited(body, path, edit) }));
});

/** The schemas the request decoders validate with. */
const SCHEMAS: ReadonlyArray<[string, z.ZodType]> = [
  ['anthropic-messages request', anthropicRequestSchema],
  ['openai-chat request', chatRequestSchema],
  ...Object.entries(responsesSchemas as Record<string, unknown>)
    .filter(([, value]) => typeof (value as { safeParse?: unknown }).safeParse === 'function')
    .map(([name, schema]): [string, z.ZodType] => [
      `openai-responses ${name}`,
      schema as z.ZodType,
    ]),
];

/** Every value a schema may be asked about in a request: the body and everything in it. */
function valuesIn(body: Json): Json[] {
  return [
    body,
    ...pathsOf(body).map((path) =>
      path.reduce<Json>((at, key) => (at as Record<string | number, Json>)[key] as Json, body),
    ),
  ];
}

describe('compiled request validation', () => {
  it('compiles every request schema', () => {
    expect(SCHEMAS.length).toBeGreaterThan(10);
    for (const [, schema] of SCHEMAS) expect(typeof compileAccept(schema)).toBe('function');
  });

  it('accepts exactly what zod accepts, and zod then gives the input back', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(bodyArbitrary, ({ body }) => {
        for (const value of valuesIn(body)) {
          for (const [name, schema] of SCHEMAS) {
            const result = schema.safeParse(value);
            const accept = compileAccept(schema)(value);
            expect({ name, accept }).toEqual({ name, accept: result.success });
            if (result.success) {
              accepted++;
              expect(result.data).toStrictEqual(value);
            } else refused++;
          }
        }
      }),
      { numRuns: 60 },
    );
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('refuses what zod refuses at the edges of its checks', () => {
    const accept = compileAccept(anthropicRequestSchema);
    const body = loadFixtureJson<Record<string, Json>>(
      'anthropic-messages',
      'request-sampling.json',
    );
    for (const maxTokens of [-1, 1.5, 2 ** 53, JSON.parse('1e400') as number, '1']) {
      expect(accept({ ...body, max_tokens: maxTokens })).toBe(false);
      expect(anthropicRequestSchema.safeParse({ ...body, max_tokens: maxTokens }).success).toBe(
        false,
      );
    }
    const infinite = JSON.parse('1e400') as number;
    for (const sampling of [{ temperature: infinite }, { top_p: -infinite }, { top_k: '1' }]) {
      expect(accept({ ...body, ...sampling })).toBe(false);
      expect(anthropicRequestSchema.safeParse({ ...body, ...sampling }).success).toBe(false);
    }
    expect(accept({ ...body, temperature: null, top_p: 0.5 })).toBe(true);
    expect(accept({ ...body, model: undefined })).toBe(false);
    expect(accept({ ...body, max_tokens: 0 })).toBe(true);
  });
});

describe('Chat messages and parts', () => {
  it('checks a message of a role added later by its content only, as zod does', () => {
    const accept = compileAccept(chatRequestSchema);
    const body = loadFixtureJson<Record<string, Json>>('openai-chat', 'request-options.json');
    const cases: Array<[Json, boolean]> = [
      [{ role: 'critic', content: 'Too long.' }, true],
      [{ role: 'critic', content: [{ type: 'text', text: 'Too long.' }] }, true],
      [{ role: 'critic' }, true],
      [{ role: 'critic', content: 5 }, false],
      [{ role: 'critic', content: [{ type: 'text', text: 5 }] }, false],
      [{ role: 'tool', content: 'no id' }, false],
    ];
    for (const [message, valid] of cases) {
      const request = { ...body, messages: [message] };
      expect(chatRequestSchema.safeParse(request).success).toBe(valid);
      expect(accept(request)).toBe(valid);
    }
  });

  it('reads a part typed like a property of every object as an unknown part', () => {
    const body = loadFixtureJson<Record<string, Json>>('openai-chat', 'request-options.json');
    for (const type of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const request = {
        ...body,
        messages: [{ role: 'user', content: [{ type, text: 'hi' }] }],
        tools: [{ type, name: 'x' }],
      };
      expect(() => validateChatRequest(request)).not.toThrow();
      expect(chatRequestSchema.safeParse(request).success).toBe(true);
      expect(formats['openai-chat'].decodeRequest(request).value.messages).toHaveLength(1);
    }
  });
});

describe('request decoders with and without zod', () => {
  let withZod: Readonly<Record<WireFormatId, WireFormat>>;

  beforeAll(async () => {
    vi.resetModules();
    vi.doMock('../../src/util/zod-accept.js', async (original) => {
      const actual = await original<typeof import('../../src/util/zod-accept.js')>();
      return {
        ...actual,
        compileAccept: () => () => false,
        fastSafeParse: (schema: z.ZodType) => (value: unknown) => schema.safeParse(value),
      };
    });
    withZod = (await import('../../src/formats/index.js')).formats;
    vi.doUnmock('../../src/util/zod-accept.js');
    vi.resetModules();
  });

  const decode = (
    registry: Readonly<Record<WireFormatId, WireFormat>>,
    format: WireFormatId,
    body: Json,
  ): unknown => {
    try {
      return registry[format].decodeRequest(body);
    } catch (error) {
      return { threw: (error as Error).message };
    }
  };

  it('loads a second registry that validates with zod alone', () => {
    expect(withZod).not.toBe(formats);
  });

  it('decode every request to the same neutral request, or refuse it the same way', () => {
    let decoded = 0;
    fc.assert(
      fc.property(bodyArbitrary, ({ format, body }) => {
        const fast = decode(formats, format, body);
        expect(fast).toStrictEqual(decode(withZod, format, body));
        if (!('threw' in (fast as object))) decoded++;
      }),
      { numRuns: 300 },
    );
    expect(decoded).toBeGreaterThan(100);
  });
});
