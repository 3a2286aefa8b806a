/**
 * The fake upstream's answers: recorded-shape Chat Completions and Anthropic Messages bodies and
 * streams (200 content chunks each), and the 315 KB Codex Responses stream of the original report.
 */
import { createLargeCodexStream } from '../../test/helpers/openai-responses-large-stream.js';

/** Content chunks in the generated Chat and Messages streams. */
export const STREAM_CHUNKS = 200;

const WORDS = [
  'Bread',
  ' rises',
  ' because',
  ' yeast',
  ' eats',
  ' sugars',
  ' in',
  ' the',
  ' dough',
];
const word = (i: number) => WORDS[i % WORDS.length]!;
const sse = (events: { event?: string; data: unknown }[]) =>
  events
    .map(
      ({ event, data }) =>
        `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    )
    .join('');

/** A Chat Completions stream: role chunk, 200 content chunks, finish chunk, usage chunk, [DONE]. */
export function chatStream(): string {
  const base = {
    id: 'chatcmpl-zPydi9BwuLgJsRX8xo2UprBUcIzYo',
    object: 'chat.completion.chunk',
    created: 1767300000,
    model: 'gpt-4.1-mini-2025-04-14',
    service_tier: 'default',
    system_fingerprint: 'fp_tgl4lmyamf',
  };
  const chunk = (delta: unknown, finish: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    usage: null,
    obfuscation: 'NbcSyf',
  });
  const events: { data: unknown }[] = [{ data: chunk({ role: 'assistant', content: '' }) }];
  for (let i = 0; i < STREAM_CHUNKS; i++) events.push({ data: chunk({ content: word(i) }) });
  events.push({ data: chunk({}, 'stop') });
  events.push({
    data: {
      ...base,
      choices: [],
      usage: { prompt_tokens: 24, completion_tokens: STREAM_CHUNKS, total_tokens: 224 },
    },
  });
  events.push({ data: '[DONE]' });
  return sse(events);
}

/** A non-streamed Chat Completions answer. */
export function chatBody(): string {
  return JSON.stringify({
    id: 'chatcmpl-zPydi9BwuLgJsRX8xo2UprBUcIzYo',
    object: 'chat.completion',
    created: 1767300000,
    model: 'gpt-4.1-mini-2025-04-14',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'Bread rises because yeast eats sugars.',
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 24, completion_tokens: 9, total_tokens: 33 },
    service_tier: 'default',
    system_fingerprint: 'fp_tgl4lmyamf',
  });
}

/** An Anthropic Messages stream with 200 text deltas. */
export function messagesStream(): string {
  const events: { event: string; data: unknown }[] = [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: 'msg_01biGcFQ9nCtxV1dC2nbSik2',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5-20250929',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 24,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
            output_tokens: 1,
          },
        },
      },
    },
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    },
    { event: 'ping', data: { type: 'ping' } },
  ];
  for (let i = 0; i < STREAM_CHUNKS; i++) {
    events.push({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word(i) } },
    });
  }
  events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } });
  events.push({
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: STREAM_CHUNKS },
    },
  });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return sse(events);
}

/** A non-streamed Anthropic Messages answer. */
export function messagesBody(): string {
  return JSON.stringify({
    id: 'msg_01biGcFQ9nCtxV1dC2nbSik2',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text', text: 'Bread rises because yeast eats sugars.' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: 24,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 9,
    },
  });
}

/** The original report's Codex stream (431 events, about 315 KB). */
export function codexStream(): string {
  return createLargeCodexStream().sse;
}
