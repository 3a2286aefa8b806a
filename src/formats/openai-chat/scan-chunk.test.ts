/**
 * The Chat stream decoder's scan of ordinary content chunks (`scanContent`): it reads what
 * `JSON.parse` reads, declines every other text, and the decoder then gives the same events as
 * its full path. The full-path reference sends each message with `event: "message"`, which the
 * fast paths leave alone and the full path reads like no event name at all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IrEvent } from '../../ir/events.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import type { SseMessage } from '../../sse/message.js';
import { createSseParser, isUnterminated } from '../../sse/parse.js';
import { runStep } from '../../streams/step.js';
import { createChatStreamDecoder } from './decode-stream.js';
import { learnEnvelope, scanArguments, scanContent } from './scan-chunk.js';

const ENVELOPE =
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1767300000,"model":"gpt-4.1-mini","service_tier":"default","system_fingerprint":"fp_1",';
const SUFFIX = ',"usage":null,"obfuscation":"NbcSyf"}';
const body = (literal: string) =>
  `"choices":[{"index":0,"delta":{"content":${literal}},"logprobs":null,"finish_reason":null}]`;
/** An ordinary content chunk as OpenAI writes it. */
const chunkText = (content: string) => `${ENVELOPE}${body(JSON.stringify(content))}${SUFFIX}`;
/** An ordinary tool-arguments chunk as OpenAI writes it. */
const toolText = (piece: string, index = 0) =>
  `${ENVELOPE}"choices":[{"index":0,"delta":{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(piece)}}}]},"logprobs":null,"finish_reason":null}]${SUFFIX}`;
const toolStart = (index: number) =>
  `${ENVELOPE}"choices":[{"index":0,"delta":{"tool_calls":[{"index":${index},"id":"call_${index}","type":"function","function":{"name":"f","arguments":""}}]},"logprobs":null,"finish_reason":null}]${SUFFIX}`;
const ROLE_CHUNK = `${ENVELOPE}"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]${SUFFIX}`;
const FINISH_CHUNK = `${ENVELOPE}"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]${SUFFIX}`;

interface Decoded {
  events: IrEvent[];
  warnings: ConversionWarning[];
  unknown: string[];
}

function decode(texts: string[], event?: string): Decoded {
  const warnings: ConversionWarning[] = [];
  const unknown: string[] = [];
  const decoder = createChatStreamDecoder({
    onWarning: (warning) => warnings.push(warning),
    onUnknownEvent: (type) => unknown.push(type),
  });
  const messages = texts.map((data) => ({ data, ...(event !== undefined ? { event } : {}) }));
  return { events: runStep(decoder, messages), warnings, unknown };
}

/** The decoder's output with its fast paths and with the full path only. */
function bothPaths(middle: string[]): { fast: Decoded; full: Decoded } {
  const texts = [ROLE_CHUNK, chunkText('a'), ...middle, FINISH_CHUNK, '[DONE]'];
  return { fast: decode(texts), full: decode(texts, 'message') };
}

const TRICKY = [
  '',
  'plain',
  ' rises',
  'quote " and \\ backslash',
  'new\nline\r\ttab\b\f',
  '\u0000\u001f\u007f',
  '\u2028\u2029',
  'héllo — “quotes” 日本語 🍞',
  '\ud800',
  'a\udfffz',
  '</script>',
];

describe('learnEnvelope', () => {
  it('takes the text before "choices" when it holds only envelope members', () => {
    expect(learnEnvelope(chunkText('x'))).toBe(ENVELOPE);
    expect(learnEnvelope(`{${body('"x"')}}`)).toBe('{');
    expect(learnEnvelope(`{"object":"chat.completion","created":0,"id":null,${body('"x"')}}`)).toBe(
      '{"object":"chat.completion","created":0,"id":null,',
    );
  });

  it.each([
    ['no choices', '{"id":"x"}'],
    ['whitespace after a colon', `{"id": "x",${body('"x"')}}`],
    ['whitespace after a comma', `{"id":"x", ${body('"x"')}}`],
    ['an escape in a value', `{"id":"a\\"b",${body('"x"')}}`],
    ['an unknown key', `{"x":"y",${body('"x"')}}`],
    ['usage', `{"usage":null,${body('"x"')}}`],
    ['error', `{"error":null,${body('"x"')}}`],
    ['another object', `{"object":"error",${body('"x"')}}`],
    ['a leading zero', `{"created":01,${body('"x"')}}`],
    ['a fraction', `{"created":1.5,${body('"x"')}}`],
    ['a nested value', `{"model":{"a":1},${body('"x"')}}`],
    ['pretty printing', `{\n  "id": "x",\n  ${body('"x"')}}`],
  ])('declines an envelope with %s', (_name, text) => {
    expect(learnEnvelope(text)).toBeUndefined();
  });
});

