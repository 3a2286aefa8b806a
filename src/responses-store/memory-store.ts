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
  // item id → the responses holding it, newest last (a conversation's items recur in the input of
  // each later turn); cleaned when a response leaves the cache, for whatever reason.
  const itemOwners = new Map<string, string[]>();
  const disown = (itemId: string, responseId: string) => {
    const owners = itemOwners.get(itemId)?.filter((owner) => owner !== responseId);
    if (owners && owners.length > 0) itemOwners.set(itemId, owners);
    else itemOwners.delete(itemId);
  };
  const cache = new LRUCache<string, StoredResponse>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry) => Math.max(1, Buffer.byteLength(JSON.stringify(entry), 'utf8')),
    ttl: options.ttlMs,
    // Read the clock on every check: a cached reading would make expiry depend on timers.
    ttlResolution: 0,
    ...(options.now ? { perf: { now: options.now } } : {}),
    dispose: (entry, key) => {
      for (const [itemId] of itemsWithIds(entry)) disown(itemId, key);
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
      const owners = [...(itemOwners.get(itemId) ?? [])].reverse();
      for (const owner of owners) {
        // An expired owner is dropped by this read (and disowns its items).
        const entry = cache.get(owner);
        const item = entry && itemsWithIds(entry).find(([id]) => id === itemId)?.[1];
        if (item) return item;
      }
      return undefined;
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
      for (const [itemId] of itemsWithIds(entry)) {
        const owners = itemOwners.get(itemId)?.filter((owner) => owner !== id) ?? [];
        owners.push(id);
        itemOwners.set(itemId, owners);
      }
    },
    async delete(responseId) {
      return cache.delete(responseId);
    },
  };
}
