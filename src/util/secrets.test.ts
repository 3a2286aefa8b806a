import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrubSecretShapes, scrubSecrets } from './secrets.js';

/** Pieces of every secret shape, and of ordinary text, to build texts near the patterns. */
const PIECES = [
  'eyJ',
  'EYJ',
  'abcdefgh',
  '.',
  'Bearer ',
  'basic ',
  'sk-',
  'sk-ant-',
  'ghp_',
  'gho_',
  'github_pat_',
  'rt_',
  'AT_',
  '?code=',
  '&key=',
  '?access_token=',
  'ABCDEFGHIJKLMNOPQRST0123',
  ' ',
  '/',
  '-',
  'format_',
  'chatcmpl-',
  'req_',
];

describe('scrubSecrets', () => {
  it('gives what every pattern gives: its pre-test never skips a text a pattern matches', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        return scrubSecrets(text) === scrubSecretShapes(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('replaces each secret shape and leaves ordinary log strings alone', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.c2lnbmF0dXJl';
    expect(scrubSecrets(`token ${jwt}`)).toBe('token [REDACTED]');
    expect(scrubSecrets('Authorization: bearer abcdefgh12345678')).toBe(
      'Authorization: [REDACTED]',
    );
    expect(scrubSecrets('key sk-ant-api03-abcdefgh')).toBe('key [REDACTED]');
    expect(scrubSecrets('ghp_ABCDEFGHIJKLMNOPQRST')).toBe('[REDACTED]');
    expect(scrubSecrets('https://x.test/cb?code=abc&state=1')).toBe(
      'https://x.test/cb?code=[REDACTED]&state=1',
    );
    const plain = 'req_3fA9kQ2mX7pL0sV8bN1c /codex/v1/chat/completions gpt-5';
    expect(scrubSecrets(plain)).toBe(plain);
  });
});