describe('scanContent', () => {
  it('reads what JSON.parse reads, for tricky and random strings', () => {
    const check = (content: string) => {
      const text = chunkText(content);
      const parsed = JSON.parse(text) as { choices: [{ delta: { content: string } }] };
      expect(scanContent(text, ENVELOPE)).toBe(parsed.choices[0].delta.content);
    };
    for (const content of TRICKY) check(content);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 30 }),
          fc.string({
            unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
          }),
        ),
        check,
      ),
      { numRuns: 2000 },
    );
  });

  it('reads escapes JSON.stringify does not write', () => {
    const text = `${ENVELOPE}${body('"\\/\\u00e9\\u00E9\\uD83D\\uDE00\\""')}${SUFFIX}`;
    expect(scanContent(text, ENVELOPE)).toBe('/éé😀"');
  });

  it('reads the usual variants of the tail', () => {
    const variants = [
      `${ENVELOPE}"choices":[{"index":0,"delta":{"content":"x"}}]}`,
      `${ENVELOPE}"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}`,
      `${ENVELOPE}${body('"x"')}}`,
      `${ENVELOPE}${body('"x"')},"usage":null}`,
      `${ENVELOPE}${body('"x"')},"obfuscation":"abc","system_fingerprint":null}`,
      `{${body('"x"')},"id":"c","object":"chat.completion.chunk","created":1,"model":"m"}`,
    ];
    for (const text of variants) {
      const envelope = learnEnvelope(text);
      expect(envelope).toBeDefined();
      expect(scanContent(text, envelope as string)).toBe('x');
    }
  });

  const FALLBACKS: [string, string][] = [
    ['another envelope', chunkText('x').replace('chatcmpl-1', 'chatcmpl-2')],
    ['a shorter text', '{"id":"x"}'],
    ['whitespace after a colon', `${ENVELOPE}${body(' "x"')}${SUFFIX}`],
    ['pretty printing', JSON.stringify(JSON.parse(chunkText('x')), null, 2)],
    ['a raw control character', `${ENVELOPE}${body('"a\nb"')}${SUFFIX}`],
    ['an invalid escape', `${ENVELOPE}${body('"a\\xb"')}${SUFFIX}`],
    ['a short unicode escape', `${ENVELOPE}${body('"a\\u12"')}${SUFFIX}`],
    ['an unterminated string', `${ENVELOPE}"choices":[{"index":0,"delta":{"content":"abc`],
    ['an unterminated escape', `${ENVELOPE}"choices":[{"index":0,"delta":{"content":"abc\\`],
    ['a non-string content', `${ENVELOPE}${body('null')}${SUFFIX}`],
    ['a usage object', `${ENVELOPE}${body('"x"')},"usage":{"prompt_tokens":1}}`],
    ['a finish reason', chunkText('x').replace('"finish_reason":null', '"finish_reason":"stop"')],
    ['logprobs', chunkText('x').replace('"logprobs":null', '"logprobs":{"content":[]}')],
    ['another delta field', chunkText('x').replace('"content":', '"role":"assistant","content":')],
    ['a delta field after content', chunkText('x').replace('"x"}', '"x","refusal":null}')],
    ['choice index 1', chunkText('x').replace('"index":0', '"index":1')],
    ['a second choice', chunkText('x').replace('null}]', 'null},{"index":1,"delta":{}}]')],
    ['a second "choices"', `${ENVELOPE}${body('"x"')},${body('"y"')}}`],
    ['an error member', `${ENVELOPE}${body('"x"')},"error":{"message":"boom"}}`],
    ['object "error" after choices', `${ENVELOPE}${body('"x"')},"object":"error"}`],
    ['an unknown member after choices', `${ENVELOPE}${body('"x"')},"x":1}`],
    ['an escape in a member after choices', `${ENVELOPE}${body('"x"')},"model":"a\\"b"}`],
    ['text after the object', `${ENVELOPE}${body('"x"')}${SUFFIX}x`],
    ['a missing closing brace', `${ENVELOPE}${body('"x"')}`],
  ];

  for (const [name, text] of FALLBACKS) {
    it(`declines ${name}, and the decoder gives what its full path gives`, () => {
      expect(scanContent(text, ENVELOPE)).toBeUndefined();
      const { fast, full } = bothPaths([text, chunkText('b')]);
      expect(fast).toEqual(full);
    });
  }
});

