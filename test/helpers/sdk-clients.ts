/**
 * Runs the official SDKs' stream helpers against a URL on loopback, so tests prove that what the
 * proxy (or an encoder) writes is accepted by the clients people actually use.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

/** An OpenAI client pointed at `baseURL` with no retries. */
export function openaiClient(baseURL: string, apiKey = 'test-key'): OpenAI {
  return new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 20_000 });
}

/** An Anthropic client pointed at `baseURL` with no retries. */
export function anthropicClient(baseURL: string, apiKey = 'test-key'): Anthropic {
  return new Anthropic({ baseURL, apiKey, maxRetries: 0, timeout: 20_000 });
}

/** Streams a chat completion with `chat.completions.stream()` and returns its final object. */
export async function streamChatWithSdk(
  baseURL: string,
  body: Record<string, unknown> = {},
): Promise<OpenAI.Chat.Completions.ChatCompletion> {
  const stream = openaiClient(baseURL).chat.completions.stream({
    model: 'test-model',
    messages: [{ role: 'user', content: 'hi' }],
    ...body,
  } as OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming);
  return stream.finalChatCompletion();
}

/** Streams a response with `responses.stream()` and returns its final response. */
export async function streamResponsesWithSdk(
  baseURL: string,
  body: Record<string, unknown> = {},
): Promise<OpenAI.Responses.Response> {
  const stream = openaiClient(baseURL).responses.stream({
    model: 'test-model',
    input: 'hi',
    ...body,
  } as OpenAI.Responses.ResponseCreateParamsStreaming);
  return stream.finalResponse();
}

/** Streams a message with `messages.stream()` and returns its final message. */
export async function streamMessagesWithSdk(
  baseURL: string,
  body: Record<string, unknown> = {},
): Promise<Anthropic.Message> {
  const stream = anthropicClient(baseURL).messages.stream({
    model: 'test-model',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'hi' }],
    ...body,
  } as Anthropic.MessageStreamParams);
  return stream.finalMessage();
}
