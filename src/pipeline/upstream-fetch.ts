/** Sends one upstream HTTP request with a first-byte timeout and the client's abort signal. */
import { ProxyError } from '../errors.js';

/** Options of `fetchUpstream`. */
export interface UpstreamFetchOptions {
  fetch: typeof fetch;
  /** Abort when the client goes away. */
  signal: AbortSignal;
  /** Milliseconds to wait for the response headers. */
  firstByteTimeoutMs: number;
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : 'network error';
}

/**
 * Fetches `url`. The returned response's body stays tied to the client's signal, so a client
 * disconnect aborts the upstream request at once. Network failures become `upstream_unavailable`
 * (502) and a missing answer within the timeout `upstream_timeout` (504); the URL's host is
 * named, never its query or headers.
 */
export async function fetchUpstream(
  url: string,
  init: RequestInit,
  options: UpstreamFetchOptions,
): Promise<Response> {
  const controller = new AbortController();
  const abortFromClient = () => controller.abort(options.signal.reason);
  if (options.signal.aborted) abortFromClient();
  else options.signal.addEventListener('abort', abortFromClient, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('first byte timeout'));
  }, options.firstByteTimeoutMs);
  const host = new URL(url).host;
  try {
    return await options.fetch(url, { ...init, signal: controller.signal });
  } catch (error) {
    if (timedOut) {
      throw new ProxyError(
        'upstream_timeout',
        `Upstream ${host} did not answer within ${Math.round(options.firstByteTimeoutMs / 1000)}s`,
      );
    }
    if (options.signal.aborted) {
      throw new ProxyError('upstream_unavailable', 'Client closed the request', {
        status: 499,
        cause: error,
      });
    }
    throw new ProxyError(
      'upstream_unavailable',
      `Cannot reach upstream ${host}: ${describeNetworkError(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Reads an error response body (bounded), parsed as JSON when it is JSON. */
export async function readErrorBody(response: Response, limitBytes = 64 * 1024): Promise<unknown> {
  let text = '';
  try {
    const reader = response.body?.getReader();
    if (reader) {
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        if (text.length > limitBytes) {
          await reader.cancel().catch(() => {});
          break;
        }
      }
    }
  } catch {
    // A body that breaks off still leaves the status to report.
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
