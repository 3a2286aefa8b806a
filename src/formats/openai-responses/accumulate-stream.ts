/**
 * Rebuilds the final Responses body from a Responses (or Codex backend) stream, drift-proof.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */

import type { IrError } from '../../ir/response.js';
import { TRUNCATED_STREAM_ERROR } from '../../ir/response.js';
import type { SseMessage } from '../../sse/message.js';
import { isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import type { DecodeStreamOptions, StreamAccumulation, WireStreamAccumulator } from '../format.js';
import { encodeResponseError } from './encode-response.js';
import { narrowResponsesEvent } from './narrow.js';
import { OutputBuilder } from './output-builder.js';
import { decodeStreamError, readStreamErrorObject } from './stream-error.js';
import {
  createUnknownReporter,
  isBackendEvent,
  isKnownEvent,
  readStreamEvent,
} from './stream-event.js';
import type { ResponsesStreamEvent } from './types.js';

/** Hosted-tool progress events: the last segment of the type is the item's status. */
const PROGRESS =
  /^response\.(?:file_search_call|web_search_call|code_interpreter_call|image_generation_call|mcp_call)\.(in_progress|searching|interpreting|generating|completed|failed)$/;

/** Applies one stream event to a builder; lifecycle and error events are the caller's. */
export function applyItemEvent(output: OutputBuilder, event: ResponsesStreamEvent): boolean {
  switch (event.type) {
    case 'response.output_item.added':
      output.added(event);
      return true;
    case 'response.output_item.done':
      output.done(event);
      return true;
    case 'response.content_part.added':
      output.partAdded(event, false);
      return true;
    case 'response.content_part.done':
      output.partAdded(event, true);
      return true;
    case 'response.output_text.delta':
    case 'response.output_text.done':
      output.text(event, 'text', 'output_text', event.type.endsWith('.done'));
      return true;
    case 'response.output_text.annotation.added':
      output.annotation(event);
      return true;
    case 'response.refusal.delta':
    case 'response.refusal.done':
      output.text(event, 'refusal', 'refusal', event.type.endsWith('.done'));
      return true;
    case 'response.reasoning_text.delta':
    case 'response.reasoning_text.done':
      output.text(event, 'text', 'reasoning_text', event.type.endsWith('.done'));
      return true;
    case 'response.reasoning_summary_part.added':
    case 'response.reasoning_summary_part.done':
      output.summaryPart(event);
      return true;
    case 'response.reasoning_summary_text.delta':
    case 'response.reasoning_summary_text.done':
      output.summaryText(event, event.type.endsWith('.done'));
      return true;
    case 'response.function_call_arguments.delta':
    case 'response.function_call_arguments.done':
      output.itemField(
        event,
        'function_call',
        'arguments',
        'arguments',
        event.type.endsWith('.done'),
      );
      return true;
    case 'response.custom_tool_call_input.delta':
    case 'response.custom_tool_call_input.done':
      output.itemField(event, 'custom_tool_call', 'input', 'input', event.type.endsWith('.done'));
      return true;
    case 'response.mcp_call_arguments.delta':
    case 'response.mcp_call_arguments.done':
      output.itemField(event, 'mcp_call', 'arguments', 'arguments', event.type.endsWith('.done'));
      return true;
    case 'response.code_interpreter_call_code.delta':
    case 'response.code_interpreter_call_code.done':
      output.itemField(
        event,
        'code_interpreter_call',
        'code',
        'code',
        event.type.endsWith('.done'),
      );
      return true;
    default: {
      const progress = PROGRESS.exec(event.type);
      if (progress?.[1] !== undefined) {
        output.status(event, progress[1]);
        return true;
      }
      return false;
    }
  }
}

/** The native accumulator over already parsed events (shared with the stream normalizer). */
export interface ResponsesEventAccumulator {
  pushEvent(event: JsonObject & { type: string }): void;
  result(): StreamAccumulation;
}

/**
 * Creates the native accumulator (`WireFormat.createStreamAccumulator`). The envelope comes from
 * `response.created` (then `in_progress`/`queued`) and every field of the terminal event but
 * `output`; the output is always rebuilt from item and delta events, because the Codex backend
 * sends `response.completed` with `output` missing, `null` or `[]` (observed 2026-04 and
 * 2026-05, WIRE-FORMATS §3.3). A terminal `output` only fills items that were never streamed,
 * and only when it agrees with the stream. A stream that stops early still gives everything it
 * carried: unfinished items and the response are `incomplete`, with the truncation error.
 */
export function createResponsesStreamAccumulator(
  options?: DecodeStreamOptions,
): WireStreamAccumulator {
  const accumulator = createResponsesEventAccumulator(options);
  return {
    push(message: SseMessage): void {
      const event = readStreamEvent(message, options);
      if (event) accumulator.pushEvent(event);
    },
    result: accumulator.result,
  };
}

/** Creates the accumulator over parsed events. */
export function createResponsesEventAccumulator(
  options?: DecodeStreamOptions,
): ResponsesEventAccumulator {
  const output = new OutputBuilder();
  const reportUnknown = createUnknownReporter(options);
  let envelope: JsonObject | undefined;
  let terminal: JsonObject | undefined;
  let streamError: IrError | undefined;

  function pushEvent(event: JsonObject & { type: string }): void {
    // Item events are read narrowed; lifecycle events keep their `response` as it came (it is
    // the envelope of the rebuilt body).
    if (applyItemEvent(output, narrowResponsesEvent(event))) return;
    switch (event.type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued':
        if (isRecord(event.response)) envelope = event.response;
        return;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        terminal = isRecord(event.response) ? event.response : { status: statusOf(event.type) };
        return;
      case 'error':
        streamError = decodeStreamError(readStreamErrorObject(event), 'Upstream stream failed');
        return;
      default:
        if (isBackendEvent(event.type) || isKnownEvent(event.type)) return;
        reportUnknown(event.type);
    }
  }

  function result(): StreamAccumulation {
    const complete = terminal !== undefined;
    const finalOutput = terminal?.output;
    const fill =
      Array.isArray(finalOutput) && finalOutput.length > 0 && output.isConsistent(finalOutput)
        ? finalOutput
        : undefined;
    // Items that never got `output_item.done` are incomplete unless the response completed.
    const unfinished =
      !complete || (terminal?.status !== undefined && terminal.status !== 'completed');
    const body: JsonObject = {
      ...envelope,
      ...(terminal ? omitKeys(terminal, ['output']) : {}),
      output: output.build(unfinished, fill),
    };
    let error = streamError;
    if (terminal) {
      if (body.status === undefined) body.status = 'completed';
      if (body.status === 'failed') {
        error ??= decodeStreamError(body.error, 'Upstream response failed');
        if (!isRecord(body.error)) body.error = encodeResponseError(error);
      }
    } else {
      error ??= TRUNCATED_STREAM_ERROR;
      body.status = streamError ? 'failed' : 'incomplete';
      body.error = encodeResponseError(error);
    }
    return { body, complete, ...(error ? { error } : {}) };
  }

  return { pushEvent, result };
}

function statusOf(type: string): string {
  if (type === 'response.failed') return 'failed';
  return type === 'response.incomplete' ? 'incomplete' : 'completed';
}
