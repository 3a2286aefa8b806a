/** POSTs to an OAuth endpoint (token or device-code) and reads its JSON answer, whatever the status. */
import { isRecord, type JsonObject, tryParseJson } from '../util/json.js';
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
 * Sends the request. Network failures and timeouts become a `LoginError` (`network`); any HTTP
 * status is returned to the caller, which knows what each OAuth error means.
 */
export async function postOAuthRequest(options: OAuthRequestOptions): Promise<OAuthReply> {
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
    const why = timeout.aborted ? 'timed out' : 'failed';
    throw new LoginError('network', `Request to ${options.label} (${host}) ${why}`, {
      cause: error,
    });
  }
  const parsed = tryParseJson(text);
  return { status: response.status, ok: response.ok, body: isRecord(parsed) ? parsed : {} };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}
