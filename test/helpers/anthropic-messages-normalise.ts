/**
 * The normalisation an IR response undergoes through the Anthropic Messages format, used by the
 * format's round-trip properties to state exactly what the format cannot carry.
 */

import type { IrAssistantPart } from '../../src/ir/content.js';
import { statusForFinishReason } from '../../src/ir/finish.js';
import type { IrFinishReason, IrResponse } from '../../src/ir/response.js';

/**
 * What an IR response looks like after a trip through Anthropic, when it holds only what the
 * arbitraries generate. Each change is a limit of the format:
 * - refusal parts are text blocks (the refusal shows only as `stop_reason: "refusal"`);
 * - content-filter becomes `refusal`; stop/other become `tool_use` when the turn called tools;
 * - a reasoning part keeps either its native signature or its packed encrypted content + id,
 *   not both; one with neither keeps its text with an empty signature, or disappears if empty;
 * - URL citations gain `cited_text: ""` and an empty `encrypted_index` (required fields);
 * - usage always has both cache counters, and input never below the cached part.
 */
export function normaliseThroughAnthropic(response: IrResponse, stream: boolean): IrResponse {
  const content: IrAssistantPart[] = [];
  for (const part of response.content) {
    if (part.type === 'refusal') content.push({ type: 'text', text: part.text });
    else if (part.type === 'text' && part.annotations) {
      content.push({
        ...part,
        annotations: part.annotations.map((annotation) =>
          annotation.type === 'url-citation'
            ? {
                ...annotation,
                citedText: '',
                meta: { 'anthropic-messages': { extra: { encrypted_index: '' } } },
              }
            : annotation,
        ),
      });
    } else if (part.type === 'reasoning') {
      if (part.signature !== undefined)
        content.push({ type: 'reasoning', text: part.text, signature: part.signature });
      else if (part.encryptedContent !== undefined) {
        content.push({
          type: 'reasoning',
          text: part.text,
          encryptedContent: part.encryptedContent,
          ...(part.id ? { id: part.id } : {}),
        });
      } else if (part.text !== '')
        content.push({ type: 'reasoning', text: part.text, signature: '' });
    } else content.push(part);
  }
  const failed = response.status === 'failed';
  const finishReason = failed && stream ? 'error' : finishThroughAnthropic(response);
  const usage = response.usage;
  const input = Math.max(usage.inputTokens ?? 0, usage.cachedInputTokens ?? 0);
  return {
    id: response.id,
    model: response.model,
    content,
    finishReason,
    status: failed && stream ? 'failed' : statusForFinishReason(finishReason),
    usage: {
      inputTokens: input,
      outputTokens: usage.outputTokens ?? 0,
      cachedInputTokens: usage.cachedInputTokens ?? 0,
      cacheWriteInputTokens: 0,
      ...(usage.reasoningTokens !== undefined ? { reasoningTokens: usage.reasoningTokens } : {}),
    },
    ...(failed && stream && response.error
      ? { error: { ...response.error, upstreamType: 'api_error' } }
      : {}),
  };
}

/**
 * The finish reason after a trip through `stop_reason`, written out from the format's rules
 * rather than computed with its own encoder (which the round trip is there to check):
 * `max_tokens` and `tool_use` keep `length` and `tool-calls`; content-filter and refusal are
 * `refusal`; anything else is `end_turn`, unless the turn called tools (Anthropic clients run
 * tools only on `tool_use`) or holds a refusal part (shown only as `refusal`).
 */
function finishThroughAnthropic(response: IrResponse): IrFinishReason {
  switch (response.finishReason) {
    case 'length':
    case 'tool-calls':
      return response.finishReason;
    case 'content-filter':
    case 'refusal':
      return 'refusal';
    default:
      if (response.content.some((part) => part.type === 'tool-call')) return 'tool-calls';
      if (response.content.some((part) => part.type === 'refusal')) return 'refusal';
      return 'stop';
  }
}
