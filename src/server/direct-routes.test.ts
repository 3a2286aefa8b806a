/**
 * The direct routes take a request only where Hono would pick the same route: for random paths,
 * a match of `matchDirectRoute` is the route, provider and session the app's router picks, and a
 * path of plain segments that Hono routes is never left to it.
 */
import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Provider } from '../providers/provider.js';
import { matchDirectRoute } from './direct-routes.js';
import { providerApiRoutes, providerPrefixes } from './routes/provider-paths.js';

/** Providers as routing sees them: their extra routes (Codex's `/responses`). */
const providers = new Map<string, Pick<Provider, 'extraRoutes'>>([
  ['codex', { extraRoutes: [{ suffix: '/responses', format: 'openai-responses' }] }],
  ['claude', {}],
  ['my-llm_2', {}],
]);
const table = new Map(
  [...providers].map(([id, provider]) => [
    id,
    { id, provider, routes: providerApiRoutes(provider) },
  ]),
);

/** The app's router, registered as routes/proxy.ts registers the proxied routes. */
const app = new Hono();
for (const [id, provider] of providers) {
  for (const { suffix } of providerApiRoutes(provider)) {
    for (const prefix of providerPrefixes(id)) {
      app.post(`${prefix}${suffix}`, (c) =>
        c.json({ id, suffix, sessionId: c.req.param('session_id' as never) ?? null }),
      );
    }
  }
}

async function honoRoute(path: string) {
  const response = await app.request(path, { method: 'POST' });
  return response.status === 404 ? undefined : await response.json();
}

const PLAIN_SEGMENT = /^[\w~-][\w.~-]*$/;
const segment = fc.oneof(
  fc.constantFrom(
    'codex',
    'claude',
    'my-llm_2',
    'Codex',
    'v1',
    'chat',
    'completions',
    'responses',
    'messages',
    'count_tokens',
    'session-1',
    'a.b',
    '~s',
    '.',
    '..',
    '',
    '.hidden',
    '%63hat',
    'chat%2Fcompletions',
    'a:b',
    'é',
    'a b',
  ),
  fc.stringMatching(/^[\w.~%-]{1,6}$/),
);
/** Paths shaped like the routes (a provider, maybe a session, a route's segments), each part
 * sometimes replaced by noise, so that near misses are common. */
const suffixSegments = fc
  .constantFrom('/v1/chat/completions', '/v1/responses', '/v1/messages', '/responses')
  .map((suffix) => suffix.slice(1).split('/'));
const routeLike = fc
  .tuple(
    fc.oneof(fc.constantFrom('codex', 'claude', 'my-llm_2'), segment),
    fc.option(segment, { nil: undefined }),
    suffixSegments,
    fc.option(fc.tuple(fc.nat(3), segment), { nil: undefined }),
  )
  .map(([id, session, suffix, noise]) => {
    const rest = [...suffix];
    if (noise) rest[noise[0] % rest.length] = noise[1];
    return [id, ...(session === undefined ? [] : [session]), ...rest];
  });
const pathArb = fc
  .tuple(
    fc.oneof(routeLike, fc.array(segment, { minLength: 1, maxLength: 6 })),
    fc.constantFrom('', '', '?x=1', '/'),
  )
  .map(([segments, tail]) => ({ segments, path: `/${segments.join('/')}${tail}`, tail }));

describe('direct routes', () => {
  it('match exactly the routes Hono picks, and take every plain path Hono routes', async () => {
    await fc.assert(
      fc.asyncProperty(pathArb, async ({ segments, path, tail }) => {
        const direct = matchDirectRoute(table, path);
        const hono = await honoRoute(path);
        if (direct !== undefined) {
          expect({
            id: direct.id,
            suffix: direct.suffix,
            sessionId: direct.sessionId ?? null,
          }).toEqual(hono);
        }
        if (hono !== undefined && tail !== '/' && segments.every((s) => PLAIN_SEGMENT.test(s))) {
          expect(direct).toBeDefined();
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('take the usual routes, with and without a session, and leave the rest', () => {
    expect(matchDirectRoute(table, '/codex/v1/chat/completions')).toMatchObject({
      id: 'codex',
      suffix: '/v1/chat/completions',
      format: 'openai-chat',
      sessionId: undefined,
    });
    expect(matchDirectRoute(table, '/codex/v1/responses?stream=1')).toMatchObject({
      suffix: '/v1/responses',
      sessionId: undefined,
    });
    expect(matchDirectRoute(table, '/codex/job-7/responses')).toMatchObject({
      suffix: '/responses',
      sessionId: 'job-7',
    });
    expect(matchDirectRoute(table, '/claude/s.1/v1/messages')).toMatchObject({
      id: 'claude',
      format: 'anthropic-messages',
      sessionId: 's.1',
    });
    for (const path of [
      '/claude/v1/messages/',
      '/claude/../codex/v1/messages',
      '/claude/v1/%6Dessages',
      '/claude//v1/messages',
      '/health',
      'http://127.0.0.1/claude/v1/messages',
      '/unknown/v1/messages',
    ]) {
      expect(matchDirectRoute(table, path)).toBeUndefined();
    }
  });
});
