import { describe, expect, it } from 'vitest';
import type { PrepareContext } from '../provider.js';
import { conversationKey, DEFAULT_CODEX_INSTRUCTIONS, prepareCodexBody } from './request.js';

function context(headers: Record<string, string> = {}): PrepareContext {
  return {
    clientFormat: 'openai-chat',
    upstreamFormat: 'openai-responses',
    clientHeaders: new Headers(headers),
    clientStream: false,
  };
}

const options = { defaultInstructions: DEFAULT_CODEX_INSTRUCTIONS };

describe('prepareCodexBody', () => {
  it('never drops an item_reference silently: one that reaches it is a 400 naming it', () => {
    expect(() =>
      prepareCodexBody(
        {
          model: 'gpt-5.1',
          input: [
            { role: 'user', content: 'x' },
            { type: 'item_reference', id: 'msg_1' },
          ],
        },
        context(),
        options,
      ),
    ).toThrow(expect.objectContaining({ status: 400, param: 'input[1].id' }));
  });

  it('forces stream and no storage, drops what the backend rejects, and says so', () => {
    const { value, warnings } = prepareCodexBody(
      {
        model: 'gpt-5.1',
        input: 'hi',
        stream: false,
        store: true,
        max_output_tokens: 100,
        metadata: { a: '1' },
        temperature: 0.2,
      },
      context(),
      options,
    );
    expect(value).toMatchObject({
      stream: true,
      store: false,
      instructions: DEFAULT_CODEX_INSTRUCTIONS,
    });
    expect(value).not.toHaveProperty('max_output_tokens');
    expect(value).not.toHaveProperty('metadata');
    expect(value).not.toHaveProperty('temperature');
    expect(value.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
    ]);
    expect(warnings.map((w) => w.path)).toEqual([
      'store',
      'max_output_tokens',
      'metadata',
      'temperature',
    ]);
  });

  it('moves system and developer messages into instructions, in order', () => {
    const { value } = prepareCodexBody(
      {
        model: 'm',
        instructions: 'Base.',
        input: [
          { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'Be brief.' }] },
          { role: 'developer', content: 'Use metric units.' },
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }] },
        ],
      },
      context(),
      options,
    );
    expect(value.instructions).toBe('Base.\n\nBe brief.\n\nUse metric units.');
    expect(value.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'q' }] },
    ]);
  });

  it('keeps instructions between turns at their place, as developer messages', () => {
    const { value } = prepareCodexBody(
      {
        model: 'm',
        input: [
          { role: 'system', content: 'Lead.' },
          { type: 'message', role: 'user', content: 'q' },
          { type: 'message', role: 'system', content: 'Mind the tests.', id: 'msg_1' },
          { type: 'message', role: 'developer', content: 'Be brief.' },
          { type: 'message', role: 'user', content: 'r' },
        ],
      },
      context(),
      options,
    );
    expect(value.instructions).toBe('Lead.');
    expect(value.input).toEqual([
      { type: 'message', role: 'user', content: 'q' },
      { type: 'message', role: 'developer', content: 'Mind the tests.' },
      { type: 'message', role: 'developer', content: 'Be brief.' },
      { type: 'message', role: 'user', content: 'r' },
    ]);
  });

  it('sends function tools non-strict unless the client chose, and adds no tools', () => {
    const { value } = prepareCodexBody(
      {
        model: 'm',
        input: [],
        tools: [
          { type: 'function', name: 'a', parameters: {} },
          { type: 'function', name: 'b', parameters: {}, strict: true },
          { type: 'custom', name: 'apply_patch' },
        ],
      },
      context(),
      options,
    );
    expect(value.tools).toEqual([
      { type: 'function', name: 'a', parameters: {}, strict: false },
      { type: 'function', name: 'b', parameters: {}, strict: true },
      { type: 'custom', name: 'apply_patch' },
    ]);
    const bare = prepareCodexBody({ model: 'm', input: [] }, context(), options).value;
    expect(bare).not.toHaveProperty('tools');
  });

  it('strips item ids and unreplayable reasoning, keeps encrypted reasoning', () => {
    const { value, warnings } = prepareCodexBody(
      {
        model: 'm',
        input: [
          { type: 'reasoning', id: 'rs_1', summary: [] },
          { type: 'reasoning', id: 'rs_2', summary: [], encrypted_content: 'gAAA' },
          { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{}' },
        ],
      },
      context(),
      options,
    );
    expect(value.input).toEqual([
      { type: 'reasoning', summary: [], encrypted_content: 'gAAA' },
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
    ]);
    expect(warnings).toHaveLength(1);
    expect(value.include).toEqual(['reasoning.encrypted_content']);
  });
});

describe('conversationKey', () => {
  const turn1 = {
    model: 'm',
    instructions: 'x',
    input: [{ role: 'user', content: 'first question' }],
  };
  const turn2 = {
    ...turn1,
    input: [
      ...turn1.input,
      { role: 'assistant', content: 'answer' },
      { role: 'user', content: 'follow-up' },
    ],
  };

  it('is stable across the turns of one conversation and differs between conversations', () => {
    expect(conversationKey(turn1, context())).toBe(conversationKey(turn2, context()));
    expect(
      conversationKey({ ...turn1, input: [{ role: 'user', content: 'other' }] }, context()),
    ).not.toBe(conversationKey(turn1, context()));
  });

  it('prefers what the client says', () => {
    expect(conversationKey({ ...turn1, prompt_cache_key: 'pck' }, context())).toBe('pck');
    expect(conversationKey(turn1, context({ session_id: 'sess-1' }))).toBe('sess-1');
    expect(conversationKey(turn1, { ...context(), routeSessionId: 'route-1' })).toBe('route-1');
    expect(
      conversationKey(
        {
          ...turn1,
          metadata: { user_id: 'user_abc_account__session_0f1e2d3c-aaaa-bbbb-cccc-123456789abc' },
        },
        context(),
      ),
    ).toBe('0f1e2d3c-aaaa-bbbb-cccc-123456789abc');
  });
});
