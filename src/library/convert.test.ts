/** The library's conversions: bodies and streams between formats, with their warnings. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadFixtureBytes, loadFixtureJson } from '../../test/helpers/fixtures.js';
import { isProxyError } from '../errors.js';
import { parseSse } from '../sse/parse.js';
import { convertRequest, convertResponse, convertStream } from './convert.js';

function bytesStream(...chunks: Array<Uint8Array | string>): ReadableStream<Uint8Array | string> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe('convertRequest', () => {
  it('maps a Chat request to Responses and names the field of an invalid one', () => {
    const { body } = convertRequest(
      {
        model: 'gpt-5.2',
        messages: [
          { role: 'system', content: 'Be brief' },
          { role: 'user', content: 'Hi' },
        ],
      },
      { from: 'openai-chat', to: 'openai-responses' },
    );
    expect(body).toMatchObject({ model: 'gpt-5.2', instructions: 'Be brief' });

    const failure = (() => {
      try {
        convertRequest(
          { model: 'gpt-5.2', messages: 'Hi' },
          { from: 'openai-chat', to: 'anthropic-messages' },
        );
      } catch (error) {
        return error;
      }
    })();
    expect(isProxyError(failure) && failure.code).toBe('invalid_request');
    expect(String((failure as Error).message)).toContain('messages');
  });
});

describe('convertResponse', () => {
  it('rebuilds a Chat completion as an Anthropic message, with the model asked for', () => {
    const warnings: unknown[] = [];
    const { body, warnings: returned } = convertResponse(
      loadFixtureJson('openai-chat', 'text.expected.json'),
      {
        from: 'openai-chat',
        to: 'anthropic-messages',
        model: 'alias',
        onWarning: (warning) => warnings.push(warning),
      },
    );
    expect(warnings).toEqual(returned);
    expect(body).toMatchObject({
      type: 'message',
      model: 'alias',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: expect.stringContaining('yeast') }],
    });
  });
});

describe('convertStream', () => {
  it('translates a stream read from a Node stream, and ends with the target terminal event', async () => {
    const input = Readable.from([loadFixtureBytes('openai-chat', 'text.sse')]);
    const { stream } = convertStream(input, { from: 'openai-chat', to: 'anthropic-messages' });
    const events = parseSse(new Uint8Array(await new Response(stream).arrayBuffer()));
    expect(events.at(-1)?.event).toBe('message_stop');
    const deltas = events
      .filter((event) => event.event === 'content_block_delta')
      .map((event) => (JSON.parse(event.data) as { delta: { text?: string } }).delta.text ?? '');
    expect(deltas.join('')).toContain('yeast');
  });

  it('never ends a broken-off stream as a success', async () => {
    const { stream } = convertStream(
      bytesStream(loadFixtureBytes('openai-chat', 'truncated.sse')),
      {
        from: 'openai-chat',
        to: 'anthropic-messages',
      },
    );
    const events = parseSse(new Uint8Array(await new Response(stream).arrayBuffer()));
    expect(events.map((event) => event.event)).toContain('error');
    expect(events.some((event) => event.data.includes('"end_turn"'))).toBe(false);
  });

  it('turns a failing input into the target error event', async () => {
    async function* failing() {
      yield 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n';
      throw new Error('socket hang up');
    }
    const { stream } = convertStream(failing(), { from: 'openai-chat', to: 'openai-responses' });
    const events = parseSse(new Uint8Array(await new Response(stream).arrayBuffer()));
    expect(events.at(-1)?.event).toBe('response.failed');
    expect(events.map((event) => event.data).join('')).not.toContain('socket hang up');
  });

  it('forwards a same-format stream with the model asked for', async () => {
    const { stream, warnings } = convertStream(
      bytesStream(loadFixtureBytes('openai-chat', 'text.sse')),
      {
        from: 'openai-chat',
        to: 'openai-chat',
        model: 'alias',
      },
    );
    const text = await new Response(stream).text();
    expect(text).toContain('"model":"alias"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(warnings).toEqual([]);
  });
});
