/**
 * Honest outcomes end to end: a failed, broken-off or malformed upstream answer reaches every
 * client format (Chat, Responses, Messages; streamed and not) as an error with an honest status,
 * never as a finished answer, and a length cut stays a normal answer.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireFormatId } from '../../src/ir/meta.js';
import { type FakeReply, type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import {
  responsesErrorEvent,
  streamEnd,
  streamFailure,
  streamHead,
} from '../helpers/outcome-streams.js';
import { accessLine, startProxy, type TestProxy } from '../helpers/proxy.js';
import { anthropicClient, openaiClient } from '../helpers/sdk-clients.js';

const PROVIDER: Record<WireFormatId, string> = {
  'openai-chat': 'upchat',
  'openai-responses': 'upresp',
  'anthropic-messages': 'upmsg',
};
const CLIENT_FORMATS: WireFormatId[] = ['openai-chat', 'openai-responses', 'anthropic-messages'];
const TEXT = 'Partial answer';
/** Looks like an OpenAI key; must never reach a client. */
const LEAKED_KEY = 'sk-proj-outcomeLeak1234567890';

let upstream: FakeUpstream;
let proxy: TestProxy;
let reply: () => FakeReply = () => ({ status: 500 });
beforeAll(async () => {
  upstream = await startFakeUpstream(() => reply());
  const provider = (format: WireFormatId, path: string) => ({
    base_url: `${upstream.url}/${path}`,
    api_key_env: 'UPSTREAM_TEST_KEY',
    format,
  });
  proxy = await startProxy({
    config: {
      providers: {
        upchat: provider('openai-chat', 'chat'),
        upresp: provider('openai-responses', 'resp'),
        upmsg: provider('anthropic-messages', 'msg'),
      },
    },
    env: { UPSTREAM_TEST_KEY: 'upstream-test-key' },
  });
});
afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

/** What a client made of the answer: a finished answer, or what its SDK threw. */
type Outcome =
  | { kind: 'answer'; text: string; finish: string; incompleteReason?: string }
  | { kind: 'error'; error: unknown };

/** Asks through the official SDK of `client`, streamed or not, on the route of `upstreamFormat`. */
async function ask(
  client: WireFormatId,
  upstreamFormat: WireFormatId,
  stream: boolean,
): Promise<Outcome> {
  const base = `${proxy.url}/${PROVIDER[upstreamFormat]}`;
  try {
    switch (client) {
      case 'openai-chat': {
        const chat = openaiClient(`${base}/v1`).chat.completions;
        const body = { model: 'test-model', messages: [{ role: 'user' as const, content: 'hi' }] };
        const result = stream
          ? await chat.stream(body).finalChatCompletion()
          : await chat.create(body);
        const choice = result.choices[0]!;
        return {
          kind: 'answer',
          text: choice.message.content ?? '',
          finish: choice.finish_reason,
        };
      }
      case 'openai-responses': {
        const responses = openaiClient(`${base}/v1`).responses;
        const body = { model: 'test-model', input: 'hi' };
        const result = stream
          ? await responses.stream(body).finalResponse()
          : await responses.create(body);
        return {
          kind: 'answer',
          text: result.output_text,
          finish: result.status ?? '',
          ...(result.incomplete_details?.reason
            ? { incompleteReason: result.incomplete_details.reason }
            : {}),
        };
      }
      case 'anthropic-messages': {
        const messages = anthropicClient(base).messages;
        const body = {
          model: 'test-model',
          max_tokens: 100,
          messages: [{ role: 'user' as const, content: 'hi' }],
        };
        const result = stream
          ? await messages.stream(body).finalMessage()
          : await messages.create(body);
        return {
          kind: 'answer',
          text: result.content.map((block) => (block.type === 'text' ? block.text : '')).join(''),
          finish: result.stop_reason ?? '',
        };
      }
      default:
        throw new Error(`no client for ${client}`);
    }
  } catch (error) {
    return { kind: 'error', error };
  }
}

/** Status, message and headers of an SDK error (both SDKs' `APIError` have them). */
function apiError(outcome: Outcome): { status?: number; message: string; headers?: Headers } {
  expect(outcome.kind).toBe('error');
  const error = (outcome as { error: unknown }).error;
  const isApiError = error instanceof OpenAI.APIError || error instanceof Anthropic.APIError;
  expect(isApiError, String(error)).toBe(true);
  return error as { status?: number; message: string; headers?: Headers };
}

