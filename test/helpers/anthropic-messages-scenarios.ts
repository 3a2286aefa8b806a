/**
 * The Anthropic Messages transcripts in `src/formats/anthropic-messages/__fixtures__` and what
 * each one must give, plus small helpers the format's tests share.
 */
import type { ProxyErrorCode } from '../../src/errors.js';
import type { IrResponse } from '../../src/ir/response.js';
import type { SseMessage } from '../../src/sse/message.js';
import { createSseParser } from '../../src/sse/parse.js';
import { parseJsonObjectLenient } from '../../src/util/json.js';
import { loadFixtureBytes, loadFixtureJson } from './fixtures.js';
import { splitRandomly } from './split.js';

/** One transcript: `<name>.sse` and `<name>.expected.json`. */
export interface AnthropicScenario {
  name: string;
  /** Whether the stream reaches `message_stop`. */
  complete: boolean;
  /** The error code the stream ends with, when it does not complete. */
  errorCode?: ProxyErrorCode;
  /** Unknown event types the decoder must report. */
  unknownEvents?: string[];
}

/** Every transcript of the format. */
export const ANTHROPIC_SCENARIOS: readonly AnthropicScenario[] = [
  { name: 'text', complete: true },
  { name: 'tool-use', complete: true },
  { name: 'tool-no-args', complete: true },
  { name: 'text-then-tools', complete: true },
  { name: 'thinking-text-tool', complete: true },
  { name: 'redacted-thinking', complete: true },
  { name: 'web-search-citations', complete: true },
  { name: 'message-delta-input-tokens', complete: true },
  { name: 'cache-usage', complete: true },
  { name: 'refusal', complete: true },
  { name: 'max-tokens', complete: true },
  { name: 'pause-turn', complete: true },
  {
    name: 'drift-unknown',
    complete: true,
    unknownEvents: [
      'message_metadata',
      'content_block_delta:text_style_delta',
      'content_block_delta:compaction_delta',
      'content_block_delta:compaction_delta',
    ],
  },
  { name: 'crlf', complete: true },
  { name: 'multiline-data', complete: true },
  { name: 'error-mid-stream', complete: false, errorCode: 'upstream_overloaded' },
  { name: 'truncated', complete: false, errorCode: 'upstream_protocol' },
];

/** The raw bytes of a transcript. */
export function scenarioBytes(name: string): Buffer {
  return loadFixtureBytes('anthropic-messages', `${name}.sse`);
}

/** The expected final body of a transcript. */
export function scenarioExpected(name: string): Record<string, unknown> {
  return loadFixtureJson('anthropic-messages', `${name}.expected.json`);
}

/** Parses a transcript's bytes, cut at random places (seeded), into SSE messages. */
export function parseSplit(bytes: Uint8Array, seed: number, maxChunk = 48): SseMessage[] {
  const parser = createSseParser();
  const messages: SseMessage[] = [];
  for (const chunk of splitRandomly(bytes, seed, maxChunk)) messages.push(...parser.push(chunk));
  messages.push(...parser.end());
  return messages;
}

/**
 * Tool-call arguments parsed, so JSON text that differs only in spacing compares equal
 * (arguments cut off mid-JSON compare as `{}`, as the native accumulator gives them).
 */
export function withParsedArguments(response: IrResponse): unknown {
  return {
    ...response,
    content: response.content.map((part) =>
      part.type === 'tool-call' && part.kind === 'function'
        ? { ...part, arguments: parseJsonObjectLenient(part.arguments).value }
        : part,
    ),
  };
}
