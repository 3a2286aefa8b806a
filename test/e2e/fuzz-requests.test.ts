/**
 * Fuzzing requests through the real server: random JSON, random shapes and mutated valid bodies
 * on every route. Each answer is a 2xx, or a 4xx/5xx error body in the client's own format; never
 * a 500, never a hang, never a crash.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessToken, createCodexHome } from '../helpers/codex-home.js';
import { fakeCodexBackend } from '../helpers/fake-codex.js';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureBytes } from '../helpers/fixtures.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';

let upstream: FakeUpstream;
let proxy: TestProxy;
beforeAll(async () => {
  upstream = await startFakeUpstream(
    fakeCodexBackend({
      transcript: loadFixtureBytes('openai-responses', 'codex-output-missing.sse'),
    }),
  );
  proxy = await startProxy({
    env: {
      CODEX_HOME: createCodexHome({ accessToken: accessToken('fuzz', 3600) }).dir,
      CCPROXY_CODEX_BASE_URL: `${upstream.url}/backend-api/codex`,
    },
    logLevel: 'warn',
  });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

const VALID: Record<string, Record<string, unknown>> = {
  '/codex/v1/chat/completions': {
    model: 'gpt-5.1-codex',
    messages: [
      { role: 'system', content: 'sys' },
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: 'ok' },
      { role: 'developer', content: 'be brief' },
      { role: 'user', content: 'more' },
    ],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    stream: false,
  },
  '/codex/v1/responses': {
    model: 'gpt-5.1-codex',
    input: [
      { role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
      { role: 'system', content: 'be brief' },
    ],
    tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
  },
  '/codex/v1/messages': {
    model: 'gpt-5.1-codex',
    max_tokens: 100,
    system: [{ type: 'text', text: 'sys' }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'more' },
    ],
    thinking: { type: 'adaptive' },
    output_config: { effort: 'high' },
  },
};
const ROUTES = Object.keys(VALID);

async function check(path: string, body: string): Promise<void> {
  const response = await fetch(`${proxy.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  expect(response.status, text).not.toBe(500);
  if (response.status >= 400) {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (path.endsWith('/messages'))
      expect(parsed).toMatchObject({
        type: 'error',
        error: { type: expect.any(String), message: expect.any(String) },
      });
    else
      expect(parsed).toMatchObject({
        error: { message: expect.any(String), type: expect.any(String) },
      });
  }
}

/** A valid body with one path replaced by an arbitrary value, or deleted. */
function mutateBody(
  base: Record<string, unknown>,
  path: string[],
  replacement: unknown,
  remove: boolean,
): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return copy;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node !== 'object' || node === null) return copy;
  const last = path.at(-1)!;
  if (remove) delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = replacement;
  return copy;
}

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, child]) => paths(child, [...prefix, key]))].filter(
    (p) => p.length > 0,
  );
}

/** Names every object has through its prototype: a lookup table read with one must miss. */
const PROPERTY_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

/**
 * A valid body with, at one of its objects, a key named like an Object property (any value), or
 * with one of its strings replaced by such a name.
 */
function withPropertyName(
  base: Record<string, unknown>,
  path: string[],
  name: string,
  value: unknown,
): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  let node: unknown = copy;
  for (const key of path) node = (node as Record<string, unknown>)[key];
  if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
    // An own key even for `__proto__` (an assignment would set the prototype instead).
    Object.defineProperty(node, name, {
      value,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    return copy;
  }
  return mutateBody(base, path, name, false);
}

describe('fuzzed requests', () => {
  it('names an Object has, as keys and as values, anywhere in a valid body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...ROUTES)
          .chain((path) =>
            fc.tuple(fc.constant(path), fc.constantFrom([] as string[], ...paths(VALID[path]))),
          ),
        fc.constantFrom(...PROPERTY_NAMES),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom({}, { a: 1 }, 'x', [])),
        async ([path, fieldPath], name, value) => {
          await check(path, JSON.stringify(withPropertyName(VALID[path]!, fieldPath, name, value)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('random JSON values on every route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.jsonValue({ maxDepth: 4 }),
        async (path, value) => {
          await check(path, JSON.stringify(value));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('valid bodies with one field replaced or removed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...ROUTES)
          .chain((path) => fc.tuple(fc.constant(path), fc.constantFrom(...paths(VALID[path])))),
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.constantFrom(null, '', 0, -1, 1e308, [], {}, 'x'.repeat(5000)),
        ),
        fc.boolean(),
        async ([path, fieldPath], replacement, remove) => {
          await check(
            path,
            JSON.stringify(mutateBody(VALID[path]!, fieldPath, replacement, remove)),
          );
        },
      ),
      { numRuns: 250 },
    );
  });

  it('broken JSON text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.string({ maxLength: 200 }),
        async (path, text) => {
          await check(path, text);
        },
      ),
      { numRuns: 80 },
    );
  });
});