/** A failure case: what the upstream sends and what every client must see. */
interface FailureCase {
  name: string;
  upstream: WireFormatId;
  reply: () => FakeReply;
  /** HTTP status for OpenAI clients and for Anthropic clients (529 for an overload). */
  status: number;
  anthropicStatus?: number;
  message: string | RegExp;
  retryAfter?: string;
  /** Whether the failure comes after content (a streaming client then gets it in its stream). */
  afterContent: boolean;
}

const sse = (bytes: string, extra: Partial<FakeReply> = {}): FakeReply => ({
  sse: { bytes, seed: 7, maxChunk: 53 },
  ...extra,
});

const FAILURES: FailureCase[] = [
  {
    name: 'Responses response.failed after content',
    upstream: 'openai-responses',
    reply: () =>
      sse(
        streamHead('openai-responses', TEXT) +
          streamFailure('openai-responses', {
            type: 'server_error',
            message: `The server had an error processing your request (key ${LEAKED_KEY})`,
          }),
      ),
    status: 502,
    message: 'The server had an error processing your request',
    afterContent: true,
  },
  {
    name: 'Responses error event (rate limit, wait in the message) before content',
    upstream: 'openai-responses',
    reply: () =>
      sse(
        streamHead('openai-responses') +
          responsesErrorEvent({
            code: 'rate_limit_exceeded',
            message: 'Rate limit reached for gpt-5 on tokens per min. Please try again in 2.5s.',
          }),
      ),
    status: 429,
    message: 'Rate limit reached for gpt-5',
    retryAfter: '3',
    afterContent: false,
  },
  {
    name: 'Responses stream that ends before its terminal event',
    upstream: 'openai-responses',
    reply: () => sse(streamHead('openai-responses', TEXT)),
    status: 502,
    message: 'Upstream stream ended before its final event',
    afterContent: true,
  },
  {
    name: 'Responses stream with a cut JSON line, then the end',
    upstream: 'openai-responses',
    reply: () =>
      sse(
        `${streamHead('openai-responses', TEXT)}data: {"type":"response.output_text.delta","item_id":"msg_`,
      ),
    status: 502,
    message: 'Upstream stream ended before its final event',
    afterContent: true,
  },
  {
    name: 'Chat error chunk after content',
    upstream: 'openai-chat',
    reply: () =>
      sse(
        streamHead('openai-chat', TEXT) +
          streamFailure('openai-chat', {
            type: 'server_error',
            message: 'The model crashed while generating',
          }),
      ),
    status: 502,
    message: 'The model crashed while generating',
    afterContent: true,
  },
  {
    name: 'Chat error chunk (rate limit) before content, retry-after in the 200 header',
    upstream: 'openai-chat',
    reply: () =>
      sse(
        streamHead('openai-chat') +
          streamFailure('openai-chat', {
            type: 'rate_limit_error',
            code: 'rate_limit_exceeded',
            message: 'Rate limit reached for requests',
          }),
        { headers: { 'retry-after': '7' } },
      ),
    status: 429,
    message: 'Rate limit reached for requests',
    retryAfter: '7',
    afterContent: false,
  },
  {
    name: 'Chat connection cut before any finish_reason',
    upstream: 'openai-chat',
    reply: () => sse(streamHead('openai-chat', TEXT), { destroy: true }),
    status: 502,
    // Streamed: the read failure itself; buffered: the reassembly's early end. Both are 502s.
    message: /Upstream (connection failed mid-stream|stream ended before its final event)/,
    afterContent: true,
  },
  {
    name: 'Chat stream with a cut JSON line, then the end',
    upstream: 'openai-chat',
    reply: () => sse(`${streamHead('openai-chat', TEXT)}data: {"id":"chatcmpl-outcome","choi`),
    status: 502,
    message: 'Upstream stream ended before its final event',
    afterContent: true,
  },
  {
    name: 'Anthropic overloaded_error right after message_start',
    upstream: 'anthropic-messages',
    reply: () =>
      sse(
        streamHead('anthropic-messages') +
          streamFailure('anthropic-messages', { type: 'overloaded_error', message: 'Overloaded' }),
      ),
    status: 503,
    anthropicStatus: 529,
    message: 'Overloaded',
    afterContent: false,
  },
  {
    name: 'Anthropic rate_limit_error after content (wait in the message)',
    upstream: 'anthropic-messages',
    reply: () =>
      sse(
        streamHead('anthropic-messages', TEXT) +
          streamFailure('anthropic-messages', {
            type: 'rate_limit_error',
            message: 'Number of request tokens has exceeded your rate limit; try again in 2.5s',
          }),
      ),
    status: 429,
    message: 'exceeded your rate limit',
    retryAfter: '3',
    afterContent: true,
  },
  {
    name: 'Anthropic stream that ends before message_stop',
    upstream: 'anthropic-messages',
    reply: () => sse(streamHead('anthropic-messages', TEXT)),
    status: 502,
    message: 'Upstream stream ended before its final event',
    afterContent: true,
  },
  {
    name: 'Anthropic stream with a cut JSON line, then the end',
    upstream: 'anthropic-messages',
    reply: () =>
      sse(
        `${streamHead('anthropic-messages', TEXT)}event: content_block_delta\ndata: {"type":"content_block_delta","ind`,
      ),
    status: 502,
    message: 'Upstream stream ended before its final event',
    afterContent: true,
  },
  {
    name: 'HTTP 429 whose wait is only in the message',
    upstream: 'openai-chat',
    reply: () => ({
      status: 429,
      body: {
        error: {
          message: 'Rate limit reached for requests. Please try again in 1.2s.',
          type: 'requests',
          code: 'rate_limit_exceeded',
        },
      },
    }),
    status: 429,
    message: 'Rate limit reached for requests',
    retryAfter: '2',
    afterContent: false,
  },
  {
    name: 'Anthropic HTTP 429 with its retry-after header',
    upstream: 'anthropic-messages',
    reply: () => ({
      status: 429,
      headers: { 'retry-after': '11' },
      body: {
        type: 'error',
        error: { type: 'rate_limit_error', message: 'Rate limited; try again in 2.5s' },
      },
    }),
    status: 429,
    message: 'Rate limited',
    retryAfter: '11',
    afterContent: false,
  },
  {
    name: 'HTML page with status 200',
    upstream: 'openai-chat',
    reply: () => ({
      headers: { 'content-type': 'text/html' },
      body: '<html><body>502 Bad Gateway</body></html>',
    }),
    status: 502,
    message: 'not a JSON object (content-type text/html)',
    afterContent: false,
  },
  {
    name: 'HTML page with status 200, labelled an event stream',
    upstream: 'openai-responses',
    reply: () => ({
      headers: { 'content-type': 'text/event-stream' },
      body: '<html><body>Service unavailable</body></html>',
    }),
    status: 502,
    message: 'is not an event stream',
    afterContent: false,
  },
  {
    name: 'JSON error body with status 200 (quota)',
    upstream: 'openai-chat',
    reply: () => ({
      body: {
        error: {
          message: 'You exceeded your current quota',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      },
    }),
    status: 429,
    message: 'You exceeded your current quota',
    afterContent: false,
  },
  {
    name: 'Anthropic JSON error body with status 200, labelled an event stream (overload)',
    upstream: 'anthropic-messages',
    reply: () => ({
      headers: { 'content-type': 'text/event-stream' },
      body: JSON.stringify({
        type: 'error',
        error: { type: 'overloaded_error', message: 'Overloaded, retry soon' },
      }),
    }),
    status: 503,
    anthropicStatus: 529,
    message: 'Overloaded, retry soon',
    afterContent: false,
  },
  {
    name: 'empty body with status 200',
    upstream: 'anthropic-messages',
    reply: () => ({ headers: { 'content-type': 'application/json' }, body: '' }),
    status: 502,
    message: 'with an empty body',
    afterContent: false,
  },
  {
    name: 'empty event stream with status 200',
    upstream: 'openai-responses',
    reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: '' }),
    status: 502,
    message: 'with an empty body',
    afterContent: false,
  },
];

