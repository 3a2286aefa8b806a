/**
 * Small upstream SSE transcripts of each format that start an answer and then end in every way an
 * answer can end: finished, cut for length, failed (error or failure event), or broken off.
 */
import type { WireFormatId } from '../../src/ir/meta.js';

/** One SSE event (`event:` line when named). */
export function sseEvent(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

const RESPONSE = {
  id: 'resp_outcome',
  object: 'response',
  created_at: 1767268800,
  model: 'up-model',
  output: [],
  error: null,
  incomplete_details: null,
};

const MESSAGE_ITEM = { id: 'msg_outcome', type: 'message', role: 'assistant', content: [] };

/** The start of an answer, with `text` as its first content when given (else no content yet). */
export function streamHead(format: WireFormatId, text?: string): string {
  switch (format) {
    case 'openai-responses': {
      let out = sseEvent(
        {
          type: 'response.created',
          sequence_number: 0,
          response: { ...RESPONSE, status: 'in_progress' },
        },
        'response.created',
      );
      if (text === undefined) return out;
      out += sseEvent(
        {
          type: 'response.output_item.added',
          sequence_number: 1,
          output_index: 0,
          item: { ...MESSAGE_ITEM, status: 'in_progress' },
        },
        'response.output_item.added',
      );
      out += sseEvent(
        {
          type: 'response.content_part.added',
          sequence_number: 2,
          item_id: MESSAGE_ITEM.id,
          output_index: 0,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        },
        'response.content_part.added',
      );
      out += sseEvent(
        {
          type: 'response.output_text.delta',
          sequence_number: 3,
          item_id: MESSAGE_ITEM.id,
          output_index: 0,
          content_index: 0,
          delta: text,
        },
        'response.output_text.delta',
      );
      return out;
    }
    case 'openai-chat': {
      const chunk = (delta: Record<string, unknown>) => ({
        id: 'chatcmpl-outcome',
        object: 'chat.completion.chunk',
        created: 1767268800,
        model: 'up-model',
        choices: [{ index: 0, delta, finish_reason: null }],
      });
      let out = sseEvent(chunk({ role: 'assistant', content: '' }));
      if (text !== undefined) out += sseEvent(chunk({ content: text }));
      return out;
    }
    case 'anthropic-messages': {
      let out = sseEvent(
        {
          type: 'message_start',
          message: {
            id: 'msg_outcome',
            type: 'message',
            role: 'assistant',
            model: 'up-model',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 5, output_tokens: 1 },
          },
        },
        'message_start',
      );
      if (text === undefined) return out;
      out += sseEvent(
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        'content_block_start',
      );
      out += sseEvent(
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
        'content_block_delta',
      );
      return out;
    }
  }
}

/** The normal end of an answer started with text: finished (`stop`) or cut for `length`. */
export function streamEnd(format: WireFormatId, reason: 'stop' | 'length', text: string): string {
  switch (format) {
    case 'openai-responses': {
      const item = {
        ...MESSAGE_ITEM,
        status: reason === 'stop' ? 'completed' : 'incomplete',
        content: [{ type: 'output_text', text, annotations: [] }],
      };
      const response =
        reason === 'stop'
          ? { ...RESPONSE, status: 'completed', output: [item] }
          : {
              ...RESPONSE,
              status: 'incomplete',
              incomplete_details: { reason: 'max_output_tokens' },
              output: [item],
            };
      const type = reason === 'stop' ? 'response.completed' : 'response.incomplete';
      return sseEvent({ type, sequence_number: 4, response }, type);
    }
    case 'openai-chat':
      return (
        sseEvent({
          id: 'chatcmpl-outcome',
          object: 'chat.completion.chunk',
          created: 1767268800,
          model: 'up-model',
          choices: [{ index: 0, delta: {}, finish_reason: reason }],
        }) + sseEvent('[DONE]')
      );
    case 'anthropic-messages':
      return (
        sseEvent({ type: 'content_block_stop', index: 0 }, 'content_block_stop') +
        sseEvent(
          {
            type: 'message_delta',
            delta: { stop_reason: reason === 'stop' ? 'end_turn' : 'max_tokens' },
            usage: { output_tokens: 3 },
          },
          'message_delta',
        ) +
        sseEvent({ type: 'message_stop' }, 'message_stop')
      );
  }
}

/** The format's own failure event for an error of `type` (and OpenAI `code`) saying `message`. */
export function streamFailure(
  format: WireFormatId,
  error: { type: string; code?: string; message: string },
): string {
  switch (format) {
    case 'openai-responses':
      return sseEvent(
        {
          type: 'response.failed',
          sequence_number: 5,
          response: {
            ...RESPONSE,
            status: 'failed',
            error: { code: error.code ?? error.type, message: error.message },
          },
        },
        'response.failed',
      );
    case 'openai-chat':
      return sseEvent({
        error: { message: error.message, type: error.type, code: error.code ?? null, param: null },
      });
    case 'anthropic-messages':
      return sseEvent(
        { type: 'error', error: { type: error.type, message: error.message } },
        'error',
      );
  }
}

/** The Responses `error` event (the Codex backend's report of a failure before the terminal one). */
export function responsesErrorEvent(error: { code: string; message: string }): string {
  return sseEvent(
    { type: 'error', sequence_number: 1, code: error.code, message: error.message, param: null },
    'error',
  );
}
