/**
 * A fake Anthropic API: checks what a Claude subscription request must carry (bearer token,
 * `anthropic-version`, the OAuth betas, Claude Code's identity as the first system block) or an
 * API key, and answers from a recorded transcript (streamed, or its final body as JSON).
 */
import type { FakeHandler, FakeReply, RecordedRequest } from './fake-upstream.js';
import { loadFixtureBytes, loadFixtureJson } from './fixtures.js';

/** Claude Code's identity block, verbatim. */
export const IDENTITY = "You are Claude Code, Anthropic's official CLI for Claude.";

/** An error answer as the Anthropic API writes it (`{"type": "error", "error": {...}}`). */
export function anthropicError(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): FakeReply {
  return {
    status,
    headers,
    body: { type: 'error', error: { type, message }, request_id: 'req_fake' },
  };
}

/** The start of Claude Code's billing system block. */
export const BILLING_PREFIX = 'x-anthropic-billing-header:';

/** The beta under which the API takes `system` messages between turns. */
export const MID_CONVERSATION_SYSTEM_BETA = 'mid-conversation-system-2026-04-07';

/** Checks a request; returns the error reply, or undefined when valid. */
export function checkAnthropicRequest(
  request: RecordedRequest,
  auth:
    | { mode: 'oauth'; acceptToken: (token: string) => boolean }
    | { mode: 'api-key'; key: string },
): FakeReply | undefined {
  if (request.headers['anthropic-version'] !== '2023-06-01') {
    return anthropicError(400, 'invalid_request_error', 'anthropic-version: header is required');
  }
  if (auth.mode === 'api-key') {
    if (request.headers['x-api-key'] !== auth.key)
      return anthropicError(401, 'authentication_error', 'invalid x-api-key');
    if (request.headers.authorization)
      return anthropicError(400, 'invalid_request_error', 'unexpected authorization header');
  } else {
    const authorization = String(request.headers.authorization ?? '');
    const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
    if (!auth.acceptToken(token))
      return anthropicError(401, 'authentication_error', 'Invalid bearer token');
    const betas = String(request.headers['anthropic-beta'] ?? '').split(',');
    if (!betas.includes('oauth-2025-04-20') || !betas.includes('claude-code-20250219')) {
      return anthropicError(
        401,
        'authentication_error',
        'OAuth authentication is currently not supported.',
      );
    }
    const body = request.json as { system?: Array<{ type: string; text: string }> } | undefined;
    // Claude Code's billing block may come first; the identity follows it.
    const system = body?.system ?? [];
    const first = system[0]?.text?.startsWith(BILLING_PREFIX) ? system[1] : system[0];
    if (first?.text !== IDENTITY) {
      return anthropicError(
        400,
        'invalid_request_error',
        'This credential is only authorized for use with Claude Code',
      );
    }
  }
  if (request.headers['x-api-key'] && auth.mode === 'oauth') {
    return anthropicError(400, 'invalid_request_error', 'unexpected x-api-key');
  }
  const messages = (request.json as { messages?: unknown } | undefined)?.messages;
  const betas = String(request.headers['anthropic-beta'] ?? '').split(',');
  if (Array.isArray(messages) && !betas.includes(MID_CONVERSATION_SYSTEM_BETA)) {
    const index = messages.findIndex(
      (message) => (message as { role?: unknown } | null)?.role === 'system',
    );
    if (index >= 0) {
      return anthropicError(
        400,
        'invalid_request_error',
        `messages.${index}.role: Input should be 'user' or 'assistant'`,
      );
    }
  }
  return undefined;
}

/** Options of `fakeAnthropicApi`. */
export interface FakeAnthropicOptions {
  /** Transcript name in the anthropic-messages fixtures (`text`, `thinking-text-tool`, ...). */
  transcript: string | ((request: RecordedRequest) => string);
  auth:
    | { mode: 'oauth'; acceptToken: (token: string) => boolean }
    | { mode: 'api-key'; key: string };
  seed?: number;
  /** Extra response headers (the unified rate-limit headers, ...), or a function of the request. */
  headers?: Record<string, string> | ((request: RecordedRequest) => Record<string, string>);
}

/** A handler for `startFakeUpstream` that behaves like the Anthropic API. */
export function fakeAnthropicApi(options: FakeAnthropicOptions): FakeHandler {
  let count = 0;
  return (request) => {
    const rejected = checkAnthropicRequest(request, options.auth);
    if (rejected) return rejected;
    if (request.path === '/v1/messages/count_tokens') return { body: { input_tokens: 4242 } };
    if (request.path !== '/v1/messages') return anthropicError(404, 'not_found_error', 'Not found');
    const body = request.json as { stream?: boolean; max_tokens?: unknown } | undefined;
    if (typeof body?.max_tokens !== 'number')
      return anthropicError(400, 'invalid_request_error', 'max_tokens: Field required');
    const name =
      typeof options.transcript === 'function' ? options.transcript(request) : options.transcript;
    const extra =
      typeof options.headers === 'function' ? options.headers(request) : (options.headers ?? {});
    if (body.stream) {
      return {
        headers: { 'content-type': 'text/event-stream', ...extra },
        sse: {
          bytes: loadFixtureBytes('anthropic-messages', `${name}.sse`),
          seed: (options.seed ?? 3) + count++,
          maxChunk: 61,
        },
      };
    }
    return {
      headers: extra,
      body: loadFixtureJson('anthropic-messages', `${name}.expected.json`),
    };
  };
}
