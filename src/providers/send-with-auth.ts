/** Sends an upstream request with refreshing credentials: one retry after an HTTP 401. */
import type { CredentialCache } from '../auth/single-flight.js';
import {
  fetchUpstream,
  type UpstreamFetchOptions,
  type UpstreamRequest,
  type UpstreamResponse,
} from '../http/upstream-fetch.js';

/** Options of `sendWithAuth`. */
export interface SendWithAuthOptions<C> {
  credentials: CredentialCache<C>;
  url: string;
  /** Builds the request for a set of credentials (called again after a refresh). */
  buildInit(credentials: C): UpstreamRequest;
  /** Connection pool, timeouts, retries and the client's abort signal. */
  http: UpstreamFetchOptions;
}

/**
 * Sends the request. On HTTP 401 it asks for fresh credentials once (single-flight: a token
 * another request already replaced is reused, not refreshed again) and retries once.
 */
export async function sendWithAuth<C>(options: SendWithAuthOptions<C>): Promise<UpstreamResponse> {
  let credentials = await options.credentials.get();
  const first = await fetchUpstream(options.url, options.buildInit(credentials), options.http);
  if (first.status !== 401) return first;
  await first.body.cancel().catch(() => {});
  credentials = await options.credentials.refreshAfterRejection(credentials);
  return fetchUpstream(options.url, options.buildInit(credentials), options.http);
}
