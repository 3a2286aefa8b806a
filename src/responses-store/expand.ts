/**
 * Expands what a Responses request refers to (`previous_response_id`, `item_reference` items)
 * into the items themselves, so that an upstream that keeps nothing (the Codex backend requires
 * `store: false`) or speaks another format still sees the whole conversation.
 */
import { ProxyError } from '../errors.js';
import { isRecord, type JsonObject } from '../util/json.js';
import type { ResponsesStore } from './store.js';

/** The request after expansion. */
export interface ExpandedRequest {
  /** The body to send on (the client's own when nothing referred to the store). */
  body: JsonObject;
  /** The input items the model sees, in order (what a later `previous_response_id` continues). */
  input: JsonObject[];
  /**
   * False when an id was left for the upstream to resolve: `input` is then not all the model
   * sees, and the answer is not kept (a later reference to it goes to the upstream too).
   */
  complete: boolean;
}

/** Options of `expandReferences`. */
export interface ExpandOptions {
  /**
   * The upstream keeps responses itself: an id the store does not know is left in the body for
   * the upstream to judge, instead of a 400.
   */
  upstreamResolves?: boolean;
  /** Why an id may be missing, appended to the 400 message. */
  missingHint?: string;
}

/** True for an item that only points at another (`type: "item_reference"`, or a bare `{id}`). */
export function isItemReference(item: unknown): item is JsonObject & { id: string } {
  if (!isRecord(item) || typeof item.id !== 'string') return false;
  if (item.type === 'item_reference') return true;
  return item.type === undefined && Object.keys(item).every((key) => key === 'id');
}

function inputItems(input: unknown): JsonObject[] {
  if (typeof input === 'string') {
    return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  }
  return Array.isArray(input) ? (input as JsonObject[]) : [];
}

function notFound(message: string, param: string, hint: string | undefined): ProxyError {
  return new ProxyError('invalid_request', hint ? `${message} ${hint}` : message, { param });
}

/**
 * Replaces each `item_reference` by the stored item and puts the previous response's input and
 * output before the new input; `previous_response_id` is removed once expanded. An id the store
 * does not have is a 400 naming it (`input[3].id`, `previous_response_id`), unless the upstream
 * resolves ids itself. `store` may be `undefined` (the store is off): every id is then unknown.
 */
export async function expandReferences(
  body: JsonObject,
  store: ResponsesStore | undefined,
  options: ExpandOptions = {},
): Promise<ExpandedRequest> {
  const own = inputItems(body.input);
  const previousId = body.previous_response_id;
  const hasPrevious = typeof previousId === 'string' && previousId !== '';
  if (!hasPrevious && !own.some(isItemReference)) return { body, input: own, complete: true };

  const expanded: JsonObject[] = [];
  let kept = false;
  for (const [index, item] of own.entries()) {
    if (!isItemReference(item)) {
      expanded.push(item);
      continue;
    }
    const stored = await store?.getItem(item.id);
    if (stored) {
      expanded.push(structuredClone(stored));
    } else if (options.upstreamResolves) {
      expanded.push(item);
      kept = true;
    } else {
      throw notFound(
        `Item with id '${item.id}' not found.`,
        `input[${index}].id`,
        options.missingHint,
      );
    }
  }

  const next: JsonObject = { ...body };
  let history: JsonObject[] = [];
  if (hasPrevious) {
    const previous = await store?.get(previousId);
    if (previous) {
      const output = Array.isArray(previous.response.output)
        ? (previous.response.output.filter(isRecord) as JsonObject[])
        : [];
      history = structuredClone([...previous.input, ...output]);
      delete next.previous_response_id;
    } else if (options.upstreamResolves) {
      kept = true;
    } else {
      throw notFound(
        `Previous response with id '${previousId}' not found.`,
        'previous_response_id',
        options.missingHint,
      );
    }
  }
  const input = [...history, ...expanded];
  next.input = input;
  return { body: next, input, complete: !kept };
}
