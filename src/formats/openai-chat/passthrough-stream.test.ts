/** The Chat Completions passthrough step: forwards chunks, reads usage, ends failures properly. */
import { describe, expect, it } from 'vitest';
import { loadFixtureBytes } from '../../../test/helpers/fixtures.js';
import type { IrRequest } from '../../ir/request.js';
import type { IrUsage } from '../../ir/usage.js';
import { parseSse } from '../../sse/parse.js';
import { runStep } from '../../streams/step.js';
import { createChatStreamPassthrough } from './passthrough-stream.js';

const context = { createdAt: 0, createId: (prefix: string) => `${prefix}1` };

function request(includeUsage: boolean): IrRequest {
  return {
    model: 'm',
    system: [],
    messages: [],
    tools: [],
    stream: true,
    meta: { 'openai-chat': { streamOptions: { include_usage: includeUsage } } },
  };
}

describe('Chat passthrough', () => {
  const messages = parseSse(loadFixtureBytes('openai-chat', 'text.sse'));

  it('forwards every chunk unchanged and reports usage', () => {
    const usage: IrUsage[] = [];
    const out = runStep(
      createChatStreamPassthrough(
        { ...context, request: request(true) },
        { onUsage: (u) => usage.push(u) },
      ),
      messages,
    );
    expect(out).toEqual(messages);
    expect(usage).toHaveLength(1);
    expect(usage[0]!.outputTokens).toBeGreaterThan(0);
  });

  it('hides the usage chunk from a client that did not ask for it', () => {
    const out = runStep(
      createChatStreamPassthrough({ ...context, request: request(false) }),
      messages,
    );
    expect(out).toHaveLength(messages.length - 1);
    expect(out.some((m) => m.data.includes('"choices":[]'))).toBe(false);
    expect(out.at(-1)).toEqual({ data: '[DONE]' });
  });

  it('shows the client its model name when a rule renamed it', () => {
    const out = runStep(
      createChatStreamPassthrough({ ...context, model: 'alias' }),
      messages.slice(0, 2),
    );
    expect(out.slice(0, 2).map((m) => JSON.parse(m.data).model)).toEqual(['alias', 'alias']);
  });

  it('ends a stream that stopped before any finish_reason with an error chunk and [DONE]', () => {
    const out = runStep(createChatStreamPassthrough(context), messages.slice(0, 2));
    expect(out.slice(2)).toEqual([
      {
        data: JSON.stringify({
          error: {
            message: 'Upstream stream ended before its final event',
            type: 'server_error',
            param: null,
            code: 'upstream_protocol',
          },
        }),
      },
      { data: '[DONE]' },
    ]);
  });

  it('adds only [DONE] to a stream that finished without it', () => {
    const withoutDone = messages.filter((m) => m.data !== '[DONE]');
    const out = runStep(
      createChatStreamPassthrough({ ...context, request: request(true) }),
      withoutDone,
    );
    expect(out).toEqual([...withoutDone, { data: '[DONE]' }]);
  });

  it('drops a cut JSON line with a warning instead of forwarding broken bytes', () => {
    const warnings: string[] = [];
    const cut = { data: messages[1]!.data.slice(0, 20) };
    const out = runStep(
      createChatStreamPassthrough(context, { onWarning: (w) => warnings.push(w.message) }),
      [messages[0]!, cut],
    );
    expect(out.map((m) => m.data)).not.toContain(cut.data);
    expect(warnings).toEqual(['Skipped a Chat stream chunk that is not a JSON object']);
    expect(JSON.parse(out.at(-2)!.data).error.code).toBe('upstream_protocol');
    expect(out.at(-1)).toEqual({ data: '[DONE]' });
  });

  it('ends a broken stream with an error chunk and [DONE]', () => {
    const out = runStep(createChatStreamPassthrough(context), [
      messages[0]!,
      {
        type: 'error',
        error: { code: 'upstream_unavailable', message: 'Upstream connection failed mid-stream' },
      },
    ]);
    expect(out.slice(1)).toEqual([
      {
        data: JSON.stringify({
          error: {
            message: 'Upstream connection failed mid-stream',
            type: 'server_error',
            param: null,
            code: 'upstream_unavailable',
          },
        }),
      },
      { data: '[DONE]' },
    ]);
  });
});
