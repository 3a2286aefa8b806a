import { describe, expect, it } from 'vitest';
import { sessionKeyOf } from './account-pool.js';

describe('account pool sessions', () => {
  it('finds the conversation in the route, the headers or the body', () => {
    const context = (headers: Record<string, string>, routeSessionId?: string) => ({
      clientFormat: 'openai-chat' as const,
      upstreamFormat: 'openai-responses' as const,
      clientHeaders: new Headers(headers),
      clientStream: false,
      ...(routeSessionId ? { routeSessionId } : {}),
    });
    expect(sessionKeyOf({ body: { prompt_cache_key: 'k' }, context: context({}, 'route') })).toBe(
      'route',
    );
    expect(
      sessionKeyOf({ body: { prompt_cache_key: 'k' }, context: context({ session_id: 'h' }) }),
    ).toBe('h');
    expect(sessionKeyOf({ body: { prompt_cache_key: 'k' }, context: context({}) })).toBe('k');
    expect(sessionKeyOf({ body: { metadata: { user_id: 'u' } }, context: context({}) })).toBe('u');
    expect(sessionKeyOf({ body: {}, context: context({}) })).toBeUndefined();
  });
});
