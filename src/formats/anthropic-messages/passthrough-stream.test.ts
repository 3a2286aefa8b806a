/** The Anthropic passthrough step: forwards events, reads usage, ends failures with an error event. */
import { describe, expect, it } from 'vitest';
import { loadFixtureBytes } from '../../../test/helpers/fixtures.js';
import type { IrUsage } from '../../ir/usage.js';
import { parseSse } from '../../sse/parse.js';
import { runStep } from '../../streams/step.js';
import { createAnthropicStreamPassthrough } from './passthrough-stream.js';

const context = { createdAt: 0, createId: (prefix: string) => `${prefix}1` };
const messages = parseSse(loadFixtureBytes('anthropic-messages', 'text.sse'));

describe('Anthropic passthrough', () => {
  it('forwards every event unchanged and reports usage from message_start and message_delta', () => {
    const usage: IrUsage[] = [];
    const out = runStep(
      createAnthropicStreamPassthrough(context, { onUsage: (u) => usage.push(u) }),
      messages,
    );
    expect(out).toEqual(messages);
    expect(usage).toEqual([
      { inputTokens: 24, outputTokens: 1, cachedInputTokens: 0, cacheWriteInputTokens: 0 },
      { inputTokens: 24, outputTokens: 31, cachedInputTokens: 0, cacheWriteInputTokens: 0 },
    ]);
  });

  it('shows the client its model name when a rule renamed it', () => {
    const out = runStep(
      createAnthropicStreamPassthrough({ ...context, model: 'alias' }),
      messages.slice(0, 1),
    );
    expect(JSON.parse(out[0]!.data).message.model).toBe('alias');
  });

  it('ends a stream that stopped before message_stop with an error event', () => {
    const out = runStep(createAnthropicStreamPassthrough(context), messages.slice(0, 3));
    expect(out.slice(0, 3)).toEqual(messages.slice(0, 3));
    expect(out.slice(3)).toEqual([
      {
        event: 'error',
        data: JSON.stringify({
          type: 'error',
          error: { type: 'api_error', message: 'Upstream stream ended before its final event' },
        }),
      },
    ]);
  });

  it('drops a cut JSON line with a warning instead of forwarding broken bytes', () => {
    const warnings: string[] = [];
    const delta = messages.find((m) => m.event === 'content_block_delta')!;
    const cut = { event: delta.event, data: delta.data.slice(0, 25) };
    const out = runStep(
      createAnthropicStreamPassthrough(context, { onWarning: (w) => warnings.push(w.message) }),
      [messages[0]!, messages[1]!, cut],
    );
    expect(out.map((m) => m.data)).not.toContain(cut.data);
    expect(warnings).toHaveLength(1);
    expect(out.at(-1)?.event).toBe('error');
  });

  it('ends a broken stream with one error event and nothing after it', () => {
    const step = createAnthropicStreamPassthrough(context);
    const out = [
      ...step.push(messages[0]!),
      ...step.push({
        type: 'error',
        error: { code: 'upstream_timeout', message: 'Upstream stream was idle for 300s' },
      }),
      ...step.push(messages[1]!),
      ...step.end(),
    ];
    expect(out.slice(1)).toEqual([
      {
        event: 'error',
        data: JSON.stringify({
          type: 'error',
          error: { type: 'timeout_error', message: 'Upstream stream was idle for 300s' },
        }),
      },
    ]);
  });
});
