/**
 * The Responses store on Redis, so a conversation continues on any replica: each response under
 * its id and each of its items under the item's id, both expiring after the TTL (an item repeated
 * in a later turn lives as long as the latest response holding it). Redis's own memory policy
 * bounds the total; an entry larger than `max_bytes` alone is not kept, as in memory.
 */
import type { Redis } from 'ioredis';
import {
  itemsWithIds,
  type ResponsesStore,
  responseIdOf,
  type StoredResponse,
} from '../responses-store/store.js';
import { isRecord, type JsonObject, tryParseJson } from '../util/json.js';

/** Options of `createRedisResponsesStore`. */
export interface RedisResponsesStoreOptions {
  client: Redis;
  keyPrefix: string;
  ttlMs: number;
  maxBytes: number;
  /** Runs a Redis operation, turning a connection failure into a 503 `ProxyError`. */
  guard<T>(operation: () => Promise<T>): Promise<T>;
  onTooLarge?(responseId: string, bytes: number): void;
}

/** Deletes a response, and each of its items no other kept response holds. */
const DELETE_SCRIPT = `
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
for i = 3, #ARGV do
  local owners = ARGV[2] .. 'owners:' .. ARGV[i]
  redis.call('SREM', owners, ARGV[1])
  if redis.call('SCARD', owners) == 0 then
    redis.call('DEL', ARGV[2] .. 'item:' .. ARGV[i], owners)
  end
end
return 1`;

/** Creates the store on an existing connection. */
export function createRedisResponsesStore(options: RedisResponsesStoreOptions): ResponsesStore {
  const { client, guard } = options;
  const prefix = `${options.keyPrefix}responses:`;
  const responseKey = (id: string) => `${prefix}response:${id}`;
  return {
    get: (responseId) =>
      guard(async () => {
        const text = await client.get(responseKey(responseId));
        const entry = text === null ? undefined : tryParseJson(text);
        return isRecord(entry) && isRecord(entry.response) && Array.isArray(entry.input)
          ? (entry as unknown as StoredResponse)
          : undefined;
      }),
    getItem: (itemId) =>
      guard(async () => {
        const text = await client.get(`${prefix}item:${itemId}`);
        const item = text === null ? undefined : tryParseJson(text);
        return isRecord(item) ? (item as JsonObject) : undefined;
      }),
    put: (entry) =>
      guard(async () => {
        const id = responseIdOf(entry);
        if (id === undefined) return;
        const text = JSON.stringify(entry);
        const bytes = Buffer.byteLength(text, 'utf8');
        if (bytes > options.maxBytes) {
          options.onTooLarge?.(id, bytes);
          return;
        }
        const batch = client.multi().set(responseKey(id), text, 'PX', options.ttlMs);
        for (const [itemId, item] of itemsWithIds(entry)) {
          batch
            .set(`${prefix}item:${itemId}`, JSON.stringify(item), 'PX', options.ttlMs)
            .sadd(`${prefix}owners:${itemId}`, id)
            .pexpire(`${prefix}owners:${itemId}`, options.ttlMs);
        }
        await batch.exec();
      }),
    delete: (responseId) =>
      guard(async () => {
        const entry = tryParseJson((await client.get(responseKey(responseId))) ?? '');
        const items =
          isRecord(entry) && isRecord(entry.response) && Array.isArray(entry.input)
            ? itemsWithIds(entry as unknown as StoredResponse).map(([itemId]) => itemId)
            : [];
        const deleted = await client.eval(
          DELETE_SCRIPT,
          1,
          responseKey(responseId),
          responseId,
          prefix,
          ...new Set(items),
        );
        return deleted === 1;
      }),
  };
}
