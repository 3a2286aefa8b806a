import { describe, expect, it } from 'vitest';
import {
  registerSecret,
  registerSecretsIn,
  scrubKnownSecrets,
  scrubSecrets,
} from '../util/secrets.js';
import { redactHeaders, redactValue } from './redact.js';

const jwt =
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MTk5OTk5OTk5OX0.c2lnbmF0dXJlLXBhcnQ';

describe('redaction', () => {
  it('masks secret headers and keeps the others', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer abc',
        'x-api-key': 'sk-ant-1234567890',
        'content-type': 'text/plain',
        'x-goog-api-key': 'k',
      }),
    ).toEqual({
      authorization: '[REDACTED]',
      'x-api-key': '[REDACTED]',
      'content-type': 'text/plain',
      'x-goog-api-key': '[REDACTED]',
    });
  });

  it('masks token fields at any depth but keeps token counts', () => {
    expect(
      redactValue({
        tokens: { access_token: jwt, refresh_token: 'rt_abc', account_id: 'acc' },
        usage: { input_tokens: 12 },
      }),
    ).toEqual({
      tokens: { access_token: '[REDACTED]', refresh_token: '[REDACTED]', account_id: 'acc' },
      usage: { input_tokens: 12 },
    });
  });

  it('scrubs secrets hidden in free text', () => {
    const text = `failed with Bearer ${jwt} and key sk-proj-abcdefghijkl at https://x/y?access_token=secret123&a=1 token ghp_abcdefghijklmnopqrstu`;
    const scrubbed = scrubSecrets(text);
    expect(scrubbed).not.toContain(jwt);
    expect(scrubbed).not.toContain('sk-proj-abcdefghijkl');
    expect(scrubbed).not.toContain('secret123');
    expect(scrubbed).not.toContain('ghp_abcdefghijklmnopqrstu');
    expect(scrubbed).toContain('access_token=[REDACTED]&a=1');
  });

  it('keeps error codes readable', () => {
    expect(redactValue({ code: 'rate_limit_exceeded', err: { code: 'ECONNRESET' } })).toEqual({
      code: 'rate_limit_exceeded',
      err: { code: 'ECONNRESET' },
    });
  });

  it('replaces registered secrets by value, whatever their shape, longest first', () => {
    registerSecret('opaque-value-one');
    registerSecret('opaque-value-one-and-more');
    const text = 'token opaque-value-one lacks scope; opaque-value-one-and-more too';
    expect(scrubSecrets(text)).toBe('token [REDACTED] lacks scope; [REDACTED] too');
    expect(scrubKnownSecrets('a (b) [c] opaque-value-one')).toBe('a (b) [c] [REDACTED]');
  });

  it('registers credential fields of parsed JSON, not token types or short values', () => {
    registerSecretsIn({
      tokens: { access_token: 'walked-access-value', refresh_token: 'walked-refresh-value' },
      claudeAiOauth: { accessToken: 'walked-camel-value', expiresAt: 123 },
      token_type: 'Bearer',
      scope: 'read:user user:email',
      api_key: 'short',
    });
    expect(scrubSecrets('walked-access-value walked-refresh-value walked-camel-value')).toBe(
      '[REDACTED] [REDACTED] [REDACTED]',
    );
    expect(scrubKnownSecrets('Bearer read:user user:email short')).toBe(
      'Bearer read:user user:email short',
    );
  });
});

describe('redactValue on short strings', () => {
  it('still scrubs the shortest secret shape, and leaves shorter strings as they are', () => {
    expect(redactValue({ url: '&key=x', code: 'abc', n: 'x=1' })).toEqual({
      url: '&key=[REDACTED]',
      code: 'abc',
      n: 'x=1',
    });
  });

  it('redacts a secret-named field whatever its length, on every call (cached names)', () => {
    for (let i = 0; i < 3; i++) {
      expect(redactValue({ api_key: 'k', access_token: 'abc', tokens: 3 })).toEqual({
        api_key: '[REDACTED]',
        access_token: '[REDACTED]',
        tokens: 3,
      });
    }
  });
});
