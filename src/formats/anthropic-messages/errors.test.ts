/** Tests of Anthropic error decoding and encoding. */
import { describe, expect, it } from 'vitest';
import { ProxyError, type ProxyErrorCode } from '../../errors.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import { decodeAnthropicError } from './decode-error.js';
import { encodeAnthropicError } from './encode-error.js';

const body = (type: string, message: string) => ({
  type: 'error',
  error: { type, message },
  request_id: 'req_011CNha8',
});

describe('Anthropic upstream errors', () => {
  it('keeps overloaded as a retryable 529', () => {
    const error = decodeAnthropicError(529, body('overloaded_error', 'Overloaded'), new Headers());
    expect(error).toBeInstanceOf(ProxyError);
    expect({
      code: error.code,
      status: error.status,
      message: error.message,
      upstream: error.upstream,
    }).toEqual({
      code: 'upstream_overloaded',
      status: 529,
      message: 'Overloaded',
      upstream: { status: 529, type: 'overloaded_error' },
    });
  });

  it('keeps rate limits with their retry-after', () => {
    const error = decodeAnthropicError(
      429,
      body('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'),
      new Headers({ 'retry-after': '17' }),
    );
    expect([error.code, error.status, error.retryAfter]).toEqual([
      'upstream_rate_limited',
      429,
      '17',
    ]);
  });

  it('turns 5xx into upstream_error 502 with the upstream message', () => {
    const error = decodeAnthropicError(
      500,
      body('api_error', 'Internal server error'),
      new Headers(),
    );
    expect([error.code, error.status, error.message]).toEqual([
      'upstream_error',
      502,
      'Internal server error',
    ]);
  });

  it('keeps client errors and their status', () => {
    const invalid = decodeAnthropicError(
      400,
      body('invalid_request_error', 'messages.1.content: Field required'),
      new Headers(),
    );
    expect([invalid.code, invalid.status, invalid.message]).toEqual([
      'invalid_request',
      400,
      'messages.1.content: Field required',
    ]);
    expect(
      decodeAnthropicError(401, body('authentication_error', 'invalid x-api-key'), new Headers())
        .code,
    ).toBe('upstream_authentication');
    expect(decodeAnthropicError(413, 'Request Entity Too Large', new Headers()).code).toBe(
      'request_too_large',
    );
  });

  it('copes with bodies that are not Anthropic errors', () => {
    expect(decodeAnthropicError(502, '', new Headers()).message).toBe(
      'Upstream server error (HTTP 502)',
    );
    expect(decodeAnthropicError(503, '<html>busy</html>', new Headers()).message).toBe(
      '<html>busy</html>',
    );
    expect(decodeAnthropicError(400, { message: 'bare' }, new Headers()).message).toBe('bare');
  });
});

describe('Anthropic error responses', () => {
  const cases: Array<[ProxyErrorCode, string, number]> = [
    ['invalid_request', 'invalid_request_error', 400],
    ['unsupported_feature', 'invalid_request_error', 400],
    ['authentication', 'authentication_error', 401],
    ['permission', 'permission_error', 403],
    ['not_found', 'not_found_error', 404],
    ['request_too_large', 'request_too_large', 413],
    ['upstream_authentication', 'authentication_error', 401],
    ['upstream_rate_limited', 'rate_limit_error', 429],
    ['upstream_overloaded', 'overloaded_error', 529],
    ['upstream_error', 'api_error', 502],
    ['upstream_unavailable', 'api_error', 502],
    ['upstream_timeout', 'timeout_error', 504],
    ['upstream_protocol', 'api_error', 502],
    ['internal', 'api_error', 500],
  ];
  for (const [code, type, status] of cases) {
    it(`${code} -> ${status} ${type}`, () => {
      expect(encodeAnthropicError(new ProxyError(code, 'Something failed'))).toEqual({
        status,
        body: { type: 'error', error: { type, message: 'Something failed' } },
        headers: {},
      });
    });
  }

  it('forwards retry-after and keeps a specific upstream Anthropic type', () => {
    const error = new ProxyError('invalid_request', 'Your credit balance is too low', {
      status: 400,
      upstream: { status: 400, type: 'billing_error' },
      retryAfter: '30',
    });
    expect(encodeAnthropicError(error)).toEqual({
      status: 400,
      body: {
        type: 'error',
        error: { type: 'billing_error', message: 'Your credit balance is too low' },
      },
      headers: { 'retry-after': '30' },
    });
    const foreignType = new ProxyError('upstream_rate_limited', 'Quota exceeded', {
      upstream: { status: 429, type: 'insufficient_quota' },
    });
    expect(encodeAnthropicError(foreignType).body).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Quota exceeded' },
    });
  });

  it('encodes a stream error without a status', () => {
    expect(encodeAnthropicError(TRUNCATED_STREAM_ERROR)).toEqual({
      status: 502,
      body: {
        type: 'error',
        error: { type: 'api_error', message: TRUNCATED_STREAM_ERROR.message },
      },
      headers: {},
    });
  });
});
