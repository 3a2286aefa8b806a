/** Orders a conversation the way APIs with strict turn rules need it. */
import type { IrMessage } from './request.js';
import type { ConversionWarning } from './warnings.js';

/**
 * The messages, each with its index, with every instruction that sits between tool calls and
 * their results moved to just after the results: Anthropic wants the results in the turn right
 * after the calls, and Chat wants `tool` messages right after the assistant message.
 */
export function resultsRightAfterCalls(
  messages: readonly IrMessage[],
  warn: (warning: ConversionWarning) => void,
): Array<{ message: IrMessage; index: number }> {
  const ordered: Array<{ message: IrMessage; index: number }> = [];
  let held: Array<{ message: IrMessage; index: number }> = [];
  let afterCalls = false;
  messages.forEach((message, index) => {
    if (message.role === 'system' && afterCalls) {
      const next = messages.slice(index + 1).find((later) => later.role !== 'system');
      if (next?.role === 'tool') {
        warn({
          code: 'lossy',
          message: 'An instruction between tool calls and their results was sent after the results',
          path: `messages[${index}]`,
        });
        held.push({ message, index });
        return;
      }
    }
    ordered.push({ message, index });
    if (message.role === 'tool') {
      ordered.push(...held);
      held = [];
    }
    if (message.role !== 'system') {
      afterCalls =
        message.role === 'assistant' && message.content.some((part) => part.type === 'tool-call');
    }
  });
  ordered.push(...held);
  return ordered;
}
