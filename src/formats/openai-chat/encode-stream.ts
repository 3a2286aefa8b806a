/**
 * Encodes neutral events as a Chat Completions SSE stream that the openai SDK's
 * `chat.completions.stream()` accepts: `data:` lines only, one id, `created` and model on every
 * chunk, always a `finish_reason`, then the optional usage chunk and `[DONE]`.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
import type { IrAnnotation } from '../../ir/content.js';
import type { IrEvent } from '../../ir/events.js';
import type { IrMeta } from '../../ir/meta.js';
import type { IrError, IrFinishReason } from '../../ir/response.js';
import { type IrUsage, mergeUsage } from '../../ir/usage.js';
import type { SseMessage } from '../../sse/message.js';
import type { StreamStep } from '../../streams/step.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord } from '../../util/json.js';
import type { EncodeContext } from '../format.js';
import { encodeOpenAIErrorObject } from '../openai-error.js';
import { encodeAnnotation } from './annotations.js';
import { decodeFinishReason, encodeFinishReason } from './finish-reason.js';
import { readChatMeta } from './meta.js';
import {
  packReasoning,
  REASONING_OPAQUE_FIELD,
  type ReasoningEntry,
  reasoningEntry,
} from './reasoning-opaque.js';
import { encodeUsage } from './usage.js';

const DONE: SseMessage = { data: '[DONE]' };

/** A tool-call block as the client sees it. */
interface ToolBlock {
  wireIndex: number;
  kind: 'function' | 'custom';
  legacy: boolean;
  /** A custom call whose `{"input": "` wrapper is open (its closing `"}` not yet sent). */
  wrapOpen?: boolean;
}

/** The start of the function arguments that carry a custom call's raw text. */
const CUSTOM_WRAP_START = '{"input":"';
/** Their end. */
const CUSTOM_WRAP_END = '"}';

/** Whether the client asked for the usage chunk (`stream_options.include_usage`). */
function wantsUsage(context: EncodeContext): boolean {
  const options = readChatMeta(context.request?.meta).streamOptions;
  return isRecord(options) && options.include_usage === true;
}

/**
 * Creates an encoder. Each tool-call block gets a dense wire `index` (0, 1, ... in block order)
 * and a first delta with `id`, `type` and the name with empty arguments. Reasoning goes out as
 * the non-standard `reasoning_content` (adjacent blocks separated by a blank line), refusals as
 * `refusal`, citations in an `annotations` delta when their text block ends (the whole list so
 * far, since the SDK replaces it). Reasoning signatures and encrypted reasoning go out packed in
 * one non-standard `reasoning_opaque` delta before the end; opaque blocks are dropped with a
 * warning. The turn ends with `tool_calls` when it holds tool calls and stopped normally. An
 * `error` event becomes an `{"error": {...}}` chunk, which the SDK throws as an `APIError`, then
 * `[DONE]`. `end()` finishes a stream that stopped without an end event.
 */
