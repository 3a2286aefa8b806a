/**
 * Reads Responses SSE messages as events and names the event types the format knows.
 * @see https://github.com/openai/openai-node/blob/master/src/resources/responses/responses.ts
 */
import type { SseMessage } from '../../sse/message.js';
import { isRecord, type JsonObject, tryParseJson } from '../../util/json.js';
import type { DecodeStreamOptions } from '../format.js';

/**
 * Every event type of openai-node's `ResponseStreamEvent` union (openai 6.49): the SDK's
 * `responses.stream()` throws `Unhandled response stream event` on any other type.
 */
export const PUBLIC_EVENT_TYPES: ReadonlySet<string> = new Set([
  'error',
  'response.audio.delta',
  'response.audio.done',
  'response.audio.transcript.delta',
  'response.audio.transcript.done',
  'response.code_interpreter_call.completed',
  'response.code_interpreter_call.in_progress',
  'response.code_interpreter_call.interpreting',
  'response.code_interpreter_call_code.delta',
  'response.code_interpreter_call_code.done',
  'response.completed',
  'response.content_part.added',
  'response.content_part.done',
  'response.created',
  'response.custom_tool_call_input.delta',
  'response.custom_tool_call_input.done',
  'response.failed',
  'response.file_search_call.completed',
  'response.file_search_call.in_progress',
  'response.file_search_call.searching',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'response.image_generation_call.completed',
  'response.image_generation_call.generating',
  'response.image_generation_call.in_progress',
  'response.image_generation_call.partial_image',
  'response.in_progress',
  'response.incomplete',
  'response.mcp_call.completed',
  'response.mcp_call.failed',
  'response.mcp_call.in_progress',
  'response.mcp_call_arguments.delta',
  'response.mcp_call_arguments.done',
  'response.mcp_list_tools.completed',
  'response.mcp_list_tools.failed',
  'response.mcp_list_tools.in_progress',
  'response.output_item.added',
  'response.output_item.done',
  'response.output_text.annotation.added',
  'response.output_text.delta',
  'response.output_text.done',
  'response.queued',
  'response.reasoning_summary_part.added',
  'response.reasoning_summary_part.done',
  'response.reasoning_summary_text.delta',
  'response.reasoning_summary_text.done',
  'response.reasoning_text.delta',
  'response.reasoning_text.done',
  'response.refusal.delta',
  'response.refusal.done',
  'response.web_search_call.completed',
  'response.web_search_call.in_progress',
  'response.web_search_call.searching',
]);

/**
 * Documented events that are newer than openai-node 6.49's union (WIRE-FORMATS §2.1): known,
 * so not reported, but never forwarded to an SDK client.
 */
const NEWER_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.shell_call_command.added',
  'response.shell_call_command.delta',
  'response.shell_call_command.done',
  'response.shell_call_output_content.delta',
  'response.shell_call_output_content.done',
]);

/** The lifecycle events that end a stream. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

/**
 * Events that are not Responses events but are known to come on the wire: the Codex backend's
 * `codex.*` events (`codex.rate_limits`, observed 2025-09 before `response.created`) and the
 * undocumented `keepalive` heartbeat (openai/openai-node#1964).
 */
export function isBackendEvent(type: string): boolean {
  return type === 'keepalive' || type.startsWith('codex.');
}

/** Whether a type is a known Responses event (public or newer documented). */
export function isKnownEvent(type: string): boolean {
  return PUBLIC_EVENT_TYPES.has(type) || NEWER_EVENT_TYPES.has(type);
}

/**
 * Parses a message into an event, or `undefined` for what carries no event (comments,
 * `[DONE]`, invalid JSON, JSON without a type), reporting the last two as warnings.
 */
export function readStreamEvent(
  message: SseMessage,
  options: DecodeStreamOptions | undefined,
): (JsonObject & { type: string }) | undefined {
  if (message.comment !== undefined) return undefined;
  const data = message.data;
  // `[DONE]` is Chat framing, tolerated anywhere as openai-node does.
  if (data === '' || data.startsWith('[DONE]')) return undefined;
  const parsed = tryParseJson(data);
  if (!isRecord(parsed)) {
    options?.onWarning?.({
      code: 'unexpected',
      message: `Skipped a Responses stream event that is not a JSON object${message.event ? ` ("${message.event}")` : ''}`,
    });
    return undefined;
  }
  const type = typeof parsed.type === 'string' ? parsed.type : message.event;
  if (type === undefined || type === '') {
    options?.onWarning?.({
      code: 'unexpected',
      message: 'Skipped a Responses stream event without a type',
    });
    return undefined;
  }
  // The SSE event name stands in for a missing `type`.
  return Object.assign(parsed, { type });
}

/** Reports each unknown event type once per stream. */
export function createUnknownReporter(
  options: DecodeStreamOptions | undefined,
): (type: string) => void {
  const seen = new Set<string>();
  return (type) => {
    if (seen.has(type)) return;
    seen.add(type);
    options?.onUnknownEvent?.(type);
  };
}
