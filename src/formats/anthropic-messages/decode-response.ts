/**
 * Decodes a non-streaming Anthropic Message (an upstream answer) into a neutral response.
 *
 * @see https://docs.claude.com/en/api/messages#response
 */
import type { IrAssistantPart } from '../../ir/content.js';
import { statusForFinishReason } from '../../ir/finish.js';
import type { IrResponse } from '../../ir/response.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { isRecord } from '../../util/json.js';
import { decodeAssistantBlock } from './decode-assistant-block.js';
import { decodeEnvelope } from './envelope.js';
import { metaField } from './meta.js';
import { narrowMessage } from './narrow.js';

/**
 * Decodes a Message leniently: missing fields get neutral defaults, unknown blocks become
 * opaque parts, unknown fields (`stop_details`, `container`, ...) ride in
 * `meta['anthropic-messages'].extra`, and the raw `stop_reason` in `.stopReason`.
 */
export function decodeAnthropicResponse(body: unknown): Converted<IrResponse> {
  const warnings: ConversionWarning[] = [];
  const message = isRecord(body) ? body : {};
  if (!isRecord(body)) {
    warnings.push({ code: 'unexpected', message: 'Anthropic response body is not an object' });
  }
  const content: IrAssistantPart[] = [];
  (narrowMessage(message)?.content ?? []).forEach((block, index) => {
    if (isRecord(block)) content.push(decodeAssistantBlock(block));
    else {
      warnings.push({
        code: 'unexpected',
        message: 'Skipped a content block that is not an object',
        path: `content[${index}]`,
      });
    }
  });
  const envelope = decodeEnvelope(message);
  return {
    value: {
      id: envelope.id,
      model: envelope.model,
      content,
      finishReason: envelope.finishReason,
      ...(envelope.stopSequence !== undefined ? { stopSequence: envelope.stopSequence } : {}),
      status: statusForFinishReason(envelope.finishReason),
      usage: envelope.usage,
      ...metaField(envelope.meta),
    },
    warnings,
  };
}