export function createChatStreamEncoder(context: EncodeContext): StreamStep<IrEvent, SseMessage> {
  const includeUsage = wantsUsage(context);
  const usageNull = includeUsage ? ',"usage":null' : '';
  let prefix = '';
  let finished = false;
  let usage: IrUsage = {};
  const tools = new Map<number, ToolBlock>();
  let nextTool = 0;
  let hasToolCalls = false;
  /** Reasoning text per open block, and every ended block, for `reasoning_opaque`. */
  const reasoningText = new Map<number, string>();
  const reasoningEntries: ReasoningEntry[] = [];
  /** The kind of the last piece written, so adjacent reasoning blocks get a blank line between. */
  let lastWritten: 'text' | 'refusal' | 'reasoning' | 'tool' | undefined;
  let separateReasoning = false;
  let contentLength = 0;
  const textBlocks = new Map<
    number,
    { offset: number; length: number; annotations: IrAnnotation[] }
  >();
  /** Every citation sent so far: each `annotations` delta repeats the whole list. */
  const sentAnnotations: unknown[] = [];

  function chunk(delta: string, finishReason = 'null'): SseMessage {
    return {
      data: `${prefix},"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finishReason}}]${usageNull}}`,
    };
  }

  function start(
    out: SseMessage[],
    id?: string,
    model?: string,
    createdAt?: number,
    meta?: IrMeta,
  ) {
    if (prefix !== '') return;
    const chatId = id !== undefined && id !== '' ? id : context.createId('chatcmpl-');
    prefix = `{"id":${JSON.stringify(chatId)},"object":"chat.completion.chunk","created":${createdAt ?? context.createdAt},"model":${JSON.stringify(context.model ?? model ?? '')}`;
    const extra = readChatMeta(meta).extra;
    if (isRecord(extra)) {
      for (const key of ['service_tier', 'system_fingerprint']) {
        if (key in extra) prefix += `,"${key}":${JSON.stringify(extra[key] ?? null)}`;
      }
    }
    out.push(chunk('{"role":"assistant","content":""}'));
  }

  function warn(message: string): void {
    context.onWarning?.({ code: 'dropped', message });
  }

  function toolBlock(out: SseMessage[], index: number): ToolBlock {
    const known = tools.get(index);
    if (known !== undefined) return known;
    // A delta without its start (a broken upstream): open the call so its arguments survive.
    return openTool(out, index, context.createId('call_'), '', 'function', false);
  }

  function openTool(
    out: SseMessage[],
    index: number,
    callId: string,
    name: string,
    kind: 'function' | 'custom',
    legacy: boolean,
  ): ToolBlock {
    const block: ToolBlock = { wireIndex: nextTool++, kind, legacy };
    tools.set(index, block);
    hasToolCalls = true;
    lastWritten = 'tool';
    const id = JSON.stringify(callId !== '' ? callId : context.createId('call_'));
    if (legacy) {
      out.push(chunk(`{"function_call":{"name":${JSON.stringify(name)},"arguments":""}}`));
    } else if (kind === 'custom') {
      // Chat stream chunks define only function calls (the openai SDK's stream helper throws
      // "missing choices[0].tool_calls[0].function.name" on a custom delta), so a custom call
      // goes out as a function call of the same name with arguments {"input": "<raw text>"}.
      block.wrapOpen = true;
      out.push(
        chunk(
          `{"tool_calls":[{"index":${block.wireIndex},"id":${id},"type":"function","function":{"name":${JSON.stringify(name)},"arguments":${JSON.stringify(CUSTOM_WRAP_START)}}}]}`,
        ),
      );
    } else {
      out.push(
        chunk(
          `{"tool_calls":[{"index":${block.wireIndex},"id":${id},"type":"function","function":{"name":${JSON.stringify(name)},"arguments":""}}]}`,
        ),
      );
    }
    return block;
  }

  function toolDelta(block: ToolBlock, delta: string): SseMessage {
    const text = JSON.stringify(delta);
    if (block.legacy) return chunk(`{"function_call":{"arguments":${text}}}`);
    // Inside the wrapper the raw text is a JSON string's content: escaped piece by piece.
    const piece = block.kind === 'custom' ? JSON.stringify(text.slice(1, -1)) : text;
    return chunk(`{"tool_calls":[{"index":${block.wireIndex},"function":{"arguments":${piece}}}]}`);
  }

  /** Closes the wrapper of custom calls still open (at their end, or at the turn's end). */
  function closeWrap(out: SseMessage[], block: ToolBlock | undefined): void {
    if (block?.wrapOpen !== true) return;
    block.wrapOpen = false;
    out.push(
      chunk(
        `{"tool_calls":[{"index":${block.wireIndex},"function":{"arguments":${JSON.stringify(CUSTOM_WRAP_END)}}}]}`,
      ),
    );
  }

  /** Sends a closed text block's citations, with indices into the whole content. */
  function flushAnnotations(out: SseMessage[], index: number): void {
    const block = textBlocks.get(index);
    if (block === undefined || block.annotations.length === 0) return;
    let added = false;
    for (const annotation of block.annotations) {
      const value = encodeAnnotation(annotation, block.offset, block.length);
      if (value === undefined) warn('A citation of another format was left out');
      else {
        sentAnnotations.push(value);
        added = true;
      }
    }
    block.annotations = [];
    if (!added) return;
    // Readers attach citations to the text being written, so they count as text.
    lastWritten = 'text';
    out.push(chunk(`{"annotations":${JSON.stringify(sentAnnotations)}}`));
  }

  function finish(out: SseMessage[], reason: IrFinishReason, meta?: IrMeta): void {
    finished = true;
    for (const block of tools.values()) closeWrap(out, block);
    for (const index of textBlocks.keys()) flushAnnotations(out, index);
    const packed = packReasoning(reasoningEntries);
    if (packed !== undefined) {
      out.push(chunk(`{"${REASONING_OPAQUE_FIELD}":${JSON.stringify(packed)}}`));
    }
    const raw = readChatMeta(meta).finishReason;
    const wire =
      typeof raw === 'string' && decodeFinishReason(raw) === reason
        ? raw
        : encodeFinishReason(reason, hasToolCalls);
    out.push(chunk('{}', JSON.stringify(wire)));
    if (includeUsage) {
      out.push({ data: `${prefix},"choices":[],"usage":${JSON.stringify(encodeUsage(usage))}}` });
    }
    out.push(DONE);
  }

  function fail(out: SseMessage[], error: IrError): void {
    finished = true;
    out.push({ data: JSON.stringify({ error: encodeOpenAIErrorObject(error) }) });
    out.push(DONE);
  }

  function onEvent(event: IrEvent, out: SseMessage[]): void {
    switch (event.type) {
      case 'message-start':
        start(out, event.id, event.model, event.createdAt, event.meta);
        return;
      case 'text-start':
        start(out);
        textBlocks.set(event.index, { offset: contentLength, length: 0, annotations: [] });
        return;
      case 'text-delta': {
        start(out);
        if (event.delta === '') return;
        const block = textBlocks.get(event.index);
        if (block !== undefined) block.length += event.delta.length;
        contentLength += event.delta.length;
        lastWritten = 'text';
        out.push(chunk(`{"content":${JSON.stringify(event.delta)}}`));
        return;
      }
      case 'text-annotation':
        textBlocks.get(event.index)?.annotations.push(event.annotation);
        return;
      case 'text-end':
        flushAnnotations(out, event.index);
        return;
      case 'refusal-delta':
        start(out);
        if (event.delta === '') return;
        lastWritten = 'refusal';
        out.push(chunk(`{"refusal":${JSON.stringify(event.delta)}}`));
        return;
      case 'reasoning-start':
        separateReasoning = lastWritten === 'reasoning';
        return;
      case 'reasoning-delta': {
        start(out);
        if (event.delta === '') return;
        reasoningText.set(event.index, (reasoningText.get(event.index) ?? '') + event.delta);
        const text = separateReasoning ? `\n\n${event.delta}` : event.delta;
        separateReasoning = false;
        lastWritten = 'reasoning';
        out.push(chunk(`{"reasoning_content":${JSON.stringify(text)}}`));
        return;
      }
      case 'reasoning-end':
        reasoningEntries.push(
          reasoningEntry({ ...event, text: reasoningText.get(event.index) ?? '' }),
        );
        reasoningText.delete(event.index);
        return;
      case 'tool-call-start':
        start(out);
        openTool(
          out,
          event.index,
          event.callId,
          event.name,
          event.kind,
          readChatMeta(event.meta).legacy === true,
        );
        return;
      case 'tool-call-delta':
        start(out);
        if (event.delta !== '') out.push(toolDelta(toolBlock(out, event.index), event.delta));
        return;
      case 'opaque':
        warn(`A "${event.format}" block cannot be expressed in a Chat stream`);
        return;
      case 'usage':
        usage = mergeUsage(usage, event.usage);
        return;
      case 'message-end':
        start(out);
        finish(out, event.finishReason, event.meta);
        return;
      case 'error':
        fail(out, event.error);
        return;
      case 'tool-call-end':
        closeWrap(out, tools.get(event.index));
        return;
      case 'refusal-start':
      case 'refusal-end':
        return;
      default:
        assertNever(event, 'IR event');
    }
  }

  return {
    push(event) {
      if (finished) return [];
      const out: SseMessage[] = [];
      onEvent(event, out);
      return out;
    },
    end() {
      if (finished) return [];
      const out: SseMessage[] = [];
      start(out);
      finish(out, 'other');
      return out;
    },
  };
}
