/**
 * SSE messages as the parser dispatches them at the end of input, without their blank line
 * (`isUnterminated` is true for them): the way tests force a pass-through's full path.
 */
import type { SseMessage } from '../../src/sse/message.js';
import { isUnterminated, parseSse } from '../../src/sse/parse.js';

/** The same message, dispatched by a real parser from a stream that ends without a blank line. */
export function unterminated(message: SseMessage): SseMessage {
  const lines: string[] = [];
  if (message.event !== undefined) lines.push(`event: ${message.event}`);
  if (message.id !== undefined) lines.push(`id: ${message.id}`);
  for (const line of message.data.split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
  const parsed = parseSse(lines.join('\n'));
  const copy = parsed[0];
  if (parsed.length !== 1 || copy === undefined || !isUnterminated(copy)) {
    throw new Error(`not one unterminated message: ${JSON.stringify(message)}`);
  }
  return copy;
}

/** A message with its JSON data parsed (when it parses), to compare texts that differ in form only. */
export function normalised(message: SseMessage): unknown {
  try {
    return { ...message, data: JSON.parse(message.data) as unknown };
  } catch {
    return message;
  }
}
