/** The contract of the Responses store: what a stateful Responses conversation needs kept. */
import type { JsonObject } from '../util/json.js';

/** One response the proxy served, with what the model saw before it. */
export interface StoredResponse {
  /** The Responses body the client received (`id`, `status`, `output`, `usage`, ...). */
  response: JsonObject;
  /**
   * The input items of the request, with `item_reference`s and `previous_response_id` already
   * expanded: a later `previous_response_id` pointing here continues with these items, then
   * `response.output`.
   */
  input: JsonObject[];
}

/**
 * Where served responses are kept, by response id and by item id. Asynchronous so that a shared
 * backend (Redis, ...) can stand in for the in-memory default.
 */
export interface ResponsesStore {
  /** The stored response with this id, or `undefined` when unknown or expired. */
  get(responseId: string): Promise<StoredResponse | undefined>;
  /** The item (input or output of a stored response) with this id, or `undefined`. */
  getItem(itemId: string): Promise<JsonObject | undefined>;
  /** Keeps a response (replacing one with the same id). */
  put(entry: StoredResponse): Promise<void>;
  /** Removes a response and its items; `false` when there was none. */
  delete(responseId: string): Promise<boolean>;
}

/** The id of a stored response (its body's `id`). */
export function responseIdOf(entry: StoredResponse): string | undefined {
  return typeof entry.response.id === 'string' ? entry.response.id : undefined;
}

/** Every item of an entry that has an id: its input items, then its output items. */
export function itemsWithIds(entry: StoredResponse): Array<[string, JsonObject]> {
  const output = Array.isArray(entry.response.output) ? entry.response.output : [];
  const items: Array<[string, JsonObject]> = [];
  for (const item of [...entry.input, ...output]) {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const id = (item as JsonObject).id;
      if (typeof id === 'string' && id !== '') items.push([id, item as JsonObject]);
    }
  }
  return items;
}
