/**
 * Hand-written Anthropic Messages wire types, limited to the fields ccproxy reads or writes.
 *
 * Every object may carry more fields than listed here (the API adds them without notice); the
 * converters keep the ones they do not read in `meta['anthropic-messages']`.
 *
 * @see https://docs.claude.com/en/api/messages
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */

/** The format id, used as the key of this format's `IrMeta` extras. */
export const FORMAT_ID = 'anthropic-messages' as const;

/** `cache_control` on blocks, tools and the system prompt. */
export interface AnthropicCacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

/** A citation attached to a text block (response) or sent back in a text block (request). */
export interface AnthropicWebSearchCitation {
  type: 'web_search_result_location';
  url: string;
  title: string | null;
  cited_text: string;
  encrypted_index: string;
}

/** `text` block. `citations` is omitted (or `null`, or `[]`) when there are none. */
export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  citations?: Array<Record<string, unknown>> | null;
  cache_control?: AnthropicCacheControl;
}

/** `thinking` block; its `signature` must come back verbatim on the next turn. */
export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

/** `redacted_thinking` block: encrypted reasoning with no readable text. */
export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

/** `tool_use` block: a call to a client-side tool. */
export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

/** Image or document source. */
export type AnthropicSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: 'file'; file_id: string }
  | { type: 'text'; media_type: 'text/plain'; data: string }
  | { type: 'content'; content: unknown };

/** `image` block (requests, tool results). */
export interface AnthropicImageBlock {
  type: 'image';
  source: AnthropicSource;
  cache_control?: AnthropicCacheControl;
}

/** `document` block (requests, tool results). */
export interface AnthropicDocumentBlock {
  type: 'document';
  source: AnthropicSource;
  title?: string | null;
  context?: string | null;
  citations?: { enabled?: boolean } | null;
  cache_control?: AnthropicCacheControl;
}

/** `tool_result` block, inside a user message. */
export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<Record<string, unknown>>;
  is_error?: boolean;
  cache_control?: AnthropicCacheControl;
}

/** Any content block: the known ones, plus every block type the API may add. */
export type AnthropicBlock = Record<string, unknown> & { type: string };

/** One message of a request. */
export interface AnthropicMessageParam {
  role: 'user' | 'assistant';
  content: string | AnthropicBlock[];
}

/** A custom (client-side) tool definition. */
export interface AnthropicCustomTool {
  type?: 'custom' | null;
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: boolean;
  cache_control?: AnthropicCacheControl;
}

/** `tool_choice`. */
export interface AnthropicToolChoice {
  type: 'auto' | 'any' | 'tool' | 'none';
  name?: string;
  disable_parallel_tool_use?: boolean;
}

/** `thinking` request configuration. */
export type AnthropicThinkingConfig =
  | { type: 'enabled'; budget_tokens: number }
  | { type: 'disabled' }
  | { type: 'adaptive' }
  | { type: string };

/** The request body of `POST /v1/messages`, as far as the converters read it. */
export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessageParam[];
  system?: string | AnthropicTextBlock[];
  tools?: Array<Record<string, unknown>>;
  tool_choice?: AnthropicToolChoice;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  thinking?: AnthropicThinkingConfig;
  metadata?: { user_id?: string | null };
  stream?: boolean;
}

/** `stop_reason` values (a newer API may send others; they are kept verbatim). */
export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

/** `usage` of a Message (and, partly, of `message_delta`). Cache counters are beside `input_tokens`. */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number } | null;
  [key: string]: unknown;
}

/** The non-streaming response (and the `message_start` envelope). */
export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
  [key: string]: unknown;
}

/** The `error` object of an error body or stream `error` event. */
export interface AnthropicErrorObject {
  type: string;
  message: string;
}

/** An error body: `{"type":"error","error":{...},"request_id"?}`. */
export interface AnthropicErrorBody {
  type: 'error';
  error: AnthropicErrorObject;
  request_id?: string;
}

/** Stream event types this format knows (others are skipped and reported). */
export type AnthropicStreamEventType =
  | 'message_start'
  | 'content_block_start'
  | 'content_block_delta'
  | 'content_block_stop'
  | 'message_delta'
  | 'message_stop'
  | 'ping'
  | 'error';
