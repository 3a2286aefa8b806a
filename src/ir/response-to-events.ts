/** The inverse of accumulation: a neutral response as the neutral events that rebuild it. */
import { assertNever } from '../util/assert-never.js';
import type { IrAssistantPart } from './content.js';
import type { IrEvent } from './events.js';
import type { IrResponse } from './response.js';

function partToEvents(part: IrAssistantPart, index: number): IrEvent[] {
  switch (part.type) {
    case 'text': {
      const events: IrEvent[] = [
        { type: 'text-start', index, ...(part.meta ? { meta: part.meta } : {}) },
      ];
      if (part.text !== '') events.push({ type: 'text-delta', index, delta: part.text });
      for (const annotation of part.annotations ?? []) {
        events.push({ type: 'text-annotation', index, annotation });
      }
      events.push({ type: 'text-end', index });
      return events;
    }
    case 'refusal': {
      const events: IrEvent[] = [
        { type: 'refusal-start', index, ...(part.meta ? { meta: part.meta } : {}) },
      ];
      if (part.text !== '') events.push({ type: 'refusal-delta', index, delta: part.text });
      events.push({ type: 'refusal-end', index });
      return events;
    }
    case 'reasoning': {
      const events: IrEvent[] = [
        {
          type: 'reasoning-start',
          index,
          ...(part.id !== undefined ? { id: part.id } : {}),
          ...(part.meta ? { meta: part.meta } : {}),
        },
      ];
      if (part.text !== '') events.push({ type: 'reasoning-delta', index, delta: part.text });
      events.push({
        type: 'reasoning-end',
        index,
        ...(part.signature !== undefined ? { signature: part.signature } : {}),
        ...(part.redactedData !== undefined ? { redactedData: part.redactedData } : {}),
        ...(part.encryptedContent !== undefined ? { encryptedContent: part.encryptedContent } : {}),
      });
      return events;
    }
    case 'tool-call': {
      const events: IrEvent[] = [
        {
          type: 'tool-call-start',
          index,
          callId: part.callId,
          name: part.name,
          kind: part.kind,
          ...(part.meta ? { meta: part.meta } : {}),
        },
      ];
      if (part.arguments !== '') {
        events.push({ type: 'tool-call-delta', index, delta: part.arguments });
      }
      events.push({ type: 'tool-call-end', index });
      return events;
    }
    case 'opaque':
      return [{ type: 'opaque', index, format: part.format, value: part.value }];
    default:
      return assertNever(part, 'assistant part');
  }
}

/**
 * The events that rebuild `response` (one delta per block). `createIrAccumulator` over them
 * gives back an equal response: that is the property the tests hold it to.
 */
export function responseToEvents(response: IrResponse): IrEvent[] {
  const events: IrEvent[] = [
    {
      type: 'message-start',
      id: response.id,
      model: response.model,
      ...(response.createdAt !== undefined ? { createdAt: response.createdAt } : {}),
      ...(response.meta ? { meta: response.meta } : {}),
    },
  ];
  response.content.forEach((part, index) => {
    events.push(...partToEvents(part, index));
  });
  events.push({ type: 'usage', usage: response.usage });
  if (response.status === 'failed' && response.error) {
    events.push({ type: 'error', error: response.error });
    return events;
  }
  events.push({
    type: 'message-end',
    finishReason: response.finishReason,
    status: response.status,
    ...(response.stopSequence !== undefined ? { stopSequence: response.stopSequence } : {}),
  });
  return events;
}