describe.each(FAILURES)('$name', (failure) => {
  describe.each(CLIENT_FORMATS)('%s client', (client) => {
    const status =
      client === 'anthropic-messages'
        ? (failure.anthropicStatus ?? failure.status)
        : failure.status;

    it(`non-streaming: HTTP ${status} with the upstream's message`, async () => {
      reply = failure.reply;
      const error = apiError(await ask(client, failure.upstream, false));
      expect(error.status).toBe(status);
      expect(error.message).toMatch(failure.message);
      expect(error.message).not.toContain(LEAKED_KEY);
      if (failure.retryAfter) expect(error.headers?.get('retry-after')).toBe(failure.retryAfter);
    });

    it(
      failure.afterContent
        ? "streaming: the stream ends with the format's error event"
        : `streaming: HTTP ${status} before any byte`,
      async () => {
        reply = failure.reply;
        const error = apiError(await ask(client, failure.upstream, true));
        expect(error.message).toMatch(failure.message);
        expect(error.message).not.toContain(LEAKED_KEY);
        if (failure.afterContent) {
          expect(error.status).toBeUndefined();
        } else {
          expect(error.status).toBe(status);
          if (failure.retryAfter) {
            expect(error.headers?.get('retry-after')).toBe(failure.retryAfter);
          }
        }
      },
    );
  });
});

