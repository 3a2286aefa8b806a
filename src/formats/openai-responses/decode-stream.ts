/**
 * Decodes an upstream Responses (or Codex backend) SSE stream into IR events.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */

import type { IrEvent } from '../../ir/events.js';
import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { isUnterminated } from '../../sse/parse.js';
import type { StreamStep } from '../../streams/step.js';
import { textAt } from '../../util/text-at.js';
import type { DecodeStreamOptions } from '../format.js';
import { StreamItemDecoder } from './decode-stream-items.js';
import { decodeFinishReason, decodeStatus } from './finish-reason.js';
import { narrowResponsesEvent } from './narrow.js';
import { decodeStreamError, readStreamErrorObject } from './stream-error.js';
import {
  createUnknownReporter,
  isBackendEvent,
  isKnownEvent,
  readStreamEvent,
  TERMINAL_EVENT_TYPES,
} from './stream-event.js';
import type { ResponsesResponse, ResponsesStreamEvent } from './types.js';
import { decodeUsage } from './usage.js';

/** Lifecycle events: `start` ignores them once the message has started. */
const LIFECYCLE_TYPES = ['response.in_progress', 'response.queued', 'response.created'];

/**
 * True for a complete lifecycle event whose data starts with its own type (the first key, as
 * every Responses server writes it) under the same SSE event name, if any.
 */
function isLifecycleEvent(message: SseMessage): boolean {
  const data = message.data;
  if (!textAt(data, 0, '{"type":"response.') || isUnterminated(message)) return false;
  for (const type of LIFECYCLE_TYPES) {
    if (textAt(data, 9, type) && data.charCodeAt(9 + type.length) === 0x22) {
      return message.event === undefined || message.event === type;
    }
  }
  return false;
}

/**
 * Creates the decoder (`WireFormat.createStreamDecoder`). `message-start` comes from
 * `response.created`, blocks from items (see `StreamItemDecoder`), usage and the finish reason
 * from the terminal event; an `error` event or `response.failed` becomes an IR `error`, and a
 * stream that stops without a terminal event ends with `TRUNCATED_STREAM_ERROR`. Backend-only
 * events (`codex.*`, `keepalive`) are skipped silently, unknown ones skipped and reported once.
 */
