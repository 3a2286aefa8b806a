/**
 * Stateful Responses over stateless upstreams, as one pipeline step: before the request goes
 * upstream, `previous_response_id` and `item_reference` items are expanded from the Responses
 * store; after the answer, the Responses body or stream the client got is kept in the store.
 */

import { expandReferences } from '../responses-store/expand.js';
import type { ResponsesStore } from '../responses-store/store.js';
import type { SseMessage } from '../sse/message.js';
import { createSseParser } from '../sse/parse.js';
import { isRecord, type JsonObject, tryParseJson } from '../util/json.js';
import { type Answer, answerResponse, TextAnswer } from './answer.js';
import type { PipelineDeps, PipelineInput } from './context.js';

/** What the step decided for one request. */
export interface StatefulResponses {
  /** The request to proxy (its body expanded when it referred to stored responses). */
  input: PipelineInput;
  /** Keeps the answer the client gets (a no-op for what is not to be kept). */
  remember(answer: Answer): Promise<Answer>;
}

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const MISSING_HINT =
  'ccproxy keeps responses in memory for a limited time ([responses_store]); it may have expired, been deleted, or been served before a restart.';
const DISABLED_HINT =
  'The Responses store is off ([responses_store] enabled = false), so ids cannot be resolved; send the items themselves.';

const unchanged = async (answer: Answer) => answer;

/** The event type of a message, from its `event:` line or, without one, its data. */
function eventType(message: SseMessage): string | undefined {
  if (message.event !== undefined) return message.event;
  return /"type"\s*:\s*"([^"]+)"/.exec(message.data.slice(0, 200))?.[1];
}

/** A copy of `body` that shows each terminal event's `response` to `onFinal`, and waits for it. */
function tapFinalResponse(
  body: ReadableStream<Uint8Array>,
  onFinal: (response: JsonObject) => Promise<void>,
): ReadableStream<Uint8Array> {
  const parser = createSseParser();
  let final: JsonObject | undefined;
  const look = (messages: SseMessage[]) => {
    for (const message of messages) {
      const type = eventType(message);
      if (type === undefined || !TERMINAL_EVENTS.has(type)) continue;
      const event = tryParseJson(message.data);
      if (isRecord(event) && isRecord(event.response)) final = event.response;
    }
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        look(parser.push(chunk));
      },
      // Stored before the stream closes, so the client's next turn finds it.
      async flush() {
        look(parser.end());
        if (final) await onFinal(final);
      },
    }),
  );
}

/**
 * Expands the request's references (Responses clients only) and returns how to keep the answer.
 * Throws `ProxyError` (400 naming the id) for an id the store does not have.
 */
export async function startStatefulResponses(
  input: PipelineInput,
  deps: PipelineDeps,
): Promise<StatefulResponses> {
  if (input.clientFormat !== 'openai-responses' || !isRecord(input.body)) {
    return { input, remember: unchanged };
  }
  const store: ResponsesStore | undefined = deps.responsesStore;
  const expanded = await expandReferences(input.body, store, {
    upstreamResolves: input.provider.keepsResponses === true,
    missingHint: store ? MISSING_HINT : DISABLED_HINT,
  });
  const next = expanded.body === input.body ? input : { ...input, body: expanded.body };
  if (!store || !expanded.complete || input.body.store === false) {
    return { input: next, remember: unchanged };
  }

  const keep = async (response: JsonObject) => {
    if (typeof response.id !== 'string') return;
    try {
      await store.put({ response, input: expanded.input });
    } catch (error) {
      input.logger.warn({ err: error }, 'could not keep the response in the Responses store');
    }
  };
  return {
    input: next,
    async remember(answer) {
      if (answer.status !== 200) return answer;
      if (answer instanceof TextAnswer) {
        // A whole answer: kept from its text, and served as it is.
        if (!(answer.headers['content-type'] ?? '').includes('text/event-stream')) {
          const parsed = tryParseJson(answer.body);
          if (isRecord(parsed)) await keep(parsed);
          return answer;
        }
      }
      const response = answerResponse(answer);
      if (!response.body) return response;
      const type = response.headers.get('content-type') ?? '';
      if (type.includes('text/event-stream')) {
        return new Response(tapFinalResponse(response.body, keep), {
          status: response.status,
          headers: response.headers,
        });
      }
      const text = await response.text();
      const parsed = tryParseJson(text);
      if (isRecord(parsed)) await keep(parsed);
      return new Response(text, { status: response.status, headers: response.headers });
    },
  };
}
