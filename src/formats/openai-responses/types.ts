/**
 * Declares the Responses wire types ccproxy reads or writes.
 * @see https://platform.openai.com/docs/api-reference/responses
 * @see https://github.com/openai/openai-node/blob/master/src/resources/responses/responses.ts
 */

/** The format id, used as the key of this format's extras in `IrMeta`. */
export const FORMAT_ID = 'openai-responses' as const;

/** A JSON object whose other fields are kept as they came. */
export type ResponsesObject = Record<string, unknown>;

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

/** The `url_citation` annotation. */
export interface ResponsesUrlCitation extends ResponsesAnnotation {
  type: 'url_citation';
  url: string;
  title?: string;
  start_index?: number;
  end_index?: number;
}

/** An assistant `message` output item. */
export interface ResponsesMessageItem extends ResponsesObject {
  id: string;
  type: 'message';
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: Array<ResponsesOutputText | ResponsesRefusal>;
  /** Codex models mark a message as `commentary` or `final_answer`. */
  phase?: 'commentary' | 'final_answer' | null;
}

/** A `reasoning` output item. */
export interface ResponsesReasoningItem extends ResponsesObject {
  id: string;
  type: 'reasoning';
  summary: Array<{ type: 'summary_text'; text: string }>;
  content?: Array<{ type: 'reasoning_text'; text: string }>;
  encrypted_content?: string | null;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** A `function_call` output item (its `arguments` is a JSON string). */
export interface ResponsesFunctionCallItem extends ResponsesObject {
  id?: string;
  type: 'function_call';
  call_id: string;
  name: string;
  arguments: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** A `custom_tool_call` output item (freeform input such as Codex's `apply_patch`). */
export interface ResponsesCustomToolCallItem extends ResponsesObject {
  id?: string;
  type: 'custom_tool_call';
  call_id: string;
  name: string;
  input: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
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

/** The error object of a failed response (`response.error`). */
export interface ResponsesResponseError extends ResponsesObject {
  code: string | null;
  message: string;
}

/** The response object: the non-streaming body and the envelope of lifecycle events. */
export interface ResponsesResponse extends ResponsesObject {
  id: string;
  object: 'response';
  created_at: number;
  status: 'completed' | 'incomplete' | 'failed' | 'in_progress' | 'queued' | 'cancelled';
  error: ResponsesResponseError | null;
  incomplete_details: { reason: string } | null;
  model: string;
  output: ResponsesOutputItem[];
  usage: ResponsesUsage | null;
}

/** A stream event: `type` plus event-specific fields, read leniently. */
export interface ResponsesStreamEvent extends ResponsesObject {
  type: string;
  sequence_number?: number;
}

/** Content part of an input message. */
export type ResponsesInputContent =
  | { type: 'input_text'; text: string }
  | {
      type: 'input_image';
      image_url?: string | null;
      file_id?: string | null;
      detail?: 'auto' | 'low' | 'high' | 'original';
    }
  | {
      type: 'input_file';
      file_data?: string;
      file_url?: string;
      file_id?: string | null;
      filename?: string;
    }
  | { type: 'output_text'; text: string; annotations?: ResponsesAnnotation[] }
  | { type: 'refusal'; refusal: string };

/** An item of a request's `input` list (the shapes the encoder writes). */
export type ResponsesInputItem =
  | {
      type?: 'message';
      role: 'user' | 'assistant' | 'system' | 'developer';
      content: string | ResponsesInputContent[];
    }
  | { type: 'function_call'; call_id: string; name: string; arguments: string }
  | { type: 'custom_tool_call'; call_id: string; name: string; input: string }
  | {
      type: 'function_call_output' | 'custom_tool_call_output';
      call_id: string;
      output: string | ResponsesInputContent[];
    }
  | {
      type: 'reasoning';
      id?: string;
      summary: Array<{ type: 'summary_text'; text: string }>;
      encrypted_content?: string;
    }
  | ResponsesObject;

/** A tool definition in a request. */
export type ResponsesTool =
  | {
      type: 'function';
      name: string;
      description?: string;
      parameters: Record<string, unknown> | null;
      strict?: boolean;
    }
  | { type: 'custom'; name: string; description?: string; format?: unknown }
  | ResponsesObject;

/** The request body of `POST /v1/responses` (fields ccproxy reads or writes). */
export interface ResponsesRequest extends ResponsesObject {
  model: string;
  input?: string | ResponsesInputItem[];
  instructions?: string | null;
  tools?: ResponsesTool[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  max_output_tokens?: number;
  temperature?: number;
  top_p?: number;
  reasoning?: { effort?: string; summary?: string } & ResponsesObject;
  text?: { format?: ResponsesObject; verbosity?: string } & ResponsesObject;
  user?: string;
  safety_identifier?: string;
  stream?: boolean;
}
