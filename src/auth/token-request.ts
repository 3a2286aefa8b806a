/** POSTs to an OAuth endpoint (token or device-code) and reads its JSON answer, whatever the status. */

import { isRecord, type JsonObject, tryParseJson } from '../util/json.js';
import { registerSecretsIn, scrubSecrets } from '../util/secrets.js';
import { LoginError } from './login-error.js';

/** Options of `postOAuthRequest`. */
export interface OAuthRequestOptions {
  url: string;
  /** Sent as `application/x-www-form-urlencoded` or as JSON. */
  body: Record<string, string>;
  encoding: 'form' | 'json';
  fetch: typeof fetch;
  /** What the endpoint is, for error messages (`"the Codex token endpoint"`). */
  label: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** An endpoint's answer: its status and its JSON object body (`{}` when it sent none). */
export interface OAuthReply {
  status: number;
  ok: boolean;
  body: JsonObject;
}

/** The OAuth `error` and `error_description` of a reply, as one short phrase. */
export function describeOAuthError(body: JsonObject): string | undefined {
  const raw = body.error;
  // Some servers nest the error (`{"error": {"message": ...}}`) rather than following RFC 6749.
  const error = isRecord(raw) ? (raw.code ?? raw.type ?? raw.message) : raw;
  const description = body.error_description ?? (isRecord(raw) ? raw.message : undefined);
  const parts = [error, description].filter(
    (part): part is string => typeof part === 'string' && part !== '',
  );
  return parts.length === 0 ? undefined : [...new Set(parts)].join(': ');
}

/**
 * A reply's HTTP status (when it is a failure status) and its OAuth error, if it gave one:
 * `HTTP 400: invalid_grant`, `HTTP 502`, `authorization_pending` (GitHub answers 200 to those).
 */
export function describeReply(reply: OAuthReply): string {
  const oauth = describeOAuthError(reply.body);
  if (reply.ok && oauth) return oauth;
  return oauth ? `HTTP ${reply.status}: ${oauth}` : `HTTP ${reply.status}`;
}

const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'DNS lookup failed',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
};

/**
 * Why a request never got an answer, from the error and its causes (fetch wraps the real one):
 * `DNS lookup failed (ENOTFOUND)`, `connection refused (ECONNREFUSED)`, a TLS error, ...
 */
export function describeNetworkFailure(error: unknown): string {
  let current: unknown = error;
  let fallback: string | undefined;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== '') {
      const known = NETWORK_CODES[code];
      if (known) return `${known} (${code})`;
      if (/CERT|TLS|SSL/i.test(code)) return `TLS error (${code})`;
      fallback ??= `${current.message} (${code})`;
    } else if (current.message && current.message !== 'fetch failed') {
      fallback ??= current.message;
    }
    current = current.cause;
  }
  return fallback ?? 'no answer';
}

/**
 * Sends the request. Network failures and timeouts become a `LoginError` (`network`); any HTTP
 * status is returned to the caller, which knows what each OAuth error means.
 */
export async function postOAuthRequest(options: OAuthRequestOptions): Promise<OAuthReply> {
  // What we send (refresh tokens, codes, verifiers) must never come back to a log unmasked.
  registerSecretsIn(options.body);
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const body =
    options.encoding === 'form'
      ? new URLSearchParams(options.body).toString()
      : JSON.stringify(options.body);
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type':
          options.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
        accept: 'application/json',
      },
      body,
      signal,
    });
    text = await response.text();
  } catch (error) {
    const host = safeHost(options.url);
    const why = timeout.aborted
      ? `timed out after ${Math.round((options.timeoutMs ?? 30_000) / 1000)} s`
      : options.signal?.aborted
        ? 'was cancelled'
        : `failed: ${scrubSecrets(describeNetworkFailure(error))}`;
    throw new LoginError('network', `Request to ${options.label} (${host}) ${why}`, {
      cause: error,
    });
  }
  const parsed = tryParseJson(text);
  // Minted tokens (and device codes) are known by value from now on, whatever their shape.
  registerSecretsIn(parsed);
  return { status: response.status, ok: response.ok, body: isRecord(parsed) ? parsed : {} };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}
