/** The Chat Completions passthrough step: forwards chunks, reads usage, ends failures properly. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixtureBytes } from '../../../test/helpers/fixtures.js';
import { cutText } from '../../../test/helpers/split.js';
import { normalised, unterminated } from '../../../test/helpers/sse-unterminated.js';
import type { IrRequest } from '../../ir/request.js';
import type { IrError } from '../../ir/response.js';
import type { IrUsage } from '../../ir/usage.js';
import type { SseMessage } from '../../sse/message.js';
import { parseChunks, parseSse } from '../../sse/parse.js';
import { runStep } from '../../streams/step.js';
import {
  createChatStreamPassthrough,
  isUsualContentChunk,
  scanDeltaChunk,
  scanDeltaChunkText,
} from './passthrough-stream.js';

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

/** Everything a passthrough run shows: the messages out and every hook call. */
function observe(
  messages: SseMessage[],
  options: { model?: string; includeUsage?: boolean; forceFull?: boolean } = {},
) {
  const usage: IrUsage[] = [];
  const errors: IrError[] = [];
  const warnings: string[] = [];
  const step = createChatStreamPassthrough(
    {
      ...context,
      ...(options.model !== undefined ? { model: options.model } : {}),
      ...(options.includeUsage !== undefined ? { request: request(options.includeUsage) } : {}),
    },
    {
      onUsage: (u) => usage.push(u),
      onError: (e) => errors.push(e),
      onWarning: (w) => warnings.push(w.message),
    },
  );
  const out = runStep(step, options.forceFull ? messages.map(unterminated) : messages);
  return { out, usage, errors, warnings };
}

/** An ordinary delta chunk as OpenAI writes it; `é` escaped, as JSON.stringify would not. */
const DELTA =
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4.1","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":"caf\\u00e9"},"logprobs":null,"finish_reason":null}],"usage":null}';

describe('Chat passthrough fast path (scanning, not parsing)', () => {
  it("forwards an ordinary chunk as the same message when the model is the client's (or not renamed)", () => {
    const message = { data: DELTA };
    for (const model of [undefined, 'gpt-4.1']) {
      const fast = observe([message], model === undefined ? {} : { model });
      expect(fast.out[0]).toBe(message);
      // The full path would re-serialise the chunk when a model is set.
      const full = observe([message], { ...(model ? { model } : {}), forceFull: true });
      expect(full.out.map(normalised)).toEqual(fast.out.map(normalised));
    }
  });

  it("splices the client's model into the upstream text, leaving every other byte as it came", () => {
    const model = 'my "alias" \\ é';
    const fast = observe([{ data: DELTA, id: '7' }], { model });
    expect(fast.out[0]).toEqual({
      id: '7',
      data: DELTA.replace('"model":"gpt-4.1"', `"model":${JSON.stringify(model)}`),
    });
    expect(fast.out[0]!.data).toContain('caf\\u00e9');
    const full = observe([{ data: DELTA, id: '7' }], { model, forceFull: true });
    expect(full.out[0]!.data).toContain('café');
    expect(full.out.map(normalised)).toEqual(fast.out.map(normalised));
  });

  it('recognises the model after the choices (llama.cpp order) when it is at the top level', () => {
    const data =
      '{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"created":1,"model":"q","object":"chat.completion.chunk"}';
    expect(scanDeltaChunk(data)).toBeDefined();
    const fast = observe([{ data }], { model: 'alias' });
    expect(fast.out[0]!.data).toBe(data.replace('"model":"q"', '"model":"alias"'));
  });

  it('tells a key from a longer key ending in the same text (service_usage, x_finish_reason)', () => {
    const data =
      '{"model":"q","choices":[{"index":0,"delta":{},"x_finish_reason":"stop","finish_reason":null}],"service_usage":{"a":1}}';
    expect(scanDeltaChunk(data)).toBeDefined();
    expect(observe([{ data }], { model: 'alias', forceFull: true }).out.map(normalised)).toEqual(
      observe([{ data }], { model: 'alias' }).out.map(normalised),
    );
  });

  it('recognises every content chunk of a recorded stream, and none of its other chunks', () => {
    const recorded = parseSse(loadFixtureBytes('openai-chat', 'text.sse'));
    const scanned = recorded.map((m) => scanDeltaChunk(m.data) !== undefined);
    const ordinary = recorded.map((m) => {
      if (m.data === '[DONE]') return false;
      const chunk = JSON.parse(m.data) as { choices: { finish_reason: unknown }[] };
      return chunk.choices.length > 0 && chunk.choices.every((c) => c.finish_reason === null);
    });
    expect(scanned).toEqual(ordinary);
    expect(scanned.filter(Boolean).length).toBeGreaterThan(1);
  });

  it('forwards a complete chunk without parsing it, but parses (and drops) one cut by the end of input', () => {
    const malformed = { data: '{"model":"gpt-4.1","choices":[{"delta":{"content":"x"}}],}' };
    const whole = observe([malformed]);
    expect(whole.out[0]).toBe(malformed);
    expect(whole.warnings).toEqual([]);
    const cut = observe([malformed], { forceFull: true });
    expect(cut.out.map((m) => m.data)).not.toContain(malformed.data);
    expect(cut.warnings).toEqual(['Skipped a Chat stream chunk that is not a JSON object']);
  });
});

