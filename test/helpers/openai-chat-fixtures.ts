/** The Chat Completions transcripts and a deterministic encode context, for the openai-chat tests. */
import type { EncodeContext } from '../../src/formats/format.js';
import type { IrRequest } from '../../src/ir/request.js';
import type { ConversionWarning } from '../../src/ir/warnings.js';
import { loadFixtureBytes, loadFixtureJson } from './fixtures.js';

/** One transcript: `<name>.sse` and the body a correct accumulator builds from it. */
export interface ChatScenario {
  name: string;
  /** Whether the stream reached its end (a finish_reason or `[DONE]`). */
  complete: boolean;
  /** The error message the stream ends with, when it is not complete. */
  errorMessage?: string;
}

/** Every transcript in `src/formats/openai-chat/__fixtures__`. */
export const CHAT_SCENARIOS: readonly ChatScenario[] = [
  { name: 'text', complete: true },
  { name: 'tool-calls-parallel', complete: true },
  { name: 'text-then-tools', complete: true },
  { name: 'tool-call-no-arguments', complete: true },
  { name: 'refusal', complete: true },
  { name: 'reasoning-deepseek', complete: true },
  { name: 'length', complete: true },
  { name: 'content-filter', complete: true },
  { name: 'azure-text', complete: true },
  { name: 'keepalive', complete: true },
  { name: 'crlf', complete: true },
  { name: 'multiline-data', complete: true },
  { name: 'unknown-fields', complete: true },
  { name: 'annotations', complete: true },
  { name: 'no-done', complete: true },
  {
    name: 'error-mid-stream',
    complete: false,
    errorMessage: 'The server had an error while processing your request. Sorry about that!',
  },
  {
    name: 'truncated',
    complete: false,
    errorMessage: 'Upstream stream ended before its final event',
  },
];

/** The raw bytes of a transcript. */
export function loadChatStream(name: string): Buffer {
  return loadFixtureBytes('openai-chat', `${name}.sse`);
}

/** The expected final body of a transcript. */
export function loadChatExpected(name: string): Record<string, unknown> {
  return loadFixtureJson('openai-chat', `${name}.expected.json`);
}

/** An encode context with counting ids and a fixed clock; warnings are collected. */
export function chatTestContext(
  options: { model?: string; request?: IrRequest; includeUsage?: boolean } = {},
): EncodeContext & { warnings: ConversionWarning[] } {
  let counter = 0;
  const warnings: ConversionWarning[] = [];
  const request =
    options.request ??
    (options.includeUsage === undefined
      ? undefined
      : {
          model: 'test-model',
          system: [],
          messages: [],
          tools: [],
          stream: true,
          meta: { 'openai-chat': { streamOptions: { include_usage: options.includeUsage } } },
        });
  return {
    createdAt: 1767400000,
    createId: (prefix) => `${prefix}test${++counter}`,
    onWarning: (warning) => warnings.push(warning),
    warnings,
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(request !== undefined ? { request } : {}),
  };
}

/** A deep copy of `value` without any `meta` keys (what other formats see of a neutral value). */
export function withoutMeta<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutMeta) as T;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key !== 'meta') copy[key] = withoutMeta(entry);
  }
  return copy as T;
}
