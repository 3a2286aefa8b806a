/**
 * Reads one SSE message of an Anthropic stream as a typed JSON event, tolerating drift: comments,
 * empty data, `[DONE]`, invalid JSON and events without `type` never throw.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */
import type { SseMessage } from '../../sse/message.js';
import { tryParseJson } from '../../util/json.js';
import type { DecodeStreamOptions } from '../format.js';
import { narrowStreamEvent } from './narrow.js';
import type { AnthropicStreamEvent } from './types.js';

/** A stream event: its type (JSON `type`, else the SSE `event:` name) and its payload. */
export interface StreamEvent {
  type: string;
  event: AnthropicStreamEvent;
}

/**
 * The event in `message`, or `undefined` for messages that carry none. Invalid JSON and
 * events without any type are reported through `options.onWarning` and skipped.
 */
export function readStreamEvent(
  message: SseMessage,
  options: DecodeStreamOptions,
): StreamEvent | undefined {
  if (message.comment !== undefined) return undefined;
  const data = message.data.trim();
  if (data === '') {
    return message.event !== undefined ? { type: message.event, event: {} } : undefined;
  }
  // Not an Anthropic sentinel, but some relays append it (LESSONS.md); it carries nothing.
  if (data === '[DONE]') return undefined;
  const parsed = narrowStreamEvent(tryParseJson(data));
  if (parsed === undefined) {
    options.onWarning?.({
      code: 'unexpected',
      message: `Skipped an Anthropic stream event${message.event ? ` "${message.event}"` : ''} whose data is not a JSON object`,
    });
    return undefined;
  }
  const type = parsed.type ?? message.event;
  if (type === undefined) {
    options.onWarning?.({
      code: 'unexpected',
      message: 'Skipped an Anthropic stream event without a type',
    });
    return undefined;
  }
  return { type, event: parsed };
}
