/**
 * A provider's `/v1/models` list: the upstream's own list, cached for a while, with a static
 * list when the upstream cannot give one (its last good list first, when there is one).
 */
import type { ModelCard } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';

/** How long upstream model lists are reused, and the clock that says so. */
export interface ModelCacheSettings {
  /** Milliseconds a fetched list is served before the upstream is asked again (0: always ask). */
  ttlMs: number;
  /** Monotonic milliseconds (tests inject a clock). */
  now(): number;
}

/** Default caching: ten minutes on the process clock. */
export const DEFAULT_MODEL_CACHE: ModelCacheSettings = {
  ttlMs: 600_000,
  now: () => performance.now(),
};

/** Options of `createModelCatalog`. */
export interface ModelCatalogOptions {
  /** Reads the upstream's list; throws (or returns nothing) when it cannot. */
  fetch(): Promise<ModelCard[]>;
  /**
   * Served when the upstream's list cannot be had and none was had before; without one, the
   * upstream's failure is thrown.
   */
  fallback?: readonly ModelCard[];
  cache: ModelCacheSettings;
  logger: Logger;
  /** Names the list in warnings (`Codex`, `providers.openrouter`). */
  label: string;
}

/** The cached list. */
export interface ModelCatalog {
  list(): Promise<ModelCard[]>;
}

/** Creates a catalog; concurrent callers share one upstream request. */
export function createModelCatalog(options: ModelCatalogOptions): ModelCatalog {
  let cached: { cards: ModelCard[]; at: number } | undefined;
  let pending: Promise<ModelCard[]> | undefined;

  async function refresh(): Promise<ModelCard[]> {
    try {
      const cards = await options.fetch();
      if (cards.length === 0 && options.fallback) throw new Error('the upstream listed no models');
      cached = { cards, at: options.cache.now() };
      return cards;
    } catch (error) {
      if (!cached && !options.fallback) throw error;
      const detail = error instanceof Error ? error.message : String(error);
      options.logger.warn(
        { error: detail },
        cached
          ? `${options.label} model list unavailable; serving the last list it gave`
          : `${options.label} model list unavailable; serving the built-in list`,
      );
      return cached ? cached.cards : [...(options.fallback ?? [])];
    }
  }

  return {
    list() {
      if (cached && options.cache.now() - cached.at < options.cache.ttlMs) {
        return Promise.resolve(cached.cards);
      }
      pending ??= refresh().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}
