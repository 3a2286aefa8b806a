import { describe, expect, it } from 'vitest';
import { ProxyError } from '../errors.js';
import { expandReferences, isItemReference } from './expand.js';
import { createMemoryResponsesStore } from './memory-store.js';

async function storeWithTurn() {
  const store = createMemoryResponsesStore({ maxBytes: 1_000_000, ttlMs: 60_000 });
  await store.put({
    response: {
      id: 'resp_1',
      output: [
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'enc' },
        {
          type: 'message',
          id: 'msg_1',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hi!' }],
        },
      ],
    },
    input: [{ type: 'message', role: 'user', content: 'Hello' }],
  });
  return store;
}

async function rejection(promise: Promise<unknown>): Promise<ProxyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProxyError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('expandReferences', () => {
  it('leaves a body without references untouched', async () => {
    const store = await storeWithTurn();
    const body = { model: 'm', input: 'Hello' };
    const result = await expandReferences(body, store);
    expect(result.body).toBe(body);
    expect(result.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] },
    ]);
  });

  it('replaces item references (typed and bare) by the stored items, in place', async () => {
    const store = await storeWithTurn();
    const result = await expandReferences(
      {
        model: 'm',
        input: [
          { role: 'user', content: 'Hello' },
          { type: 'item_reference', id: 'rs_1' },
          { id: 'msg_1' },
          { role: 'user', content: 'Again' },
        ],
      },
      store,
    );
    expect(result.body.input).toEqual([
      { role: 'user', content: 'Hello' },
      { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'enc' },
      {
        type: 'message',
        id: 'msg_1',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Hi!' }],
      },
      { role: 'user', content: 'Again' },
    ]);
    expect(result.complete).toBe(true);
  });

  it('puts the previous input and output before the new input and drops previous_response_id', async () => {
    const store = await storeWithTurn();
    const result = await expandReferences(
      { model: 'm', previous_response_id: 'resp_1', input: 'Again' },
      store,
    );
    expect(result.body).not.toHaveProperty('previous_response_id');
    expect(
      (result.body.input as Array<{ id?: string; role?: string }>).map(
        (item) => item.id ?? item.role,
      ),
    ).toEqual(['user', 'rs_1', 'msg_1', 'user']);
  });

  it('answers 400 naming an unknown item id and an unknown previous response', async () => {
    const store = await storeWithTurn();
    const item = await rejection(
      expandReferences(
        {
          input: [
            { role: 'user', content: 'x' },
            { type: 'item_reference', id: 'msg_gone' },
          ],
        },
        store,
      ),
    );
    expect(item.status).toBe(400);
    expect(item.param).toBe('input[1].id');
    expect(item.message).toContain("'msg_gone'");
    const previous = await rejection(
      expandReferences({ previous_response_id: 'resp_gone', input: 'x' }, store),
    );
    expect(previous.param).toBe('previous_response_id');
    expect(previous.message).toContain("'resp_gone'");
    const off = await rejection(expandReferences({ input: [{ id: 'msg_1' }] }, undefined));
    expect(off.param).toBe('input[0].id');
  });

  it('leaves unknown ids to an upstream that resolves them, and says the result is partial', async () => {
    const store = await storeWithTurn();
    const result = await expandReferences(
      {
        previous_response_id: 'resp_upstream',
        input: [
          { type: 'item_reference', id: 'msg_1' },
          { type: 'item_reference', id: 'msg_up' },
        ],
      },
      store,
      { upstreamResolves: true },
    );
    expect(result.body.previous_response_id).toBe('resp_upstream');
    expect(result.body.input).toEqual([
      expect.objectContaining({ id: 'msg_1', role: 'assistant' }),
      { type: 'item_reference', id: 'msg_up' },
    ]);
    expect(result.complete).toBe(false);
  });

  it('does not take an ordinary message with an id for a reference', () => {
    expect(isItemReference({ id: 'msg_1', type: 'message', role: 'user', content: 'x' })).toBe(
      false,
    );
    expect(isItemReference({ id: 'msg_1', role: 'user', content: 'x' })).toBe(false);
    expect(isItemReference({ id: 'msg_1' })).toBe(true);
  });
});
