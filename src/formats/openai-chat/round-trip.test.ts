/**
 * Property tests: any neutral response survives Chat streaming and the Chat body, modulo what
 * Chat cannot express. Each normalisation below is that limit, written out:
 * - one message per turn: text parts are joined, reasoning parts joined with a blank line,
 *   refusal parts joined; in a stream only adjacent parts of one kind merge (each block becomes
 *   a run of deltas), in a body they merge whatever sits between them;
 * - empty text, refusal and reasoning parts send no delta, so a stream loses them;
 * - reasoning signatures, encrypted reasoning and reasoning ids have no Chat field;
 * - a citation's missing indices become its part's span, a missing title `""`;
 * - finish reasons pass through Chat's five values (`refusal` and unknown ends are `stop`, a turn
 *   with tool calls that stopped normally is `tool_calls`, a refusal with `stop` reads back as
 *   `refusal`);
 * - usage always has prompt, completion and total counts; a body cannot carry an error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { responseArbitrary } from '../../../test/helpers/ir-arbitraries.js';
import { chatTestContext, withoutMeta } from '../../../test/helpers/openai-chat-fixtures.js';
import { accumulateEvents } from '../../ir/accumulate.js';
import { checkEvents } from '../../ir/check-events.js';
import type { IrAnnotation, IrAssistantPart } from '../../ir/content.js';
import { statusForFinishReason } from '../../ir/finish.js';
import type { IrFinishReason, IrResponse } from '../../ir/response.js';
import { responseToEvents } from '../../ir/response-to-events.js';
import type { IrUsage } from '../../ir/usage.js';
import { encodeSse } from '../../sse/encode.js';
import { parseSse } from '../../sse/parse.js';
import { runStep } from '../../streams/step.js';
import { decodeChatResponse } from './decode-response.js';
import { createChatStreamDecoder } from './decode-stream.js';
import { encodeChatResponse } from './encode-response.js';
import { createChatStreamEncoder } from './encode-stream.js';

const CREATED = chatTestContext().createdAt;

function chatUsage(usage: IrUsage): IrUsage {
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  return {
    inputTokens: input,
    outputTokens: output,
    ...(usage.cachedInputTokens !== undefined
      ? { cachedInputTokens: usage.cachedInputTokens }
      : {}),
    ...(usage.reasoningTokens !== undefined ? { reasoningTokens: usage.reasoningTokens } : {}),
    totalTokens: input + output,
  };
}

function chatFinish(reason: IrFinishReason, content: IrAssistantPart[]): IrFinishReason {
  const tools = content.some((part) => part.type === 'tool-call');
  const refusal = content.some((part) => part.type === 'refusal');
  if (reason === 'length') return 'length';
  if (reason === 'content-filter') return 'content-filter';
  if (reason === 'tool-calls' || tools) return 'tool-calls';
  return refusal ? 'refusal' : 'stop';
}

/** Citations of a part placed `offset` characters into the joined text. */
function shift(part: IrAssistantPart & { type: 'text' }, offset: number): IrAnnotation[] {
  return (part.annotations ?? []).map((annotation) =>
    annotation.type === 'url-citation'
      ? {
          type: 'url-citation',
          url: annotation.url,
          title: annotation.title ?? '',
          startIndex: offset + (annotation.startIndex ?? 0),
          endIndex: offset + (annotation.endIndex ?? part.text.length),
        }
      : annotation,
  );
}

/** Appends `part` to `parts`, merging it into the last part when both are text-like of one kind. */
function mergeInto(parts: IrAssistantPart[], part: IrAssistantPart, adjacentOnly: boolean): void {
  const last = adjacentOnly
    ? parts[parts.length - 1]
    : parts.find((candidate) => candidate.type === part.type && part.type !== 'tool-call');
  if (part.type === 'text' && last?.type === 'text') {
    const annotations = [...(last.annotations ?? []), ...shift(part, last.text.length)];
    last.text += part.text;
    if (annotations.length > 0) last.annotations = annotations;
    return;
  }
  if (part.type === 'refusal' && last?.type === 'refusal') {
    last.text += part.text;
    return;
  }
  if (part.type === 'reasoning' && last?.type === 'reasoning') {
    last.text = [last.text, part.text].filter((text) => text !== '').join('\n\n');
    return;
  }
  if (part.type === 'text') {
    const annotations = shift(part, 0);
    parts.push({
      type: 'text',
      text: part.text,
      ...(annotations.length > 0 ? { annotations } : {}),
    });
  } else if (part.type === 'reasoning') parts.push({ type: 'reasoning', text: part.text });
  else parts.push({ ...part });
}

/** What a Chat stream keeps of a response. */
function normaliseForStream(response: IrResponse): IrResponse {
  const content: IrAssistantPart[] = [];
  for (const part of response.content) {
    const empty =
      (part.type === 'text' && part.text === '' && (part.annotations ?? []).length === 0) ||
      ((part.type === 'refusal' || part.type === 'reasoning') && part.text === '');
    if (!empty) mergeInto(content, part, true);
  }
  const base = { id: response.id, model: response.model, createdAt: CREATED, content };
  if (response.status === 'failed') {
    return {
      ...base,
      finishReason: 'error',
      status: 'failed',
      usage: {},
      error: {
        code: 'upstream_error',
        message: 'Upstream failed',
        upstreamType: 'server_error',
        upstreamCode: 'upstream_error',
      },
    };
  }
  const finishReason = chatFinish(response.finishReason, content);
  return {
    ...base,
    finishReason,
    status: statusForFinishReason(finishReason),
    usage: chatUsage(response.usage),
  };
}

/** What a Chat body keeps of a response: one reasoning, text and refusal each, then the calls. */
function normaliseForBody(response: IrResponse): IrResponse {
  const merged: IrAssistantPart[] = [];
  for (const part of response.content) mergeInto(merged, part, false);
  const order = ['reasoning', 'text', 'refusal', 'tool-call'];
  const content = order.flatMap((type) => merged.filter((part) => part.type === type));
  if (!content.some((part) => part.type !== 'reasoning')) {
    content.push({ type: 'text', text: '' });
  }
  const finishReason = chatFinish(response.finishReason, content);
  return {
    id: response.id,
    model: response.model,
    createdAt: CREATED,
    content,
    finishReason,
    status: statusForFinishReason(finishReason),
    usage: chatUsage(response.usage),
  };
}

describe('IR responses through Chat', () => {
  it('stream: responseToEvents → Chat SSE → decoder → accumulator', () => {
    fc.assert(
      fc.property(responseArbitrary, (response) => {
        const context = chatTestContext({ includeUsage: true });
        const text = encodeSse(
          runStep(createChatStreamEncoder(context), responseToEvents(response)),
        );
        const events = runStep(createChatStreamDecoder(), parseSse(text));
        expect(checkEvents(events)).toEqual([]);
        expect(accumulateEvents(events)).toEqual(normaliseForStream(response));
      }),
      { numRuns: 300 },
    );
  });

  it('body: encodeResponse → JSON → decodeResponse', () => {
    fc.assert(
      fc.property(responseArbitrary, (response) => {
        const body = encodeChatResponse(response, chatTestContext()).value;
        const decoded = decodeChatResponse(JSON.parse(JSON.stringify(body))).value;
        expect(withoutMeta(decoded)).toEqual(normaliseForBody(response));
      }),
      { numRuns: 300 },
    );
  });
});
