/** The Anthropic passthrough step: forwards events, reads usage, ends failures with an error event. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixtureBytes } from '../../../test/helpers/fixtures.js';
import { cutText } from '../../../test/helpers/split.js';
import { normalised, unterminated } from '../../../test/helpers/sse-unterminated.js';
import type { IrError } from '../../ir/response.js';
import type { IrUsage } from '../../ir/usage.js';
import type { SseMessage } from '../../sse/message.js';
import { parseChunks, parseSse } from '../../sse/parse.js';
import { runStep } from '../../streams/step.js';
import {
  createAnthropicStreamPassthrough,
  isPlainContentEvent,
  isPlainContentScanned,
} from './passthrough-stream.js';

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

/** Everything a passthrough run shows: the messages out and every hook call. */
function observe(messages: SseMessage[], options: { model?: string; forceFull?: boolean } = {}) {
  const usage: IrUsage[] = [];
  const errors: IrError[] = [];
  const warnings: string[] = [];
  const step = createAnthropicStreamPassthrough(
    { ...context, ...(options.model !== undefined ? { model: options.model } : {}) },
    {
      onUsage: (u) => usage.push(u),
      onError: (e) => errors.push(e),
      onWarning: (w) => warnings.push(w.message),
    },
  );
  const out = runStep(step, options.forceFull ? messages.map(unterminated) : messages);
  return { out, usage, errors, warnings };
}

const STOP = { event: 'message_stop', data: '{"type":"message_stop"}' };

describe('Anthropic passthrough fast path (scanning, not parsing)', () => {
  it('recognises the content events of a recorded stream, and none of the others', () => {
    const plain = new Set([
      'content_block_delta',
      'content_block_start',
      'content_block_stop',
      'ping',
    ]);
    expect(messages.map(isPlainContentEvent)).toEqual(
      messages.map((m) => plain.has(m.event ?? '')),
    );
    expect(messages.filter(isPlainContentEvent).length).toBeGreaterThan(2);
  });

  it('tells the type key from a longer key ending in type (media_type)', () => {
    const message = {
      event: 'content_block_start',
      data: '{"type":"content_block_start","index":0,"content_block":{"type":"image","source":{"media_type":"error"}}}',
    };
    expect(isPlainContentEvent(message)).toBe(true);
  });

  it('forwards a complete content event without parsing it, but parses (and drops) one cut by the end of input', () => {
    const malformed = {
      event: 'content_block_delta',
      data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"},}',
    };
    const whole = observe([malformed, STOP]);
    expect(whole.out[0]).toBe(malformed);
    expect(whole.warnings).toEqual([]);
    const cut = observe([malformed, STOP], { forceFull: true });
    expect(cut.out.map((m) => m.data)).not.toContain(malformed.data);
    expect(cut.warnings).toHaveLength(1);
  });
});

