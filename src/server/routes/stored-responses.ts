/** `GET` and `DELETE /<provider>/v1/responses/{id}`: answers kept in the Responses store. */
import { ProxyError } from '../../errors.js';
import type { Provider } from '../../providers/provider.js';
import type { ResponsesStore } from '../../responses-store/store.js';
import type { App } from '../app-deps.js';
import { providerApiRoutes, providerPrefixes } from './provider-paths.js';

/** The 404 for a response id the store does not hold (OpenAI's wording, plus why). */
function responseNotFound(responseId: string, storeOn: boolean): ProxyError {
  return new ProxyError(
    'not_found',
    storeOn
      ? `Response with id '${responseId}' not found.`
      : `Response with id '${responseId}' not found: the Responses store is off ([responses_store] enabled = false).`,
  );
}

/** Registers the stored-response routes of a provider (under each of its Responses routes). */
export function registerStoredResponseRoutes(
  app: App,
  options: { id: string; provider: Provider; store: ResponsesStore | undefined },
): void {
  const { id, store } = options;
  const responsesRoutes = providerApiRoutes(options.provider).filter(
    (route) => route.format === 'openai-responses',
  );
  for (const prefix of providerPrefixes(id)) {
    for (const { suffix } of responsesRoutes) {
      const path = `${prefix}${suffix}/:response_id{[^/]+}`;
      const route = `/${id}${suffix}/{response_id}`;
      app.get(path, async (c) => {
        c.get('lifecycle').record.route = route;
        const responseId = c.req.param('response_id' as never) as string;
        const stored = await store?.get(responseId);
        if (!stored) throw responseNotFound(responseId, store !== undefined);
        return c.json(stored.response);
      });
      app.delete(path, async (c) => {
        c.get('lifecycle').record.route = route;
        const responseId = c.req.param('response_id' as never) as string;
        const deleted = (await store?.delete(responseId)) ?? false;
        if (!deleted) throw responseNotFound(responseId, store !== undefined);
        return c.json({ id: responseId, object: 'response.deleted', deleted: true });
      });
    }
  }
}
