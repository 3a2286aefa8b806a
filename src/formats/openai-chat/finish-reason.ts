/**
 * Maps Chat Completions `finish_reason` values to neutral finish reasons and back.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
import type { IrFinishReason } from '../../ir/response.js';
import { assertNever } from '../../util/assert-never.js';
import type { ChatFinishReason } from './types.js';

/**
 * A wire `finish_reason` as a neutral reason. Legacy `function_call` ends in a tool call; an
 * unknown or missing value (compatible servers send `eos`, `""` or nothing) is `other`.
 */
export function decodeFinishReason(value: unknown): IrFinishReason {
  switch (value) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}

/**
 * A neutral reason as a wire `finish_reason`. A turn that holds tool calls and did not stop for
 * length or a filter says `tool_calls` (clients run the calls only then), even when the upstream
 * said `stop`. A refusal is `stop` (the text is in `refusal`); errors and unknown ends are `stop`
 * too, because Chat has no value for them and clients must get one.
 */
export function encodeFinishReason(
  reason: IrFinishReason,
  hasToolCalls: boolean,
): ChatFinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'content-filter':
      return 'content_filter';
    case 'tool-calls':
      return 'tool_calls';
    case 'stop':
    case 'refusal':
    case 'error':
    case 'other':
      return hasToolCalls ? 'tool_calls' : 'stop';
    default:
      return assertNever(reason, 'finish reason');
  }
}
