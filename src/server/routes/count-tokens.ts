/** `POST /<provider>/v1/messages/count_tokens`: the pipeline's `countTokens` over HTTP. */
import { estimateInputTokens } from '../../formats/anthropic-messages/index.js';
import type { WireFormat } from '../../formats/format.js';
import { countTokens } from '../../pipeline/count-tokens.js';
import type { Provider } from '../../providers/provider.js';
import type { App } from '../app-deps.js';
import { readJsonBody } from '../read-body.js';
import { providerPrefixes } from './provider-paths.js';
import { bodySource, clientSignal } from './proxy.js';

/** Registers a provider's `count_tokens` routes. */
export function registerCountTokensRoutes(
  app: App,
  options: { id: string; provider: Provider; messages: WireFormat; maxBodyBytes: number },
): void {
  const { id, provider } = options;
  for (const prefix of providerPrefixes(id)) {
    app.post(`${prefix}/v1/messages/count_tokens`, async (c) => {
      c.get('lifecycle').record.route = `/${id}/v1/messages/count_tokens`;
      const body = await readJsonBody(bodySource(c), options.maxBodyBytes);
      const answer = await countTokens({
        provider,
        body,
        headers: c.req.raw.headers,
        signal: clientSignal(c),
        messages: options.messages,
        estimate: estimateInputTokens,
      });
      return c.json(answer as Record<string, unknown>);
    });
  }
}
