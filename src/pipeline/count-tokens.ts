/** A token estimate for `count_tokens` routes whose upstream has no counting endpoint. */
import type { IrRequest } from '../ir/request.js';

/**
 * Estimates input tokens at about four characters per token over the system prompt, the
 * messages and the tool definitions (images count a flat 1,000). Never 0 for a non-empty request.
 */
export function estimateRequestTokens(request: IrRequest): number {
  let characters = 0;
  let images = 0;
  for (const part of request.system) characters += part.text.length;
  for (const message of request.messages) {
    for (const part of message.content) {
      if (part.type === 'image') images++;
      else characters += JSON.stringify(part).length;
    }
  }
  for (const tool of request.tools) characters += JSON.stringify(tool).length;
  const tokens = Math.ceil(characters / 4) + images * 1000;
  return request.messages.length > 0 || request.system.length > 0 ? Math.max(1, tokens) : tokens;
}
