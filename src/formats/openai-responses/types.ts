/**
 * Declares the Responses wire types ccproxy reads or writes.
 * @see https://platform.openai.com/docs/api-reference/responses
 * @see https://github.com/openai/openai-node/blob/master/src/resources/responses/responses.ts
 */

/** The format id, used as the key of this format's extras in `IrMeta`. */
export const FORMAT_ID = 'openai-responses' as const;

/** A JSON object whose other fields are kept as they came. */
type ResponsesObject = Record<string, unknown>;

/** `output_text` content part of an assistant message. */
export interface ResponsesOutputText extends ResponsesObject {
  type: 'output_text';
  text: string;
  annotations: ResponsesAnnotation[];
  logprobs?: unknown[];
}

/** `refusal` content part of an assistant message. */
export interface ResponsesRefusal extends ResponsesObject {
  type: 'refusal';
  refusal: string;
}

/** An annotation of an `output_text` part (`url_citation`, `file_citation`, ...). */
export interface ResponsesAnnotation extends ResponsesObject {
  type: string;
}

/** An assistant `message` output item's fields other than its content. */
export interface ResponsesMessageShell extends ResponsesObject {
  /** Absent only when a client's own item without one is replayed as it came. */
  id?: string;
  type: 'message';
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  /** Codex models mark a message as `commentary` or `final_answer`. */
  phase?: 'commentary' | 'final_answer' | null;
}

/** An assistant `message` output item. */
export interface ResponsesMessageItem extends ResponsesMessageShell {
  content: Array<ResponsesOutputText | ResponsesRefusal>;
}

/** A `reasoning` output item. */
export interface ResponsesReasoningItem extends ResponsesObject {
  /** Absent only when a client's own item without one is replayed as it came. */
  id?: string;
  type: 'reasoning';
  /** `summary_text` parts (with the fields of the parts they were read from). */
  summary: ResponsesObject[];
  /** `reasoning_text` parts. */
  content?: ResponsesObject[];
  encrypted_content?: string | null;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** A `function_call` output item (its `arguments` is a JSON string). */
interface ResponsesFunctionCallItem extends ResponsesObject {
  id?: string;
  type: 'function_call';
  call_id: string;
  name: string;
  arguments: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** A `custom_tool_call` output item (freeform input such as Codex's `apply_patch`). */
interface ResponsesCustomToolCallItem extends ResponsesObject {
  id?: string;
  type: 'custom_tool_call';
  call_id: string;
  name: string;
  input: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** A call item's fields as read (the item itself is kept as it came). */
export interface ResponsesCallItemRead extends ResponsesObject {
  id?: string;
  call_id?: string;
  name?: string;
  /** `function_call` */
  arguments?: string;
  /** `custom_tool_call` */
  input?: string;
}

/** A reasoning item's scalar fields as read (the item itself is kept as it came). */
export interface ResponsesReasoningItemRead extends ResponsesObject {
  id?: string;
  encrypted_content?: string;
}

/** Any output item; unknown types are kept verbatim. */
export type ResponsesOutputItem =
  | ResponsesMessageItem
  | ResponsesReasoningItem
  | ResponsesFunctionCallItem
  | ResponsesCustomToolCallItem
  | (ResponsesObject & { type: string });

/** The `usage` object of a response. */
export interface ResponsesUsage extends ResponsesObject {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** A `usage` object as read from an upstream: every count may be missing. */
export interface ResponsesUsageRead extends ResponsesObject {
  input_tokens?: number;
  input_tokens_details?: {
    cached_tokens?: number;
    cache_write_tokens?: number;
    [key: string]: unknown;
  };
  output_tokens?: number;
  output_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown };
  total_tokens?: number;
}

/** A response object (an upstream body, or the `response` of a lifecycle event) as read. */
export interface ResponsesResponse extends ResponsesObject {
  id?: string;
  model?: string;
  created_at?: number;
  status?: string;
  output?: unknown[];
  usage?: ResponsesObject;
  incomplete_details?: { reason?: string; [key: string]: unknown };
  error?: unknown;
}

/**
 * A stream event as the decoder reads it: the fields of every event type it handles, each
 * optional. Items and parts stay plain objects: they are kept verbatim (in meta or as opaque
 * blocks), so none of their fields may be lost to narrowing.
 */
export interface ResponsesStreamEvent extends ResponsesObject {
  type: string;
  output_index?: number;
  content_index?: number;
  summary_index?: number;
  annotation_index?: number;
  item_id?: string;
  /** `function_call_arguments.done` may name the function (newer streams). */
  name?: string;
  delta?: string;
  /** The final text of `*.done` events. */
  text?: string;
  refusal?: string;
  arguments?: string;
  input?: string;
  item?: ResponsesObject;
  part?: ResponsesObject;
  annotation?: unknown;
  response?: ResponsesResponse;
}
