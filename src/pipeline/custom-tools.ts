/**
 * Restores freeform (custom) tool calls for clients that declared them, when the upstream could
 * only take them as function tools wrapping the text in `{"input": "..."}` (Anthropic has no
 * freeform tools; its encoder wraps them so, with a `lossy` warning). The Codex CLI's
 * `apply_patch` on a Claude upstream is the case this exists for.
 */
import type { IrEvent } from '../ir/events.js';
import type { IrRequest } from '../ir/request.js';
import type { IrResponse } from '../ir/response.js';
import type { StreamStep } from '../streams/step.js';
import { isRecord, tryParseJson } from '../util/json.js';
import type { FormatRoute } from './plan.js';

/** Names of the custom tools the client declared. */
export function customToolNames(request: IrRequest): ReadonlySet<string> {
  return new Set(request.tools.filter((tool) => tool.kind === 'custom').map((tool) => tool.name));
}

/**
 * The custom tools to unwrap in an answer: only an Anthropic upstream serving another format
 * wrapped them (the other formats carry freeform tools as they are).
 */
export function wrappedCustomTools(
  route: FormatRoute,
  request: IrRequest | undefined,
): ReadonlySet<string> {
  return request && route.upstreamFormat === 'anthropic-messages' && !route.sameFormat
    ? customToolNames(request)
    : new Set<string>();
}

/** The freeform text inside `{"input": "..."}`, or the arguments as they are when not so wrapped. */
function unwrap(argumentsText: string): string {
  const parsed = tryParseJson(argumentsText);
  return isRecord(parsed) && typeof parsed.input === 'string' ? parsed.input : argumentsText;
}

/** The response with calls to the client's custom tools turned back into custom calls. */
export function unwrapCustomToolCalls(
  response: IrResponse,
  names: ReadonlySet<string>,
): IrResponse {
  if (names.size === 0) return response;
  return {
    ...response,
    content: response.content.map((part) =>
      part.type === 'tool-call' && part.kind === 'function' && names.has(part.name)
        ? { ...part, kind: 'custom', arguments: unwrap(part.arguments) }
        : part,
    ),
  };
}

/**
 * The same for a stream: calls to custom tools are announced at once as custom calls; their
 * argument pieces are held until the call ends (the wrapper can only be removed whole), then
 * sent as one piece. Every other event passes untouched.
 */
export function createCustomToolUnwrapStep(
  names: ReadonlySet<string>,
): StreamStep<IrEvent, IrEvent> {
  const held = new Map<number, string>();
  return {
    push(event) {
      switch (event.type) {
        case 'tool-call-start':
          if (event.kind !== 'function' || !names.has(event.name)) return [event];
          held.set(event.index, '');
          return [{ ...event, kind: 'custom' }];
        case 'tool-call-delta': {
          const buffer = held.get(event.index);
          if (buffer === undefined) return [event];
          held.set(event.index, buffer + event.delta);
          return [];
        }
        case 'tool-call-end': {
          const buffer = held.get(event.index);
          if (buffer === undefined) return [event];
          held.delete(event.index);
          const input = unwrap(buffer);
          return input === ''
            ? [event]
            : [{ type: 'tool-call-delta', index: event.index, delta: input }, event];
        }
        default:
          return [event];
      }
    },
    end: () => [],
  };
}
