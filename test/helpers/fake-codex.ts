/**
 * A fake ChatGPT Codex backend: enforces the request rules the real one enforces (observed
 * 2025-09 to 2026-11) and replays an SSE transcript split at random byte positions.
 */
import type { FakeHandler, FakeReply, RecordedRequest } from './fake-upstream.js';

const REJECTED = [
  'max_output_tokens',
  'max_tokens',
  'max_completion_tokens',
  'metadata',
  'temperature',
  'top_p',
];

function badRequest(message: string, param: string | null = null): FakeReply {
  return {
    status: 400,
    body: { error: { message, type: 'invalid_request_error', param, code: null } },
  };
}

/** Checks a request the way the backend does; returns the error reply, or undefined when valid. */
export function checkCodexRequest(
  request: RecordedRequest,
  acceptToken: (token: string) => boolean,
): FakeReply | undefined {
  const authorization = String(request.headers.authorization ?? '');
  const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : '';
  if (!acceptToken(token)) {
    return {
      status: 401,
      body: {
        error: {
          message: 'Invalid authentication token',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    };
  }
  if (!request.headers['chatgpt-account-id'])
    return badRequest('Missing chatgpt-account-id header');
  if (request.path !== '/backend-api/codex/responses')
    return { status: 404, body: { detail: 'Not Found' } };
  const body = request.json as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return badRequest('Invalid JSON body');
  if (body.stream !== true) return badRequest('Stream must be set to true', 'stream');
  if (body.store !== false) return badRequest('Store must be set to false', 'store');
  if (typeof body.instructions !== 'string' || body.instructions === '')
    return badRequest('Instructions are required', 'instructions');
  if (!Array.isArray(body.input)) return badRequest('Input must be a list', 'input');
  for (const key of REJECTED)
    if (key in body) return badRequest(`Unsupported parameter: ${key}`, key);
  for (const item of body.input as Array<Record<string, unknown>>) {
    // The real backend's own words and shape (observed 2026-12); `developer` items it takes.
    if (item?.role === 'system')
      return { status: 400, body: { detail: 'System messages are not allowed' } };
    if (typeof item?.id === 'string' && !item.id.startsWith('rs_')) {
      return badRequest(
        `Item with id '${item.id}' not found. Items are not persisted when \`store\` is set to false.`,
      );
    }
  }
  return undefined;
}

/** Options of `fakeCodexBackend`. */
export interface FakeCodexOptions {
  /** The SSE transcript to replay (or one per request). */
  transcript: string | Uint8Array | ((request: RecordedRequest) => string | Uint8Array);
  /** Tokens the backend accepts (default: any non-empty). */
  acceptToken?: (token: string) => boolean;
  /** Seed of the random splits (each request adds its index). */
  seed?: number;
  /** Extra response headers (rate-limit headers, ...). */
  headers?: Record<string, string>;
}

/** A handler for `startFakeUpstream` that behaves like the Codex backend. */
export function fakeCodexBackend(options: FakeCodexOptions): FakeHandler {
  let count = 0;
  return (request) => {
    const rejected = checkCodexRequest(request, options.acceptToken ?? ((token) => token !== ''));
    if (rejected) return rejected;
    const transcript =
      typeof options.transcript === 'function' ? options.transcript(request) : options.transcript;
    return {
      headers: { 'content-type': 'text/event-stream', ...options.headers },
      sse: { bytes: transcript, seed: (options.seed ?? 1) + count++, maxChunk: 97 },
    };
  };
}