describe('scanArguments', () => {
  it('reads what JSON.parse reads, for tricky and random pieces', () => {
    const check = (piece: string, index: number) => {
      const text = toolText(piece, index);
      const parsed = JSON.parse(text) as {
        choices: [{ delta: { tool_calls: [{ index: number; function: { arguments: string } }] } }];
      };
      const call = parsed.choices[0].delta.tool_calls[0];
      expect(scanArguments(text, ENVELOPE)).toEqual({
        index: call.index,
        piece: call.function.arguments,
      });
      expect(scanContent(text, ENVELOPE)).toBeUndefined();
    };
    for (const piece of [...TRICKY, '{"a":', '"\\u00e9"}', '{"path":"C:\\\\x"}']) {
      check(piece, 0);
      check(piece, 12);
    }
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
        fc.nat(999_999_999),
        check,
      ),
      { numRuns: 1000 },
    );
  });

  const FALLBACKS: [string, string][] = [
    [
      'a leading zero index',
      toolText('x').replace('"index":0,"function"', '"index":01,"function"'),
    ],
    ['a negative index', toolText('x').replace('"index":0,"function"', '"index":-1,"function"')],
    ['a fractional index', toolText('x').replace('"index":0,"function"', '"index":1.5,"function"')],
    ['a ten-digit index', toolText('x', 1_234_567_890)],
    ['a string index', toolText('x').replace('"index":0,"function"', '"index":"0","function"')],
    ['no index', toolText('x').replace('"index":0,"function"', '"function"')],
    ['an id', toolText('x').replace('"index":0,"function"', '"index":0,"id":"c","function"')],
    ['a name', toolText('x').replace('"function":{', '"function":{"name":"f",')],
    ['a name after the arguments', toolText('x').replace('"x"}', '"x","name":"f"}')],
    ['a type after the function', toolText('x').replace('"x"}}', '"x"},"type":"function"}')],
    ['a second tool call', toolText('x').replace('"x"}}]', '"x"}},{"index":1}]')],
    ['non-string arguments', toolText('x').replace('"arguments":"x"', '"arguments":{}')],
    ['an invalid escape', toolText('x').replace('"arguments":"x"', '"arguments":"\\q"')],
    [
      'content beside the tool call',
      toolText('x').replace('"tool_calls"', '"content":"y","tool_calls"'),
    ],
    [
      'a finish reason',
      toolText('x').replace('"finish_reason":null', '"finish_reason":"tool_calls"'),
    ],
    ['another envelope', toolText('x').replace('chatcmpl-1', 'chatcmpl-2')],
  ];

  for (const [name, text] of FALLBACKS) {
    it(`declines ${name}, and the decoder gives what its full path gives`, () => {
      expect(scanArguments(text, ENVELOPE)).toBeUndefined();
      const { fast, full } = bothPaths([toolStart(0), toolText('{"a":'), text, toolText('1}')]);
      expect(fast).toEqual(full);
    });
  }

  it('decodes scanned pieces as the full path does', () => {
    const { fast, full } = bothPaths([
      toolStart(0),
      toolText('{"a":'),
      toolText('"\\"q\\""}'),
      toolStart(1),
      toolText('{}', 1),
      toolText('', 1),
    ]);
    expect(fast).toEqual(full);
    expect(fast.events.filter((event) => event.type === 'tool-call-delta')).toHaveLength(3);
  });
});

describe('Chat stream decoder over scanned chunks', () => {
  it('gives the same events as its full path for tricky contents', () => {
    const { fast, full } = bothPaths(TRICKY.map(chunkText));
    expect(fast).toEqual(full);
    expect(fast.events.filter((event) => event.type === 'text-delta')).toHaveLength(
      1 + TRICKY.filter((content) => content !== '').length,
    );
  });

  it('gives the same events as its full path for mutated chunk texts', () => {
    const SPICE = [
      '"',
      '\\',
      ' ',
      '\n',
      '\u0001',
      ',',
      '}',
      ']',
      '{',
      '0',
      '01',
      'x',
      ':',
      'null',
      '\\u',
      ',"error":1',
      ',"choices":[]',
      ',"x":1',
    ];
    const edit = fc.record({
      // Anywhere, or in the body (where the content string is), or in the tail.
      at: fc.oneof(
        fc.nat(),
        fc.nat(90).map((n) => ENVELOPE.length + n),
        fc.nat(40).map((n) => -n),
      ),
      remove: fc.nat(3),
      insert: fc.oneof(fc.constantFrom(...SPICE), fc.string({ maxLength: 3 })),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.option(edit)), { maxLength: 6 }),
        (chunks) => {
          const texts = chunks.map(([content, change], position) => {
            const text = position % 2 === 0 ? chunkText(content) : toolText(content, position % 3);
            if (change === null) return text;
            const at = (change.at + text.length + 1) % (text.length + 1);
            return text.slice(0, at) + change.insert + text.slice(at + change.remove);
          });
          const { fast, full } = bothPaths([toolStart(1), ...texts]);
          expect(fast).toEqual(full);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('Chat stream decoder over a stream cut at its end', () => {
  it('decodes a last chunk without its blank line as its full path does, whole or cut', () => {
    const head = [ROLE_CHUNK, chunkText('a')].map((data) => `data: ${data}\n\n`).join('');
    for (const last of [
      chunkText('b'),
      chunkText('b').slice(0, -1),
      chunkText('b').slice(0, 250),
    ]) {
      const parser = createSseParser();
      const messages = [...parser.push(`${head}data: ${last}`), ...parser.end()];
      expect(isUnterminated(messages[2] as SseMessage)).toBe(true);
      const fast = runStep(createChatStreamDecoder(), messages);
      const full = runStep(
        createChatStreamDecoder(),
        messages.map((message) => ({ ...message, event: 'message' })),
      );
      expect(fast).toEqual(full);
    }
  });
});