describe('Anthropic passthrough fallbacks to the full path', () => {
  /** Events the scan must not take; each ends the stream or reports something if parsed. */
  const cases: Record<string, SseMessage> = {
    message_start: messages[0]!,
    message_delta: messages.find((m) => m.event === 'message_delta')!,
    message_stop: STOP,
    error: {
      event: 'error',
      data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    },
    'no event name': { data: '{"type":"message_stop"}' },
    'unknown event name': {
      event: 'content_block_finish',
      data: '{"type":"content_block_finish"}',
    },
    'mismatched type': { event: 'content_block_delta', data: '{"type":"message_stop"}' },
    'no type': { event: 'content_block_delta', data: '{"index":0}' },
    'a second type key': {
      event: 'content_block_delta',
      data: '{"type":"content_block_delta","index":0,"type":"message_stop"}',
    },
    'a second type key after a space': {
      event: 'content_block_delta',
      data: '{"type":"content_block_delta","index":0,"type": "message_stop"}',
    },
    'a type behind an escaped key': {
      event: 'content_block_delta',
      data: '{"type":"content_block_delta","index":0,"\\u0074ype":"message_stop"}',
    },
    'an escaped type value': {
      event: 'content_block_delta',
      data: '{"type":"content_block_delta","index":0,"type":"message\\u005fstop"}',
    },
    'a type value escaped otherwise': {
      event: 'content_block_delta',
      data: '{"type":"content_block_delta","index":0,"type":"message_stop\\/"}',
    },
    'pretty-printed JSON': { event: 'ping', data: '{"type": "message_stop"}' },
    'space after the closing brace': {
      event: 'content_block_stop',
      data: '{"type":"content_block_stop","index":0} ',
    },
    'no opening brace': { event: 'content_block_stop', data: '"type":"content_block_stop"}' },
  };

  for (const [name, message] of Object.entries(cases)) {
    it(`${name}: the scan declines it and the output is the full path's`, () => {
      expect(isPlainContentEvent(message)).toBe(false);
      const start = messages[0]!;
      // Parsed, each of these ends the stream, reports, or is dropped with a warning.
      const stream = [start, message, messages[1]!];
      const out = observe(stream, { model: 'alias' });
      expect(out).toEqual(observe(stream, { model: 'alias', forceFull: true }));
    });
  }

  it('fast and full paths give the same stream for any mix of events', () => {
    const name = fc.constantFrom(
      'content_block_delta',
      'content_block_start',
      'content_block_stop',
      'ping',
      'message_start',
      'message_delta',
      'message_stop',
      'error',
      'other',
    );
    const text = fc.string({ unit: 'grapheme-composite', maxLength: 6 });
    const value = fc.oneof(
      name,
      text,
      fc.nat(3),
      fc.constant(null),
      fc.record({ type: name, text }, { requiredKeys: [] }),
      fc.constant({ input_tokens: 3, output_tokens: 5 }),
      fc.constant({ model: 'claude', usage: { input_tokens: 1, output_tokens: 1 } }),
    );
    const key = fc.constantFrom('type', 'index', 'delta', 'usage', 'message', 'error', 'text');
    const event = fc
      .tuple(
        fc.option(name, { nil: undefined }),
        fc.option(name, { nil: undefined }),
        fc.array(fc.tuple(key, value), { maxLength: 4 }),
        fc.constantFrom('compact', 'spaced', 'escaped-key', 'escaped-value'),
        fc.nat(4),
      )
      .map(([event, type, pairs, form, cut]): SseMessage => {
        const all: [string, unknown][] = type === undefined ? pairs : [['type', type], ...pairs];
        let data = `{${all.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
        if (form === 'spaced') data = data.replaceAll('":', '": ');
        if (form === 'escaped-key') data = data.replace('"type"', '"\\u0074ype"');
        if (form === 'escaped-value') data = data.replace('"message_', '"message\\u005f');
        // A cut message is what the parser dispatches at the end of input: unterminated.
        const message = { data, ...(event !== undefined ? { event } : {}) };
        return cut === 0
          ? unterminated({ ...message, data: data.slice(0, Math.floor(data.length / 2)) })
          : message;
      });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 6 }),
        fc.constantFrom(undefined, 'claude', 'alias'),
        (stream, model) => {
          const options = model === undefined ? {} : { model };
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

describe('the one-pass check of a string delta', () => {
  /** Pieces that make a scan and a regular expression disagree when one of them is wrong. */
  const piece = fc.constantFrom(
    'a',
    ' ',
    'type',
    '"type',
    'error',
    'message_start',
    '\\"',
    '\\\\',
    '\\n',
    '\\u0041',
    '\\u00e9',
    '\\\\u0041',
    '\\u2028',
    '"',
    '\\',
    ':',
    '}',
    'é',
  );
  const deltaType = fc.constantFrom(
    'text_delta',
    'input_json_delta',
    'thinking_delta',
    'signature_delta',
    'citations_delta',
    'message_stop',
  );
  const field = fc.constantFrom('text', 'partial_json', 'thinking', 'signature', 'type');
  const event = fc
    .record({
      name: fc.constantFrom('content_block_delta', 'content_block_start', 'message_delta'),
      index: fc.constantFrom('0', '12', '-1', '1.5'),
      type: deltaType,
      field,
      value: fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join('')),
    })
    .map(({ name, index, type, field, value }) => ({
      event: name,
      data: `{"type":"content_block_delta","index":${index},"delta":{"type":"${type}","${field}":"${value}"}}`,
    }));

  it('accepts exactly what the general scan accepts', () => {
    let fast = 0;
    fc.assert(
      fc.property(event, (message) => {
        const scanned = isPlainContentScanned(message.event, message.data);
        expect(isPlainContentEvent(message)).toBe(scanned);
        if (scanned) fast++;
      }),
      { numRuns: 4000 },
    );
    // The generator reaches both answers (a test that only ever saw one could not fail).
    expect(fast).toBeGreaterThan(400);
  });

  it('joins runs at once exactly as event by event (the parser’s plainRun)', () => {
    const step = createAnthropicStreamPassthrough(context);
    expect(step.plainRun).toBeDefined();
    /** More pieces: line ends inside a data line, and a string ending in `rror`. */
    const wild = fc.oneof(piece, fc.constantFrom('\n', '\n\n', 'rror', 'x\\'));
    const wireEvent = fc
      .record({
        message: event,
        extra: fc.array(wild, { maxLength: 3 }).map((pieces) => pieces.join('')),
        shape: fc.constantFrom('usual', 'usual', 'usual', 'no space', 'blank line', 'data only'),
      })
      .map(({ message, extra, shape }) => {
        const data = message.data.replace(/"\}\}$/, `${extra}"}}`);
        if (shape === 'no space') return `event:${message.event}\ndata:${data}\n\n`;
        if (shape === 'blank line') return `\nevent: ${message.event}\ndata: ${data}\n\n`;
        if (shape === 'data only') return `data: ${data}\n\n`;
        return `event: ${message.event}\ndata: ${data}\n\n`;
      });
    const other = fc.constantFrom(
      'event: ping\ndata: {"type":"ping"}\n\n',
      ': keepalive\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"x"}}\n\n',
      'retry: 10\n\n',
    );
    let joined = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ arbitrary: wireEvent, weight: 4 }, other), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (events, cuts) => {
          // As bytes cut anywhere, inside a character too, the way the network delivers them.
          const chunks = cutText(events.join(''), cuts);
          const read = (plainRun: typeof step.plainRun) =>
            parseChunks(chunks, { keepComments: true, plain: step.plain, plainRun });
          const byRun = read(step.plainRun);
          expect(byRun).toEqual(read(undefined));
          joined += byRun.filter((message) => message.raw !== undefined).length;
        },
      ),
      { numRuns: 3000 },
    );
    // Runs were made (a test that never saw one could not fail).
    expect(joined).toBeGreaterThan(500);
  });

  it('takes every delta of the text transcript in one pass', () => {
    const deltas = messages.filter((m) => m.event === 'content_block_delta');
    expect(deltas.length).toBeGreaterThan(5);
    for (const message of deltas) expect(isPlainContentEvent(message)).toBe(true);
  });
});