export function createResponsesStreamDecoder(
  options?: DecodeStreamOptions,
): StreamStep<SseMessage, IrEvent> {
  let out: IrEvent[] = [];
  // A message's first event starts a list of one (an empty list gets room for 17 on its first
  // push, and most messages, deltas, give one event).
  const items = new StreamItemDecoder((event) => {
    if (out.length === 0) out = [event];
    else out.push(event);
  }, options);
  const reportUnknown = createUnknownReporter(options);
  let started = false;
  let ended = false;
  /** An `error` event's error, reported with the next event (`response.failed`, with usage). */
  let pendingError: IrError | undefined;

  function start(response: ResponsesResponse | undefined): void {
    if (started) return;
    started = true;
    const id = response?.id;
    const model = response?.model;
    const createdAt = response?.created_at;
    out.push({
      type: 'message-start',
      ...(id !== undefined ? { id } : {}),
      ...(model !== undefined ? { model } : {}),
      ...(createdAt !== undefined ? { createdAt } : {}),
    });
  }

  function fail(error: IrError): void {
    start(undefined);
    ended = true;
    out.push({ type: 'error', error });
  }

  function terminal(type: string, response: ResponsesResponse): void {
    start(response);
    if (!pendingError) items.finishAll(response.output);
    if (response.usage) out.push({ type: 'usage', usage: decodeUsage(response.usage) });
    const status =
      response.status ??
      (type === 'response.failed'
        ? 'failed'
        : type === 'response.incomplete'
          ? 'incomplete'
          : 'completed');
    if (status === 'failed' || pendingError) {
      fail(pendingError ?? decodeStreamError(response.error, 'Upstream response failed'));
      return;
    }
    const incompleteReason = response.incomplete_details?.reason;
    ended = true;
    out.push({
      type: 'message-end',
      finishReason: decodeFinishReason({
        status,
        ...(incompleteReason !== undefined ? { incompleteReason } : {}),
        hasToolCalls: items.hasToolCalls,
      }),
      status: decodeStatus(status),
    });
  }

  function dispatch(event: ResponsesStreamEvent): void {
    // An error waits for the terminal event that normally follows it (it may carry usage);
    // anything else ends the stream with the error at once.
    if (pendingError && !TERMINAL_EVENT_TYPES.has(event.type)) {
      fail(pendingError);
      return;
    }
    switch (event.type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        start(event.response);
        return;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        terminal(event.type, event.response ?? {});
        return;
      case 'error':
        pendingError ??= decodeStreamError(readStreamErrorObject(event), 'Upstream stream failed');
        return;
      default:
        break;
    }
    if (isBackendEvent(event.type)) {
      options?.onBackendEvent?.(event);
      return;
    }
    if (!isKnownEvent(event.type)) {
      reportUnknown(event.type);
      return;
    }
    start(undefined);
    dispatchItem(event);
  }

  function dispatchItem(event: ResponsesStreamEvent): void {
    switch (event.type) {
      case 'response.output_item.added':
        items.added(event);
        return;
      case 'response.output_item.done':
        items.done(event);
        return;
      case 'response.content_part.added':
        items.partAdded(event);
        return;
      case 'response.content_part.done':
        items.partDone(event);
        return;
      case 'response.output_text.delta':
        items.textDelta(event, 'text');
        return;
      case 'response.output_text.done':
        items.textDone(event, 'text');
        return;
      case 'response.output_text.annotation.added':
        items.annotation(event);
        return;
      case 'response.refusal.delta':
        items.textDelta(event, 'refusal');
        return;
      case 'response.refusal.done':
        items.textDone(event, 'refusal');
        return;
      case 'response.reasoning_summary_part.added':
        items.summaryPartAdded(event);
        return;
      case 'response.reasoning_summary_text.delta':
        items.segmentDelta(event, 's');
        return;
      case 'response.reasoning_summary_text.done':
      case 'response.reasoning_summary_part.done': {
        const text = event.type.endsWith('text.done') ? event.text : event.part?.text;
        items.segmentDone(event, `s${event.summary_index ?? 0}`, text);
        return;
      }
      case 'response.reasoning_text.delta':
        items.segmentDelta(event, 'c');
        return;
      case 'response.reasoning_text.done':
        items.segmentDone(event, `c${event.content_index ?? 0}`, event.text);
        return;
      case 'response.function_call_arguments.delta':
        items.callDeltaEvent(event, 'function_call');
        return;
      case 'response.function_call_arguments.done':
        items.callDoneEvent(event, 'function_call');
        return;
      case 'response.custom_tool_call_input.delta':
        items.callDeltaEvent(event, 'custom_tool_call');
        return;
      case 'response.custom_tool_call_input.done':
        items.callDoneEvent(event, 'custom_tool_call');
        return;
      default:
        // Hosted-tool progress, audio and other known events: their items arrive whole in
        // `output_item.done`, which is what the IR keeps.
        return;
    }
  }

  return {
    push(message) {
      if (ended) return [];
      // Once the message has started, a lifecycle event changes nothing (and no error is
      // pending to report with it): not parsed, though it repeats the whole envelope (64 KB of
      // instructions and tools from the Codex backend). A head-only decoder does not read the
      // first one either: it only starts the message.
      if (!pendingError && (started || options?.headOnly) && isLifecycleEvent(message)) {
        start(undefined);
        const events = out;
        out = [];
        return events;
      }
      const event = readStreamEvent(message, options);
      if (event) dispatch(narrowResponsesEvent(event));
      const events = out;
      out = [];
      return events;
    },
    end() {
      if (!ended) fail(pendingError ?? TRUNCATED_STREAM_ERROR);
      const events = out;
      out = [];
      return events;
    },
  };
}
