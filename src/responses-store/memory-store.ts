/** The in-memory Responses store: least recently used entries go first past a byte budget, and every entry expires. */
import { LRUCache } from 'lru-cache';
import { itemsWithIds, type ResponsesStore, responseIdOf, type StoredResponse } from './store.js';

/** Options of `createMemoryResponsesStore`. */
export interface MemoryStoreOptions {
  /** Budget for all entries, counted as the UTF-8 size of their JSON. */
  maxBytes: number;
  /** Lifetime of an entry from when it was stored, in milliseconds. */
  ttlMs: number;
  /** Milliseconds from any fixed origin (tests inject a clock). */
  now?: () => number;
  /** Told when an entry cannot be kept because it alone exceeds `maxBytes`. */
  onTooLarge?: (responseId: string, bytes: number) => void;
}

/** What the memory store can report about itself (for tests and `/health`-like views). */
export interface MemoryResponsesStore extends ResponsesStore {
  /** Bytes accounted to the entries still held (expired ones count until they are dropped). */
  readonly bytes: number;
  /** Number of entries held. */
  readonly size: number;
}

/** Creates the in-memory store. */
export function createMemoryResponsesStore(options: MemoryStoreOptions): MemoryResponsesStore {
  // item id → response id; cleaned when its response leaves the cache, for whatever reason.
  const itemOwners = new Map<string, string>();
  const cache = new LRUCache<string, StoredResponse>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry) => Math.max(1, Buffer.byteLength(JSON.stringify(entry), 'utf8')),
    ttl: options.ttlMs,
    // Read the clock on every check: a cached reading would make expiry depend on timers.
    ttlResolution: 0,
    ...(options.now ? { perf: { now: options.now } } : {}),
    dispose: (entry, key) => {
      for (const [itemId] of itemsWithIds(entry)) {
        if (itemOwners.get(itemId) === key) itemOwners.delete(itemId);
      }
    },
  });

  return {
    get bytes() {
      return cache.calculatedSize;
    },
    get size() {
      return cache.size;
    },
    async get(responseId) {
      return cache.get(responseId);
    },
    async getItem(itemId) {
      const owner = itemOwners.get(itemId);
      if (owner === undefined) return undefined;
      const entry = cache.get(owner);
      if (!entry) {
        itemOwners.delete(itemId);
        return undefined;
      }
      return itemsWithIds(entry).find(([id]) => id === itemId)?.[1];
    },
    async put(entry) {
      const id = responseIdOf(entry);
      if (id === undefined) return;
      const bytes = Buffer.byteLength(JSON.stringify(entry), 'utf8');
      if (bytes > options.maxBytes) {
        options.onTooLarge?.(id, bytes);
        return;
      }
      cache.set(id, entry, { size: bytes });
      for (const [itemId] of itemsWithIds(entry)) itemOwners.set(itemId, id);
    },
    async delete(responseId) {
      return cache.delete(responseId);
    },
  };
}
