/** Tests of the count_tokens estimate. */
import { describe, expect, it } from 'vitest';
import { loadFixtureJson } from '../../../test/helpers/fixtures.js';
import { estimateInputTokens } from './count-tokens.js';

describe('estimateInputTokens', () => {
  it('counts about four characters per token over system, messages and tools', () => {
    const text = 'x'.repeat(400);
    expect(estimateInputTokens({ model: 'm', messages: [{ role: 'user', content: text }] })).toBe(
      Math.ceil((400 + 'role'.length + 'user'.length + 'content'.length) / 4),
    );
  });

  it('is never 0 for a request with content, and 0 for nothing', () => {
    expect(
      estimateInputTokens({ model: 'm', messages: [{ role: 'user', content: '' }] }),
    ).toBeGreaterThan(0);
    expect(estimateInputTokens({ model: 'm', system: 'a', messages: [] })).toBe(1);
    expect(estimateInputTokens({ model: 'm', messages: [] })).toBe(0);
    expect(estimateInputTokens('nope')).toBe(0);
  });

  it('counts images and documents as a flat amount, not by their base64 size', () => {
    const image = (data: string) => ({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data } }],
        },
      ],
    });
    expect(estimateInputTokens(image('A'.repeat(10)))).toBe(
      estimateInputTokens(image('A'.repeat(100_000))),
    );
    expect(estimateInputTokens(image('A'))).toBeGreaterThanOrEqual(1000);
  });

  it('grows with the tools and the system prompt of a real request', () => {
    const body = loadFixtureJson('anthropic-messages', 'request-claude-code.json');
    const withoutTools = estimateInputTokens({ ...body, tools: [] });
    const full = estimateInputTokens(body);
    expect(full).toBeGreaterThan(withoutTools);
    expect(full).toBeGreaterThan(1000);
  });
});
