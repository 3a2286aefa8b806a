import { describe, expect, it } from 'vitest';
import { redactHeaders, redactValue, scrubSecrets } from './redact.js';

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
});
