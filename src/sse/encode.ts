/** SSE encoding: messages to the exact text written on the wire. */
import type { StreamStep } from '../streams/step.js';
import { type SseMessage, wireBytesOf } from './message.js';

/**
 * Serialises one message: `event:`, `id:`, `retry:` lines, one `data:` line per line of data,
 * then the blank line. A comment message becomes `: comment`; a raw run is its own text.
 */
export function encodeSseMessage(message: SseMessage): string {
  if (message.raw !== undefined) return message.raw;
  if (message.comment !== undefined) return `: ${message.comment}\n\n`;
  let text = '';
  if (message.event !== undefined) text += `event: ${message.event}\n`;
  if (message.id !== undefined) text += `id: ${message.id}\n`;
  if (message.retry !== undefined) text += `retry: ${message.retry}\n`;
  const data = message.data;
  if (data.indexOf('\n') === -1 && data.indexOf('\r') === -1) {
    text += `data: ${data}\n\n`;
    return text;
  }
  for (const line of data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/**
 * A message of one event whose data is a single line (JSON text, which has no raw line breaks),
 * built as its wire text (`SseMessage.raw`): what `encodeSseMessage({ event, data })` writes,
 * without the serialiser looking through `data` for line breaks again. For the events of nearly
 * every chunk of a converted stream (a text delta): the serialiser's scans and the message's
 * fields cost a tenth of the converted Messages stream's CPU (issue 13).
 */
export function oneLineEvent(event: string, data: string): SseMessage {
  return { data: '', raw: `event: ${event}\ndata: ${data}\n\n` };
}

/** `oneLineEvent` for a message of data alone (no `event:` line: a Chat chunk). */
export function oneLineData(data: string): SseMessage {
  return { data: '', raw: `data: ${data}\n\n` };
}

/**
 * A step that serialises messages to text (the byte encoding happens once, at the socket), or to
 * the upstream's own bytes for a run or an event that has them (`SseMessage.rawBytes`,
 * `wireBytesOf`).
 */
export function createSseSerializer(): StreamStep<SseMessage, string | Uint8Array> {
  return {
    push: (message) => [
      message.rawBytes ??
        (message.raw === undefined ? wireBytesOf(message) : undefined) ??
        encodeSseMessage(message),
    ],
    end: () => [],
  };
}

/** Serialises a list of messages into one SSE text. */
export function encodeSse(messages: Iterable<SseMessage>): string {
  let text = '';
  for (const message of messages) text += encodeSseMessage(message);
  return text;
}
