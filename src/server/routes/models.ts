/** `GET /<provider>/v1/models`: the provider's models, in the list shape the client's SDK reads. */
import type { Provider } from '../../providers/provider.js';
import type { App } from '../app-deps.js';
import { anthropicModelList, openaiModelList, wantsAnthropicModels } from '../models-route.js';

/** Registers a provider's model list route. */
export function registerModelsRoute(app: App, options: { id: string; provider: Provider }): void {
  const { id, provider } = options;
  app.get(`/${id}/v1/models`, async (c) => {
    c.get('lifecycle').record.route = `/${id}/v1/models`;
    const cards = await provider.listModels();
    return c.json(
      wantsAnthropicModels(c.req.raw.headers) ? anthropicModelList(cards) : openaiModelList(cards),
    );
  });
}
