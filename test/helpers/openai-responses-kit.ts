/** Shares small helpers among the Responses format tests. */
import { readdirSync } from 'node:fs';
import type { EncodeContext } from '../../src/formats/format.js';
import type { IrEvent } from '../../src/ir/events.js';
import type { IrResponse } from '../../src/ir/response.js';
import type { ConversionWarning } from '../../src/ir/warnings.js';
import type { SseMessage } from '../../src/sse/message.js';
import { createSseParser } from '../../src/sse/parse.js';
import { runStep, type StreamStep } from '../../src/streams/step.js';
import { fixturePath, loadFixtureBytes, loadFixtureJson } from './fixtures.js';
import { splitRandomly } from './split.js';

/** Every transcript in the Responses fixture folder (by name, without extension). */
export function transcriptNames(): string[] {
  return readdirSync(fixturePath('openai-responses', ''))
    .filter((file) => file.endsWith('.sse'))
    .map((file) => file.slice(0, -'.sse'.length))
    .sort();
}

/** A transcript's bytes and expected body. */
export function loadTranscript(name: string): { bytes: Buffer; expected: Record<string, unknown> } {
  return {
    bytes: loadFixtureBytes('openai-responses', `${name}.sse`),
    expected: loadFixtureJson('openai-responses', `${name}.expected.json`),
  };
}

/** Parses SSE bytes delivered in random chunks (as a network would), into messages. */
export function parseSplit(bytes: Uint8Array | string, seed: number): SseMessage[] {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const parser = createSseParser();
  const messages: SseMessage[] = [];
  for (const chunk of splitRandomly(data, seed, 48)) messages.push(...parser.push(chunk));
  messages.push(...parser.end());
  return messages;
}

/** A deterministic encode context: ids `<prefix>test_<n>`, a fixed clock, warnings collected. */
export function testContext(
  overrides: Partial<EncodeContext> = {},
): EncodeContext & { warnings: ConversionWarning[] } {
  let counter = 0;
  const warnings: ConversionWarning[] = [];
  return {
    createdAt: 1767300000,
    createId: (prefix) => `${prefix}test_${++counter}`,
    onWarning: (warning) => warnings.push(warning),
    warnings,
    ...overrides,
  };
}

/** Runs a step over inputs. */
export function run<In, Out>(step: StreamStep<In, Out>, inputs: Iterable<In>): Out[] {
  return runStep(step, inputs);
}

/** A response without meta anywhere (meta holds wire details other checks do not compare). */
export function withoutMeta(response: IrResponse): IrResponse {
  const { meta: _meta, ...rest } = response;
  return {
    ...rest,
    content: rest.content.map((part) => {
      if (part.type === 'opaque') return part;
      const { meta: _partMeta, ...partRest } = part;
      if (partRest.type === 'text' && partRest.annotations) {
        return {
          ...partRest,
          annotations: partRest.annotations.map((annotation) => {
            if (annotation.type === 'opaque') return annotation;
            const { meta: _annotationMeta, ...annotationRest } = annotation;
            return annotationRest;
          }),
        };
      }
      return partRest;
    }),
  };
}

/** Text, tool calls, reasoning, finish reason and usage of a response: what streams must keep. */
export function essentials(response: IrResponse): Record<string, unknown> {
  const content = withoutMeta(response).content;
  return {
    text: content.filter((part) => part.type === 'text').map((part) => part.text),
    refusals: content.filter((part) => part.type === 'refusal').map((part) => part.text),
    toolCalls: content
      .filter((part) => part.type === 'tool-call')
      .map(({ callId, name, arguments: args, kind }) => ({ callId, name, arguments: args, kind })),
    reasoning: content
      .filter((part) => part.type === 'reasoning')
      .map(({ text, encryptedContent, id }) => ({ text, encryptedContent, id })),
    finishReason: response.finishReason,
    usage: response.usage,
  };
}

/** The IR events of a stream as a list (for readable failures). */
export function eventTypes(events: readonly IrEvent[]): string[] {
  return events.map((event) => event.type);
}

/**
 * The same messages with every JSON data pretty-printed: the scanning fast paths never take
 * them, so the full path's answer is what they are compared with. Other data stays as it is.
 */
export function prettified(messages: SseMessage[]): SseMessage[] {
  return messages.map((message) => {
    try {
      const parsed: unknown = JSON.parse(message.data);
      if (typeof parsed === 'object' && parsed !== null)
        return { ...message, data: JSON.stringify(parsed, null, 1) };
    } catch {
      // Not JSON: kept as it is.
    }
    return { ...message };
  });
}
