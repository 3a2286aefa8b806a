/**
 * The cross-format matrix: every upstream transcript, converted for every client format,
 * streamed and not, keeps its text, tool calls, stop reason and usage. The client's side is read
 * back with that format's own accumulator and decoder, so what is checked is what a client sees.
 */
import { describe, expect, it } from 'vitest';
import { loadFixtureBytes, loadFixtureJson } from '../../test/helpers/fixtures.js';
import { splitRandomly } from '../../test/helpers/split.js';
import type { WireFormatId } from '../formats/format.js';
import { formats } from '../formats/index.js';
import { WIRE_FORMAT_IDS } from '../ir/meta.js';
import type { IrResponse } from '../ir/response.js';
import { parseSse } from '../sse/parse.js';
import { runStep } from '../streams/step.js';
import {
  type ConversionPlan,
  convertBufferedBody,
  createPassthroughHalves,
  createStreamReassembler,
  createTranslateHalves,
  decodingHalf,
  type StreamHalves,
} from './conversion.js';
import { routeBetween } from './plan.js';

const TRANSCRIPTS: Array<[WireFormatId, string]> = [
  ['openai-responses', 'text'],
  ['openai-responses', 'codex-output-missing'],
  ['openai-responses', 'parallel-tool-calls'],
  ['openai-responses', 'incomplete-max-tokens'],
  ['anthropic-messages', 'text'],
  ['anthropic-messages', 'thinking-text-tool'],
  ['anthropic-messages', 'text-then-tools'],
  ['anthropic-messages', 'max-tokens'],
  ['openai-chat', 'text'],
  ['openai-chat', 'tool-calls-parallel'],
  ['openai-chat', 'length'],
];

/** What must survive any conversion. */
function essentials(response: IrResponse) {
  return {
    text: response.content
      .filter((part) => part.type === 'text')
      .map((part) => (part.type === 'text' ? part.text : ''))
      .join(''),
    toolCalls: response.content.flatMap((part) =>
      part.type === 'tool-call'
        ? [
            {
              id: part.callId,
              name: part.name,
              arguments: JSON.parse(part.arguments || '{}') as unknown,
            },
          ]
        : [],
    ),
    // Chat has no `refusal` or `other`, and every format says "tool calls" its own way.
    finish: response.finishReason,
    input: response.usage.inputTokens,
    output: response.usage.outputTokens,
  };
}

/** A Chat client that asks for usage in its streams, as clients that count tokens do. */
const chatRequest = formats['openai-chat'].decodeRequest({
  model: 'client-model',
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'hi' }],
}).value;

function plan(clientFormat: WireFormatId, upstreamFormat: WireFormatId): ConversionPlan {
  return {
    ...routeBetween(clientFormat, upstreamFormat),
    formats,
    encodeContext: {
      createdAt: 1_767_300_000,
      createId: (prefix) => `${prefix}matrix`,
      model: 'client-model',
      ...(clientFormat === 'openai-chat' ? { request: chatRequest } : {}),
    },
    customTools: new Set(),
    onWarning: () => {},
    onUnknownEvent: (type) => {
      throw new Error(`unexpected unknown event ${type}`);
    },
  };
}

describe('cross-format matrix', () => {
  for (const [upstreamFormat, name] of TRANSCRIPTS) {
    const bytes = loadFixtureBytes(upstreamFormat, `${name}.sse`);
    const expected = essentials(
      formats[upstreamFormat].decodeResponse(
        loadFixtureJson(upstreamFormat, `${name}.expected.json`),
      ).value,
    );

    for (const clientFormat of WIRE_FORMAT_IDS) {
      it(`${upstreamFormat} ${name} → ${clientFormat}, not streamed`, () => {
        const conversion = plan(clientFormat, upstreamFormat);
        const reassembler = createStreamReassembler(conversion);
        for (const chunk of splitRandomly(bytes, 11)) reassembler.push(chunk);
        const { body } = convertBufferedBody(conversion, reassembler.result().body);
        const seen = essentials(formats[clientFormat].decodeResponse(body).value);
        expect(seen).toEqual(expected);
        expect(body.model).toBe('client-model');
      });

      it(`${upstreamFormat} ${name} → ${clientFormat}, streamed`, () => {
        const conversion = plan(clientFormat, upstreamFormat);
        const halves =
          clientFormat === upstreamFormat
            ? createPassthroughHalves(conversion)
            : createTranslateHalves(conversion);
        const items = runStep(
          decodingHalf(halves as StreamHalves<unknown>),
          splitRandomly(bytes, 5),
        );
        const text = runStep(halves.encode as never, items).join('');
        const accumulator = formats[clientFormat].createStreamAccumulator();
        for (const message of parseSse(text)) accumulator.push(message);
        const result = accumulator.result();
        expect(result.complete).toBe(true);
        expect(essentials(formats[clientFormat].decodeResponse(result.body).value)).toEqual(
          expected,
        );
      });
    }
  }
});

describe('error messages inside translated streams', () => {
  it('are scrubbed of anything that looks like a secret', () => {
    const leaked = 'sk-live-0123456789abcdef';
    const sse =
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"usage":{"input_tokens":1,"output_tokens":0}}}\n\n' +
      `event: error\ndata: {"type":"error","error":{"type":"api_error","message":"bad key ${leaked} used"}}\n\n`;
    const conversion = plan('openai-chat', 'anthropic-messages');
    const halves = createTranslateHalves(conversion);
    const text = runStep(
      halves.encode,
      runStep(decodingHalf(halves), [new TextEncoder().encode(sse)]),
    ).join('');
    expect(text).toContain('bad key [REDACTED] used');
    expect(text).not.toContain(leaked);
  });
});
