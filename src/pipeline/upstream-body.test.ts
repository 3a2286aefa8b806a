/** How an upstream body that is not an answer, and a failed answer, become the client's error. */
import { describe, expect, it } from 'vitest';
import { classifyUpstreamKind, retryAfterFromText } from '../errors.js';
import { formats } from '../formats/index.js';
import type { UpstreamResponse } from '../http/upstream-fetch.js';
import { withRetryAfter } from './to-ir-error.js';
import { bodyFailure, failureOf, isEventStreamText } from './upstream-body.js';

function response(headers: Record<string, string> = {}): UpstreamResponse {
  return {
    status: 200,
    ok: true,
    headers: new Headers(headers),
    body: { read: async () => ({ done: true }), cancel: async () => {} },
  };
}

describe('bodyFailure', () => {
  it('names an empty body', () => {
    const error = bodyFailure(' \n', formats['openai-chat'], response(), 'a JSON object');
    expect(error).toMatchObject({ code: 'upstream_protocol', status: 502 });
    expect(error.message).toBe('Upstream answered HTTP 200 with an empty body');
  });

  it('names what came instead of the expected body', () => {
    const error = bodyFailure(
      '<html>Bad gateway</html>',
      formats['openai-responses'],
      response({ 'content-type': 'text/html; charset=utf-8' }),
      'an event stream',
    );
    expect(error.message).toBe(
      'Upstream answered HTTP 200 with a body that is not an event stream (content-type text/html)',
    );
  });

  it("keeps the meaning of an error body sent with 200, in each upstream's dialect", () => {
    const quota = bodyFailure(
      JSON.stringify({ error: { message: 'Quota', type: 'insufficient_quota' } }),
      formats['openai-chat'],
      response(),
      'a JSON object',
    );
    expect(quota).toMatchObject({ code: 'upstream_rate_limited', status: 429, message: 'Quota' });
    const overloaded = bodyFailure(
      JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      formats['anthropic-messages'],
      response(),
      'an event stream',
    );
    expect(overloaded).toMatchObject({ code: 'upstream_overloaded', status: 529 });
    const detail = bodyFailure(
      JSON.stringify({ detail: 'Unsupported model' }),
      formats['openai-responses'],
      response(),
      'a JSON object',
    );
    expect(detail).toMatchObject({ code: 'upstream_error', status: 502 });
    expect(detail.message).toBe('Unsupported model');
  });

  it('tells an event stream from other text by its field lines', () => {
    expect(isEventStreamText('event: x\ndata: {}\n\n')).toBe(true);
    expect(isEventStreamText(': keep-alive\n\n')).toBe(true);
    expect(isEventStreamText('{"error": {"message": "x"}}')).toBe(false);
    expect(isEventStreamText('<html>\n<body>data</body>')).toBe(false);
  });
});

describe('failed answers', () => {
  it('a decoded answer with an error is a failure, with the wait to honour', () => {
    const failure = failureOf(
      {
        id: 'r',
        model: 'm',
        content: [{ type: 'text', text: 'Partial' }],
        finishReason: 'error',
        status: 'failed',
        usage: {},
        error: { code: 'upstream_rate_limited', message: 'Slow down, try again in 0.4s' },
      },
      new Headers(),
    );
    expect(failure).toMatchObject({ code: 'upstream_rate_limited', status: 429, retryAfter: '1' });
  });

  it('a length cut is no failure', () => {
    expect(
      failureOf(
        {
          id: 'r',
          model: 'm',
          content: [{ type: 'text', text: 'Cut' }],
          finishReason: 'length',
          status: 'incomplete',
          usage: {},
        },
        new Headers(),
      ),
    ).toBeUndefined();
  });

  it("prefers the upstream's own wait, then its header, then its message", () => {
    const limited = { code: 'upstream_rate_limited' as const, message: 'try again in 2.5s' };
    expect(
      withRetryAfter({ ...limited, retryAfter: '9' }, new Headers({ 'retry-after': '4' })),
    ).toMatchObject({ retryAfter: '9' });
    expect(withRetryAfter(limited, new Headers({ 'retry-after': '4' }))).toMatchObject({
      retryAfter: '4',
    });
    expect(withRetryAfter(limited, undefined)).toMatchObject({ retryAfter: '3' });
    expect(
      withRetryAfter({ code: 'upstream_error', message: 'try again in 2s' }, undefined),
    ).not.toHaveProperty('retryAfter');
  });

  it('reads waits and error kinds from text', () => {
    expect(retryAfterFromText('Please try again in 11.054s.')).toBe('12');
    expect(retryAfterFromText('try again in 250ms')).toBe('1');
    expect(retryAfterFromText('no hint')).toBeUndefined();
    expect(classifyUpstreamKind('rate_limit_error ')).toEqual({
      code: 'upstream_rate_limited',
      status: 429,
    });
    expect(classifyUpstreamKind(' server_is_overloaded')).toEqual({
      code: 'upstream_overloaded',
      status: 529,
    });
    expect(classifyUpstreamKind('api_error ')).toEqual({ code: 'upstream_error', status: 502 });
  });
});
