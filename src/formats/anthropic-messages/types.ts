/**
 * Hand-written Anthropic Messages wire types that code names; types nothing used were deleted
 * (the converters read bodies through narrow guards and keep fields they do not read in
 * `meta['anthropic-messages']`).
 *
 * @see https://docs.claude.com/en/api/messages
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */

/** The format id, used as the key of this format's `IrMeta` extras. */
export const FORMAT_ID = 'anthropic-messages' as const;

/** The `error` object of an error body or stream `error` event. */
export interface AnthropicErrorObject {
  type: string;
  message: string;
}

/**
 * A stream event as the decoder reads it. Blocks, deltas and the message stay plain objects
 * here: unknown blocks are kept whole, and `message_delta` folds every field of its delta into
 * the envelope, so narrowing them away would lose fields.
 */
export interface AnthropicStreamEvent {
  type?: string;
  index?: number;
  content_block?: Record<string, unknown>;
  delta?: Record<string, unknown>;
  message?: Record<string, unknown>;
  usage?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * A Message (a body, or the `message` of `message_start`), as read for the fields the decoders
 * map; every other field is read from the object as it came.
 */
export interface AnthropicMessage {
  id?: string;
  model?: string;
  stop_sequence?: string;
  usage?: Record<string, unknown>;
  /** Some relays send blocks in the `message_start` envelope too. */
  content?: unknown[];
  [key: string]: unknown;
}

/** A content block of a known type (of a body, or of `content_block_start`), as read. */
export interface AnthropicContentBlock {
  type?: string;
  text?: string;
  citations?: unknown[];
  thinking?: string;
  signature?: string;
  /** `redacted_thinking` only. */
  data?: string;
  /** `tool_use` only. */
  id?: string;
  name?: string;
  input?: unknown;
  [key: string]: unknown;
}

/** A `content_block_delta` delta of a known type, as read. */
export interface AnthropicBlockDelta {
  type?: string;
  text?: string;
  citation?: unknown;
  thinking?: string;
  signature?: string;
  partial_json?: string;
  [key: string]: unknown;
}

/** A `usage` object as read from an upstream: every count may be missing (or `null`). */
export interface AnthropicUsageRead {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  output_tokens_details?: { thinking_tokens?: number; [key: string]: unknown };
  [key: string]: unknown;
}