describe('Chat passthrough fallbacks to the full path', () => {
  /** Chunks the scan must not take, each with `é` escaped so a re-serialised output shows. */
  const cases: Record<string, string> = {
    'finish chunk':
      '{"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":"stop"}]}',
    'finish_reason with a space before its colon':
      '{"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason" : "stop"}]}',
    'finish_reason with a space after its colon':
      '{"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason": "stop"}]}',
    'finish_reason behind an escaped key':
      '{"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_\\u0072eason":"stop"}]}',
    'usage chunk':
      '{"model":"gpt-4.1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8},"x":"\\u00e9"}',
    'usage with content':
      '{"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":null}],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}',
    'error chunk':
      '{"model":"gpt-4.1","error":{"message":"boom \\u00e9","type":"server_error"},"choices":[]}',
    'vLLM error object': '{"object":"error","message":"boom \\u00e9","model":"gpt-4.1"}',
    'pretty-printed JSON':
      '{ "model": "gpt-4.1", "choices": [ { "index": 0, "delta": { "content": "\\u00e9" }, "finish_reason": null } ] }',
    'escaped quote in the model value':
      '{"model":"gpt\\"4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":null}]}',
    'escaped ASCII in the model value':
      '{"model":"gpt\\u002d4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":null}]}',
    'two model keys':
      '{"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":null}],"model":"other"}',
    'no model': '{"choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":null}]}',
    'model only inside a choice':
      '{"choices":[{"index":0,"model":"gpt-4.1","delta":{"content":"\\u00e9"},"finish_reason":null}],"id":"c"}',
    'space before the opening brace':
      ' {"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":null}]}',
    'space after the closing brace':
      '{"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":null}]} ',
    'no opening brace':
      '"model":"gpt-4.1","choices":[{"index":0,"delta":{"content":"\\u00e9"},"finish_reason":null}]}',
    'not an object': '["model","gpt-4.1"]',
  };

  for (const [name, data] of Object.entries(cases)) {
    it(`${name}: the scan declines it and the output is the full path's`, () => {
      expect(scanDeltaChunk(data)).toBeUndefined();
      for (const includeUsage of [true, false]) {
        const options = { model: 'alias', includeUsage };
        const out = observe([{ data }], options);
        expect(out).toEqual(observe([{ data }], { ...options, forceFull: true }));
      }
    });
  }

  it("an SSE event named error: the output is the full path's (error reported)", () => {
    const message = { event: 'error', data: DELTA };
    const out = observe([message], { model: 'alias' });
    expect(out.errors).toHaveLength(1);
    expect(out.out[0]!.data).toContain('café');
    expect(out).toEqual(observe([message], { model: 'alias', forceFull: true }));
  });

  it('a message cut by the end of input: parsed, so the model is renamed by re-serialising', () => {
    const out = observe([{ data: DELTA }], { model: 'alias', forceFull: true });
    expect(out.out[0]!.data).toBe(JSON.stringify({ ...JSON.parse(DELTA), model: 'alias' }));
  });

  it('fast and full paths give the same stream for any mix of chunks', () => {
    const text = fc.string({ unit: 'grapheme-composite', maxLength: 6 });
    const model = fc.constantFrom('gpt-4.1', 'alias', 'a"b', 'x\\y', 'é', '');
    const choice = fc.record(
      {
        index: fc.nat(2),
        delta: fc.record({ content: text }, { requiredKeys: [] }),
        finish_reason: fc.constantFrom(null, 'stop', 'length'),
      },
      { requiredKeys: ['index', 'delta'] },
    );
    const pair = fc.oneof(
      fc.tuple(fc.constant('model'), model),
      fc.tuple(fc.constant('choices'), fc.array(choice, { maxLength: 2 })),
      fc.tuple(
        fc.constant('usage'),
        fc.constantFrom(null, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }),
      ),
      fc.tuple(fc.constant('error'), fc.constantFrom({ message: 'boom' }, 'boom', null)),
      fc.tuple(fc.constant('object'), fc.constantFrom('chat.completion.chunk', 'error')),
      fc.tuple(fc.constantFrom('id', 'x'), text),
    );
    const chunk = fc
      .tuple(
        model,
        fc.array(choice, { maxLength: 2 }),
        fc.array(pair, { maxLength: 4 }),
        fc.constantFrom('compact', 'pretty', 'spaced', 'escaped-key'),
      )
      .map(([name, choices, extra, form]) => {
        const pairs: [string, unknown][] = [['model', name], ['choices', choices], ...extra];
        const body = pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',');
        const data = `{${body}}`;
        if (form === 'pretty') return JSON.stringify(JSON.parse(data), null, 1);
        if (form === 'spaced') return data.replaceAll('":', '" :');
        if (form === 'escaped-key') return data.replace('"finish_reason"', '"finish_\\u0072eason"');
        return data;
      });
    const message = fc
      .tuple(chunk, fc.constantFrom(undefined, 'error', 'message'), fc.nat(3))
      .map(([data, event, cut]): { message: SseMessage; cut: boolean } => ({
        message: {
          data: cut === 0 ? data.slice(0, Math.floor(data.length / 2)) : data,
          ...(event !== undefined ? { event } : {}),
        },
        cut: cut === 0,
      }));
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 5 }),
        fc.boolean(),
        fc.constantFrom(undefined, 'gpt-4.1', 'alias'),
        fc.boolean(),
        (items, withDone, clientModel, includeUsage) => {
          // A cut message is what the parser dispatches at the end of input: unterminated.
          const stream = items.map(({ message: m, cut }) => (cut ? unterminated(m) : m));
          if (withDone) stream.push({ data: '[DONE]' });
          const options = { includeUsage, ...(clientModel ? { model: clientModel } : {}) };
          const fast = observe(stream, options);
          const full = observe(stream, { ...options, forceFull: true });
          expect(fast.out.map(normalised)).toEqual(full.out.map(normalised));
          expect([fast.usage, fast.errors, fast.warnings]).toEqual([
            full.usage,
            full.errors,
            full.warnings,
          ]);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('the one-pass check of a usual content chunk', () => {
  /** Pieces that make a scan and a regular expression disagree when one of them is wrong. */
  const piece = fc.constantFrom(
    'a',
    ' ',
    'error',
    'rror',
    'model',
    'usage',
    'finish_reason',
    '"model',
    '\\"',
    '\\\\',
    '\\n',
    '\\u0041',
    '\\u00e9',
    '\\\\u0041',
    '{',
    '[',
    '}',
    ']',
    ':null',
    'é',
  );
  const text = fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join(''));
  const plainText = text.map((value) => value.replace(/["\\]/g, ''));
  const chunk = fc
    .record({
      id: plainText,
      model: plainText,
      tier: fc.option(plainText),
      fingerprint: fc.option(
        fc.oneof(
          plainText.map((v) => `"${v}"`),
          fc.constant('null'),
        ),
      ),
      role: fc.boolean(),
      content: text,
      refusal: fc.boolean(),
      usage: fc.boolean(),
      obfuscation: fc.option(plainText),
      finish: fc.constantFrom('null', '"stop"'),
    })
    .map(
      (c) =>
        `{"id":"${c.id}","object":"chat.completion.chunk","created":1,"model":"${c.model}"` +
        `${c.tier === null ? '' : `,"service_tier":"${c.tier}"`}` +
        `${c.fingerprint === null ? '' : `,"system_fingerprint":${c.fingerprint}`}` +
        `,"choices":[{"index":0,"delta":{${c.role ? '"role":"assistant",' : ''}"content":"${c.content}"` +
        `${c.refusal ? ',"refusal":null' : ''}},"logprobs":null,"finish_reason":${c.finish}}]` +
        `${c.usage ? ',"usage":null' : ''}${c.obfuscation === null ? '' : `,"obfuscation":"${c.obfuscation}"`}}`,
    );

  it('gives exactly what the general scan gives', () => {
    let usual = 0;
    fc.assert(
      fc.property(chunk, (data) => {
        expect(scanDeltaChunk(data)).toEqual(scanDeltaChunkText(data));
        if (isUsualContentChunk(data)) usual++;
      }),
      { numRuns: 4000 },
    );
    // The generator reaches the one-pass check often (a test that never did could not fail).
    expect(usual).toBeGreaterThan(400);
  });

  it('joins runs at once exactly as chunk by chunk, whatever the client’s model (plainRun)', () => {
    const upstreamModel = fc.constantFrom('gpt-4.1-mini-2025-04-14', 'm.x', 'a$&b', 'rror', 'x');
    const wild = fc.constantFrom('\n', '\n\n', 'rror', '"model":"x"', '');
    /** A usual content chunk, as most of a stream is. */
    const usual = fc
      .array(fc.constantFrom('a', ' ', 'é', '\\"', '\\n', '\\u00e9', 'rror', 'model'), {
        maxLength: 4,
      })
      .map(
        (pieces) =>
          `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"${pieces.join('')}"},"logprobs":null,"finish_reason":null}]}`,
      );
    const wire = fc
      .record({
        data: fc.oneof({ arbitrary: usual, weight: 3 }, chunk),
        model: upstreamModel,
        extra: wild,
        shape: fc.constantFrom('usual', 'usual', 'usual', 'no space', 'error event', 'blank line'),
      })
      .map(({ data, model, extra, shape }) => {
        const line = data
          .replace(/"model":"[^"]*"/, `"model":"${model}"`)
          .replace(/"content":"/, `"content":"${extra}`);
        if (shape === 'no space') return `data:${line}\n\n`;
        if (shape === 'error event') return `event: error\ndata: ${line}\n\n`;
        if (shape === 'blank line') return `\ndata: ${line}\n\n`;
        return `data: ${line}\n\n`;
      });
    const other = fc.constantFrom(
      'data: [DONE]\n\n',
      ': keepalive\n\n',
      'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n',
      'retry: 10\n\n',
    );
    const clientModel = fc.constantFrom(
      undefined,
      'gpt-4.1-mini-2025-04-14',
      'alias',
      '$&-$1',
      'a"b',
    );
    let joined = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ arbitrary: wire, weight: 5 }, other), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        clientModel,
        (events, cuts, model) => {
          // As bytes cut anywhere, inside a character too, the way the network delivers them.
          const chunks = cutText(events.join(''), cuts);
          const read = (runs: boolean) => {
            const step = createChatStreamPassthrough({ ...context, model });
            const out = parseChunks(chunks, {
              keepComments: true,
              plain: step.plain,
              plainRun: runs ? step.plainRun : undefined,
            });
            return { out, matched: runs && step.plainRun?.() !== undefined };
          };
          const byRun = read(true);
          expect(byRun.out).toEqual(read(false).out);
          if (byRun.matched && byRun.out.some((message) => message.raw !== undefined)) joined++;
        },
      ),
      { numRuns: 3000 },
    );
    // Runs were matched (a test that never saw one could not fail).
    expect(joined).toBeGreaterThan(100);
  });

  it('takes every content chunk of the text transcript in one pass', () => {
    const recorded = parseSse(loadFixtureBytes('openai-chat', 'text.sse'));
    const content = recorded.filter((m) => m.data.includes('"content":"'));
    expect(content.length).toBeGreaterThan(5);
    for (const message of content) expect(isUsualContentChunk(message.data)).toBe(true);
  });
});
