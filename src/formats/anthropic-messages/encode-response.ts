/**
 * Encodes a neutral response as the non-streaming Anthropic Message a client expects.
 *
 * @see https://docs.claude.com/en/api/messages#response
 */
import type { IrResponse } from '../../ir/response.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import type { EncodeContext, WireBody } from '../format.js';
import { encodeAssistantPart } from './encode-assistant-part.js';
import { encodeStopReason } from './finish-reason.js';
import { ownExtra, ownMeta } from './meta.js';
import { encodeUsage } from './usage.js';

/**
 * Encodes a response. Refusal parts become text blocks with `stop_reason: "refusal"`; reasoning
 * without a native signature gets a packed one (see `signatureForClient`); other formats'
 * opaque parts are dropped with a warning. The id is the response's, or a fresh `msg_` id.
 */
export function encodeAnthropicResponse(
  response: IrResponse,
  context: EncodeContext,
): Converted<WireBody> {
  const warnings: ConversionWarning[] = [];
  const warn = (warning: ConversionWarning): void => {
    warnings.push(warning);
  };
  const content: JsonObject[] = [];
  response.content.forEach((part, index) => {
    const block = encodeAssistantPart(part, {
      target: 'response',
      warn,
      path: `content[${index}]`,
      toolId: (callId) => (callId === '' ? context.createId('toolu_') : callId),
    });
    if (block !== undefined) content.push(block);
  });
  const meta = ownMeta(response.meta);
  const stopReason =
    meta !== undefined && 'stopReason' in meta
      ? meta.stopReason
      : encodeStopReason(response.finishReason, {
          hasToolCalls: response.content.some((part) => part.type === 'tool-call'),
          hasRefusal: response.content.some((part) => part.type === 'refusal'),
          stopSequence: response.stopSequence,
        });
  const usageExtras = isRecord(meta?.usage) ? meta.usage : undefined;
  return {
    value: {
      id: response.id === '' ? context.createId('msg_') : response.id,
      type: 'message',
      role: 'assistant',
      model: context.model ?? response.model,
      content,
      stop_reason: stopReason,
      stop_sequence: response.stopSequence ?? null,
      usage: encodeUsage(response.usage, usageExtras),
      ...ownExtra(response.meta),
    },
    warnings,
  };
}
