/**
 * Maps Anthropic `stop_reason` to the neutral finish reason and back.
 *
 * @see https://docs.claude.com/en/api/handling-stop-reasons
 */
import type { IrFinishReason } from '../../ir/response.js';
import { assertNever } from '../../util/assert-never.js';

/**
 * The neutral finish reason of a `stop_reason`. `pause_turn` (a server tool paused a long turn;
 * the client is expected to continue it) has no neutral equivalent and becomes `other`;
 * `model_context_window_exceeded` is a token limit, so `length`. Unknown values become `other`
 * (the raw value rides in meta so the same format gets it back).
 */
export function decodeStopReason(stopReason: unknown): IrFinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}

/** What the content of a turn says about how it ended, beyond the finish reason. */
export interface StopContext {
  /** The turn holds tool calls: Anthropic clients only run tools on `tool_use`. */
  hasToolCalls?: boolean;
  /** The turn holds a refusal part (another format's refusal text). */
  hasRefusal?: boolean;
  /** The stop sequence that ended the output, if any. */
  stopSequence?: string | undefined;
}

/**
 * The `stop_reason` for a neutral finish reason. A turn that ended in tool calls always says
 * `tool_use`, and one holding a refusal says `refusal`, whatever the upstream's own reason was
 * (Responses has no `tool_use` status; Chat clients may get `stop` with tool calls).
 */
export function encodeStopReason(reason: IrFinishReason, context: StopContext = {}): string {
  switch (reason) {
    case 'stop':
    case 'other':
    case 'error':
      if (context.hasToolCalls) return 'tool_use';
      if (context.hasRefusal) return 'refusal';
      return reason === 'stop' && context.stopSequence !== undefined ? 'stop_sequence' : 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool-calls':
      return 'tool_use';
    case 'content-filter':
    case 'refusal':
      return 'refusal';
    default:
      return assertNever(reason, 'finish reason');
  }
}
