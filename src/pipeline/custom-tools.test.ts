/** Unwrapping freeform tool calls that an upstream took as `{input}` function calls. */
import { describe, expect, it } from 'vitest';
import type { IrEvent } from '../ir/events.js';
import { runStep } from '../streams/step.js';
import { createCustomToolUnwrapStep, unwrapCustomToolCalls } from './custom-tools.js';

const names = new Set(['apply_patch']);

describe('custom tool unwrapping', () => {
  it('turns wrapped calls of declared custom tools back into custom calls, leaving others alone', () => {
    const response = unwrapCustomToolCalls(
      {
        id: 'r',
        model: 'm',
        content: [
          {
            type: 'tool-call',
            callId: 'a',
            name: 'apply_patch',
            arguments: '{"input":"*** Begin Patch"}',
            kind: 'function',
          },
          {
            type: 'tool-call',
            callId: 'b',
            name: 'apply_patch',
            arguments: 'not json',
            kind: 'function',
          },
          {
            type: 'tool-call',
            callId: 'c',
            name: 'shell',
            arguments: '{"input":"ls"}',
            kind: 'function',
          },
        ],
        finishReason: 'tool-calls',
        status: 'completed',
        usage: {},
      },
      names,
    );
    expect(response.content).toEqual([
      {
        type: 'tool-call',
        callId: 'a',
        name: 'apply_patch',
        arguments: '*** Begin Patch',
        kind: 'custom',
      },
      {
        type: 'tool-call',
        callId: 'b',
        name: 'apply_patch',
        arguments: 'not json',
        kind: 'custom',
      },
      {
        type: 'tool-call',
        callId: 'c',
        name: 'shell',
        arguments: '{"input":"ls"}',
        kind: 'function',
      },
    ]);
  });

  it('holds the pieces of a wrapped call until it ends, then sends the text in one piece', () => {
    const events: IrEvent[] = [
      { type: 'tool-call-start', index: 0, callId: 'a', name: 'apply_patch', kind: 'function' },
      { type: 'tool-call-delta', index: 0, delta: '{"inp' },
      { type: 'tool-call-start', index: 1, callId: 'b', name: 'shell', kind: 'function' },
      { type: 'tool-call-delta', index: 1, delta: '{}' },
      { type: 'tool-call-delta', index: 0, delta: 'ut":"x\\ny"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
    ];
    expect(runStep(createCustomToolUnwrapStep(names), events)).toEqual([
      { type: 'tool-call-start', index: 0, callId: 'a', name: 'apply_patch', kind: 'custom' },
      { type: 'tool-call-start', index: 1, callId: 'b', name: 'shell', kind: 'function' },
      { type: 'tool-call-delta', index: 1, delta: '{}' },
      { type: 'tool-call-delta', index: 0, delta: 'x\ny' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
    ]);
  });
});
