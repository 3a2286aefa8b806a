/**
 * Maps finish reasons between the Responses `status` / `incomplete_details` pair and the IR.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-incomplete_details
 */
import type { IrFinishReason, IrStatus } from '../../ir/response.js';
import type { ConversionWarning } from '../../ir/warnings.js';

/** What a response's `status` and `incomplete_details.reason` say about why it ended. */
export interface ResponsesEnding {
  /** The wire `status` (`completed`, `incomplete`, `failed`, `cancelled`, ...). */
  status: string | undefined;
  /** `incomplete_details.reason`, when the response is incomplete. */
  incompleteReason?: string;
  /** Whether the output holds a `function_call` or `custom_tool_call` item. */
  hasToolCalls: boolean;
}

/**
 * The IR finish reason of a finished response. Responses has none: a completed response that
 * holds function or custom tool calls ended in tool calls, an incomplete one says why.
 */
export function decodeFinishReason(ending: ResponsesEnding): IrFinishReason {
  switch (ending.status) {
    case 'failed':
      return 'error';
    case 'incomplete':
      if (ending.incompleteReason === 'max_output_tokens') return 'length';
      if (ending.incompleteReason === 'content_filter') return 'content-filter';
      return 'other';
    case 'cancelled':
      return 'other';
    default:
      return ending.hasToolCalls ? 'tool-calls' : 'stop';
  }
}

/** The IR status of a wire status (`in_progress`, `queued` and `cancelled` are not whole). */
export function decodeStatus(status: string | undefined): IrStatus {
  if (status === 'failed') return 'failed';
  if (status === 'completed' || status === undefined) return 'completed';
  return 'incomplete';
}

/**
 * What a Responses body cannot say about an IR ending: the stop sequence that ended it, and a
 * `refusal` finish reason (Responses shows refusals as content; the response is completed).
 */
export function endingLosses(
  finishReason: IrFinishReason,
  stopSequence: string | undefined,
): ConversionWarning[] {
  const warnings: ConversionWarning[] = [];
  if (stopSequence !== undefined) {
    warnings.push({
      code: 'dropped',
      message: 'Responses cannot report the stop sequence that ended the output',
      path: 'stopSequence',
    });
  }
  if (finishReason === 'refusal') {
    warnings.push({
      code: 'lossy',
      message: 'A refusal finish reason is reported as a completed response',
      path: 'finishReason',
    });
  }
  return warnings;
}

/** The wire `status` and `incomplete_details` for an IR ending. */
export function encodeFinishReason(
  finishReason: IrFinishReason,
  status: IrStatus,
): {
  status: 'completed' | 'incomplete' | 'failed';
  incomplete_details: { reason: string } | null;
} {
  if (status === 'failed' || finishReason === 'error') {
    return { status: 'failed', incomplete_details: null };
  }
  if (finishReason === 'length') {
    return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  }
  if (finishReason === 'content-filter') {
    return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  }
  return { status, incomplete_details: null };
}
