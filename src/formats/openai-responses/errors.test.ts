import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../errors.js';
import { decodeResponsesError } from './decode-error.js';
import { encodeResponsesError } from './encode-error.js';
import { decodeStreamError, parseRetryDelay } from './stream-error.js';

describe('Responses error decoding', () => {
  it('keeps the upstream status, type, code, param and retry-after', () => {
    const error = decodeResponsesError(
      429,
      {
        error: {
          message: 'Rate limit reached',
          type: 'requests',
          code: 'rate_limit_exceeded',
          param: null,
        },
      },
      new Headers({ 'retry-after': '7' }),
    );
    expect(error).toBeInstanceOf(ProxyError);
    expect(error).toMatchObject({
      code: 'upstream_rate_limited',
      status: 429,
      message: 'Rate limit reached',
      retryAfter: '7',
      upstream: { status: 429, type: 'requests', code: 'rate_limit_exceeded' },
    });
  });

  it('reads the Codex usage-limit body and its reset delay', () => {
    const error = decodeResponsesError(
      429,
      JSON.stringify({
        error: {
          type: 'usage_limit_reached',
          message: 'The usage limit has been reached',
          resets_in_seconds: 1799.4,
        },
      }),
      new Headers(),
    );
    expect(error).toMatchObject({
      code: 'upstream_rate_limited',
      message: 'The usage limit has been reached',
      retryAfter: '1800',
      upstream: { type: 'usage_limit_reached' },
    });
  });

  it('classifies statuses and survives bodies that say nothing', () => {
    expect(
      decodeResponsesError(400, { error: { message: 'Bad', param: 'input[0]' } }, new Headers()),
    ).toMatchObject({
      code: 'invalid_request',
      status: 400,
      upstream: { param: 'input[0]' },
    });
    expect(decodeResponsesError(401, { detail: 'Unauthorized' }, new Headers())).toMatchObject({
      code: 'upstream_authentication',
      message: 'Unauthorized',
    });
    expect(decodeResponsesError(503, '', new Headers())).toMatchObject({
      code: 'upstream_overloaded',
      message: 'Upstream server error (HTTP 503)',
    });
    expect(decodeResponsesError(500, '<html>oops</html>', new Headers())).toMatchObject({
      code: 'upstream_error',
      status: 502,
    });
  });
});

describe('Responses error encoding', () => {
  it('writes the OpenAI error body with status and retry-after', () => {
    const encoded = encodeResponsesError(
      new ProxyError('upstream_rate_limited', 'Slow down', {
        retryAfter: '3',
        upstream: { code: 'rate_limit_exceeded' },
      }),
    );
    expect(encoded).toEqual({
      status: 429,
      headers: { 'retry-after': '3' },
      body: {
        error: {
          message: 'Slow down',
          type: 'rate_limit_error',
          param: null,
          code: 'rate_limit_exceeded',
        },
      },
    });
    expect(encodeResponsesError(ProxyErrorFrom('invalid_request', 'x', 'input')).body).toEqual({
      error: {
        message: 'x',
        type: 'invalid_request_error',
        param: 'input',
        code: 'invalid_request',
      },
    });
    expect(
      encodeResponsesError({ code: 'upstream_overloaded', message: 'Overloaded' }).status,
    ).toBe(503);
  });
});

describe('Responses stream errors', () => {
  it('parses the retry delays the Codex CLI parses', () => {
    expect(parseRetryDelay('Please try again in 11.054s.')).toBe('12');
    expect(parseRetryDelay('Please try again in 28ms.')).toBe('1');
    expect(parseRetryDelay('Rate limit reached. Try again in 2.5s')).toBe('3');
    expect(parseRetryDelay('try again in 35 seconds')).toBe('35');
    expect(parseRetryDelay('no hint')).toBeUndefined();
  });

  it('keeps ccproxy codes from another ccproxy and defaults the rest to upstream_error', () => {
    expect(decodeStreamError({ code: 'upstream_timeout', message: 'Slow' }, 'x')).toEqual({
      code: 'upstream_timeout',
      message: 'Slow',
    });
    expect(decodeStreamError(undefined, 'Upstream stream failed')).toEqual({
      code: 'upstream_error',
      message: 'Upstream stream failed',
    });
  });
});

function ProxyErrorFrom(code: 'invalid_request', message: string, param: string): ProxyError {
  return new ProxyError(code, message, { param });
}
