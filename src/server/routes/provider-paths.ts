/** The paths a provider answers on: its prefixes (with or without a session) and API suffixes. */
import type { WireFormatId } from '../../formats/format.js';
import type { Provider } from '../../providers/provider.js';

/** The API routes every provider serves, and the client format each speaks. */
export const API_ROUTES: ReadonlyArray<{ suffix: string; format: WireFormatId }> = [
  { suffix: '/v1/chat/completions', format: 'openai-chat' },
  { suffix: '/v1/responses', format: 'openai-responses' },
  { suffix: '/v1/messages', format: 'anthropic-messages' },
];

/** A provider's route prefixes: `/<id>` and `/<id>/<session id>`. */
export function providerPrefixes(id: string): string[] {
  return [`/${id}`, `/${id}/:session_id{[^/]+}`];
}

/** The API routes of a provider: the common ones and its own extra routes. */
export function providerApiRoutes(
  provider: Pick<Provider, 'extraRoutes'>,
): Array<{ suffix: string; format: WireFormatId }> {
  return [...API_ROUTES, ...(provider.extraRoutes ?? [])];
}