/** What each client format calls a finished answer and a length cut. */
const FINISH: Record<WireFormatId, { stop: string; length: string }> = {
  'openai-chat': { stop: 'stop', length: 'length' },
  'openai-responses': { stop: 'completed', length: 'incomplete' },
  'anthropic-messages': { stop: 'end_turn', length: 'max_tokens' },
};

describe.each(CLIENT_FORMATS)('answers stay answers: %s upstream', (upstreamFormat) => {
  describe.each(CLIENT_FORMATS)('%s client', (client) => {
    for (const stream of [false, true]) {
      for (const reason of ['stop', 'length'] as const) {
        it(`${stream ? 'streaming' : 'non-streaming'}: ${reason} is a normal answer`, async () => {
          reply = () =>
            sse(streamHead(upstreamFormat, TEXT) + streamEnd(upstreamFormat, reason, TEXT));
          const outcome = await ask(client, upstreamFormat, stream);
          expect(outcome).toMatchObject({ kind: 'answer', text: TEXT });
          const answer = outcome as Extract<Outcome, { kind: 'answer' }>;
          expect(answer.finish).toBe(FINISH[client][reason]);
          if (client === 'openai-responses' && reason === 'length') {
            expect(answer.incompleteReason).toBe('max_output_tokens');
          }
        });
      }
    }
  });
});

describe('pass-through streams never forward broken bytes', () => {
  const paths: Record<WireFormatId, { path: string; body: Record<string, unknown> }> = {
    'openai-chat': {
      path: '/upchat/v1/chat/completions',
      body: { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] },
    },
    'openai-responses': {
      path: '/upresp/v1/responses',
      body: { model: 'm', stream: true, input: 'hi' },
    },
    'anthropic-messages': {
      path: '/upmsg/v1/messages',
      body: {
        model: 'm',
        stream: true,
        max_tokens: 5,
        messages: [{ role: 'user', content: 'hi' }],
      },
    },
  };
  const lastEvent: Record<WireFormatId, RegExp> = {
    'openai-chat':
      /data: \{"error":\{[^\n]*"code":"upstream_protocol"[^\n]*\n\ndata: \[DONE\]\n\n$/,
    'openai-responses': /event: error\n[^\n]*\n\nevent: response\.failed\n[^\n]*\n\n$/,
    'anthropic-messages':
      /event: error\ndata: \{"type":"error","error":\{"type":"api_error"[^\n]*\n\n$/,
  };

  it.each(CLIENT_FORMATS)(
    '%s: a cut JSON line is dropped and the stream ends with its error event',
    async (format) => {
      const cut = 'data: {"cut":"half a li';
      reply = () => sse(`${streamHead(format, TEXT)}${cut}`);
      const { path, body } = paths[format];
      const requestId = `req-cut-${format}`;
      const response = await fetch(`${proxy.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain(TEXT);
      expect(text).not.toContain('half a li');
      expect(text).toMatch(lastEvent[format]);
      const warnings = proxy
        .logs()
        .filter((line) => line.msg === 'conversion warnings')
        .flatMap((line) => line.warnings as string[]);
      expect(warnings.some((w) => /not a JSON object/.test(w))).toBe(true);
      expect(await accessLine(proxy, requestId)).toMatchObject({
        status: 200,
        error_code: 'upstream_protocol',
      });
    },
  );
});

describe('upstream messages reach the client scrubbed', () => {
  it('a forwarded Responses failure event holds no key', async () => {
    reply = () =>
      sse(
        streamHead('openai-responses', TEXT) +
          streamFailure('openai-responses', {
            type: 'server_error',
            message: `bad key ${LEAKED_KEY}`,
          }),
      );
    const response = await fetch(`${proxy.url}/upresp/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, input: 'hi' }),
    });
    const text = await response.text();
    expect(text).toContain('bad key [REDACTED]');
    expect(text).not.toContain(LEAKED_KEY);
  });
});
