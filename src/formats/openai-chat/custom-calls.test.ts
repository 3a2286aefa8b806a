/**
 * Custom (freeform) tool calls for Chat clients: out as function calls whose arguments are
 * `{"input": "<raw text>"}` (streamed piece by piece and whole), and back as custom calls.
 */
import { describe, expect, it } from 'vitest';
import { chatTestContext } from '../../../test/helpers/openai-chat-fixtures.js';
import { onTheWire } from '../../../test/helpers/sse-wire.js';
import type { IrEvent } from '../../ir/events.js';
import { runStep } from '../../streams/step.js';
import { decodeChatRequest } from './decode-request.js';
import { createChatStreamEncoder } from './encode-stream.js';

interface WireCall {
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** The arguments text of wire tool call 0, joined from every chunk. */
function streamedArguments(events: IrEvent[]): { name: string; type: string; args: string } {
  const lines = onTheWire(runStep(createChatStreamEncoder(chatTestContext()), events))
    .map((message) => message.data)
    .filter((data) => data !== '[DONE]');
  let name = '';
  let type = '';
  let args = '';
  for (const line of lines) {
    const chunk = JSON.parse(line) as {
      choices: Array<{ delta: { tool_calls?: WireCall[] } }>;
    };
    for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
      if (call.type) type = call.type;
      if (call.function?.name) name = call.function.name;
      args += call.function?.arguments ?? '';
      expect(call).not.toHaveProperty('custom');
    }
  }
  return { name, type, args };
}

const start: IrEvent = { type: 'message-start', id: 'c1', model: 'm', createdAt: 1 };
const RAW = '*** Begin Patch\n*** Add File: "a b".txt\n+tab\there \\ back ✓ 😀\n*** End Patch\n';

describe('custom tool calls for Chat clients', () => {
  it('stream as a function call whose arguments parse to {"input": raw}, however split', () => {
    const pieces = [RAW.slice(0, 7), RAW.slice(7, 30), RAW.slice(30, 55), RAW.slice(55)];
    const { name, type, args } = streamedArguments([
      start,
      { type: 'tool-call-start', index: 0, callId: 'call_p', name: 'apply_patch', kind: 'custom' },
      ...pieces.map((delta): IrEvent => ({ type: 'tool-call-delta', index: 0, delta })),
      { type: 'tool-call-end', index: 0 },
      { type: 'message-end', finishReason: 'tool-calls' },
    ]);
    expect({ name, type }).toEqual({ name: 'apply_patch', type: 'function' });
    expect(JSON.parse(args)).toEqual({ input: RAW });
  });

  it('close the wrapper when the turn ends without the call end', () => {
    const { args } = streamedArguments([
      start,
      { type: 'tool-call-start', index: 0, callId: 'call_p', name: 'apply_patch', kind: 'custom' },
      { type: 'tool-call-delta', index: 0, delta: 'x"y' },
      { type: 'message-end', finishReason: 'tool-calls' },
    ]);
    expect(JSON.parse(args)).toEqual({ input: 'x"y' });
  });

  it('come back as custom calls when the client sends the function form next turn', () => {
    const body = {
      model: 'm',
      tools: [{ type: 'custom', custom: { name: 'apply_patch' } }],
      messages: [
        { role: 'user', content: 'fix' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_p',
              type: 'function',
              function: { name: 'apply_patch', arguments: JSON.stringify({ input: RAW }) },
            },
            {
              id: 'call_q',
              type: 'function',
              function: { name: 'apply_patch', arguments: '{"input":"a","extra":1}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_p', content: 'ok' },
      ],
    };
    const { value } = decodeChatRequest(body);
    expect(value.messages[1]?.content).toMatchObject([
      { type: 'tool-call', callId: 'call_p', name: 'apply_patch', arguments: RAW, kind: 'custom' },
      // Not the wrapper's exact shape: left as the function call the client sent.
      { type: 'tool-call', callId: 'call_q', kind: 'function' },
    ]);
    expect(value.messages[2]?.content[0]).toMatchObject({ callId: 'call_p', kind: 'custom' });
  });
});
