import { describe, expect, it } from 'vitest';
import { createMemoryResponsesStore } from './memory-store.js';
import type { StoredResponse } from './store.js';

function entry(id: string, text: string, itemId = `msg_${id}`): StoredResponse {
  return {
    response: {
      id,
      object: 'response',
      status: 'completed',
      output: [
        {
          type: 'message',
          id: itemId,
          role: 'assistant',
          content: [{ type: 'output_text', text }],
        },
      ],
    },
    input: [{ type: 'message', role: 'user', content: 'hi' }],
  };
}

const bytesOf = (value: StoredResponse) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('memory Responses store', () => {
  it('finds a response by id and its items by item id', async () => {
    const store = createMemoryResponsesStore({ maxBytes: 1_000_000, ttlMs: 60_000 });
    await store.put(entry('resp_1', 'hello'));
    expect((await store.get('resp_1'))?.response.id).toBe('resp_1');
    expect(await store.getItem('msg_resp_1')).toMatchObject({ role: 'assistant' });
    expect(await store.get('resp_2')).toBeUndefined();
    expect(await store.getItem('msg_other')).toBeUndefined();
  });

  it('counts bytes and evicts the least recently used entry past the budget', async () => {
    const one = entry('resp_1', 'a'.repeat(400));
    const size = bytesOf(one);
    const store = createMemoryResponsesStore({ maxBytes: size * 2 + 10, ttlMs: 60_000 });
    await store.put(one);
    await store.put(entry('resp_2', 'b'.repeat(400)));
    expect(store.bytes).toBe(size * 2);
    // Reading resp_1 makes resp_2 the least recently used.
    await store.get('resp_1');
    await store.put(entry('resp_3', 'c'.repeat(400)));
    expect(await store.get('resp_2')).toBeUndefined();
    expect(await store.getItem('msg_resp_2')).toBeUndefined();
    expect(await store.get('resp_1')).toBeDefined();
    expect(await store.get('resp_3')).toBeDefined();
    expect(store.bytes).toBeLessThanOrEqual(size * 2 + 10);
  });

  it('refuses an entry larger than the whole budget and says so', async () => {
    const tooLarge: string[] = [];
    const store = createMemoryResponsesStore({
      maxBytes: 100,
      ttlMs: 60_000,
      onTooLarge: (id) => tooLarge.push(id),
    });
    await store.put(entry('resp_big', 'x'.repeat(500)));
    expect(await store.get('resp_big')).toBeUndefined();
    expect(tooLarge).toEqual(['resp_big']);
  });

  it('expires entries after the TTL on the injected clock', async () => {
    let now = 1_000;
    const store = createMemoryResponsesStore({
      maxBytes: 1_000_000,
      ttlMs: 5_000,
      now: () => now,
    });
    await store.put(entry('resp_1', 'hello'));
    now += 4_999;
    expect(await store.get('resp_1')).toBeDefined();
    now += 2;
    expect(await store.get('resp_1')).toBeUndefined();
    expect(await store.getItem('msg_resp_1')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('deletes a response and its items', async () => {
    const store = createMemoryResponsesStore({ maxBytes: 1_000_000, ttlMs: 60_000 });
    await store.put(entry('resp_1', 'hello'));
    expect(await store.delete('resp_1')).toBe(true);
    expect(await store.delete('resp_1')).toBe(false);
    expect(await store.getItem('msg_resp_1')).toBeUndefined();
  });

  it('keeps an item found in a later response when an earlier one is replaced', async () => {
    const store = createMemoryResponsesStore({ maxBytes: 1_000_000, ttlMs: 60_000 });
    await store.put(entry('resp_1', 'first', 'msg_shared'));
    await store.put({
      ...entry('resp_2', 'second', 'msg_2'),
      input: [{ id: 'msg_shared', type: 'message', role: 'assistant', content: 'first' }],
    });
    await store.delete('resp_1');
    expect(await store.getItem('msg_shared')).toMatchObject({ content: 'first' });
  });

  it('still finds an item in an earlier response when a later one holding it is deleted', async () => {
    const store = createMemoryResponsesStore({ maxBytes: 1_000_000, ttlMs: 60_000 });
    await store.put(entry('resp_1', 'first', 'msg_1'));
    // The next turn (previous_response_id) repeats msg_1 in its input.
    const next = entry('resp_2', 'second', 'msg_2');
    await store.put({ ...next, input: [...next.input, { id: 'msg_1', type: 'message' }] });
    await store.delete('resp_2');
    expect(await store.getItem('msg_1')).toMatchObject({ role: 'assistant' });
    await store.delete('resp_1');
    expect(await store.getItem('msg_1')).toBeUndefined();
  });
});
