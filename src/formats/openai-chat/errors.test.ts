/** Chat error decoding and encoding. */
import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../errors.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import { openaiChat } from './index.js';

describe('Chat errors', () => {
  it('decodes an upstream error body, keeping its meaning and retry-after', () => {
    const error = openaiChat.decodeError(
      429,
      {
        error: {
          message: 'Rate limit reached for gpt-4.1',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
      },
      new Headers({ 'retry-after': '20' }),
    );
    expect(error).toBeInstanceOf(ProxyError);
    expect(error).toMatchObject({
      code: 'upstream_rate_limited',
      status: 429,
      message: 'Rate limit reached for gpt-4.1',
      retryAfter: '20',
      upstream: { status: 429, type: 'requests', code: 'rate_limit_exceeded' },
    });
  });

  it('decodes a compatible server error without the OpenAI shape', () => {
    expect(
      openaiChat.decodeError(500, { detail: 'CUDA out of memory' }, new Headers()),
    ).toMatchObject({
      code: 'upstream_error',
      status: 502,
      message: 'CUDA out of memory',
    });
    expect(openaiChat.decodeError(400, '', new Headers())).toMatchObject({
      code: 'invalid_request',
      status: 400,
      message: 'Upstream request failed (HTTP 400)',
    });
  });

  it('encodes a ProxyError as an OpenAI error body with its status', () => {
    const encoded = openaiChat.encodeError(
      new ProxyError('invalid_request', 'Invalid request: "messages[1].content" must be a string', {
        param: 'messages[1].content',
      }),
    );
    expect(encoded).toEqual({
      status: 400,
      headers: {},
      body: {
        error: {
          message: 'Invalid request: "messages[1].content" must be a string',
          type: 'invalid_request_error',
          param: 'messages[1].content',
          code: 'invalid_request',
        },
      },
    });
  });

  it('encodes a stream error and an overloaded upstream with statuses an OpenAI client knows', () => {
    expect(openaiChat.encodeError(TRUNCATED_STREAM_ERROR)).toMatchObject({
      status: 502,
      body: { error: { type: 'server_error', code: 'upstream_protocol' } },
    });
    expect(
      openaiChat.encodeError(
        new ProxyError('upstream_overloaded', 'Overloaded', { retryAfter: '5' }),
      ),
    ).toMatchObject({ status: 503, headers: { 'retry-after': '5' } });
  });
});
