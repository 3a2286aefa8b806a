/**
 * Hand-written wire types of the OpenAI Chat Completions API, kept to what ccproxy reads or writes.
 * @see https://platform.openai.com/docs/api-reference/chat
 */

/** The format id, used as the key of this format's extras in `IrMeta`. */
export const FORMAT_ID = 'openai-chat' as const;

/** A JSON object with fields this format does not model. */
type ChatExtra = Record<string, unknown>;

/** `{type:"text", text}`: the only part type every role accepts. */
interface ChatTextPart {
  type: 'text';
  text: string;
  [key: string]: unknown;
}

/** `{type:"image_url", image_url:{url, detail}}`; `url` is an https or `data:` URL. */
interface ChatImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** `{type:"file", file:{file_data?, file_id?, filename?}}`; `file_data` is usually a `data:` URL. */
interface ChatFilePart {
  type: 'file';
  file: { file_data?: string; file_id?: string; filename?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** `{type:"refusal", refusal}`: only in assistant content arrays. */
interface ChatRefusalPart {
  type: 'refusal';
  refusal: string;
  [key: string]: unknown;
}

/** Any content part, including types this format does not model (`input_audio`, ...). */
export type ChatContentPart =
  | ChatTextPart
  | ChatImagePart
  | ChatFilePart
  | ChatRefusalPart
  | { type: string; [key: string]: unknown };

/** A function tool call in an assistant message or a response. */
interface ChatFunctionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A custom (free-form) tool call in an assistant message or a response. */
interface ChatCustomToolCall {
  id: string;
  type: 'custom';
  custom: { name: string; input: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A tool call of any type. */
type ChatToolCall = ChatFunctionToolCall | ChatCustomToolCall;

/** One message of `messages`, any role (loosely typed: extra fields are kept). */
export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  content?: string | ChatContentPart[] | null;
  name?: string;
  /** Assistant only. */
  tool_calls?: Array<ChatToolCall | { type: string; [key: string]: unknown }>;
  /** Assistant only. */
  refusal?: string | null;
  /** Assistant only, legacy function calling. */
  function_call?: { name: string; arguments: string; [key: string]: unknown } | null;
  /** Assistant only, non-standard (DeepSeek and compatible servers). */
  reasoning_content?: string | null;
  /** Assistant only, non-standard (OpenRouter, vLLM and compatible servers). */
  reasoning?: string | null;
  /** Tool only. */
  tool_call_id?: string;
  [key: string]: unknown;
}

/** A function tool definition. */
interface ChatFunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A custom (free-form input) tool definition. */
interface ChatCustomTool {
  type: 'custom';
  custom: { name: string; description?: string; format?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

/** `tool_choice` in all its documented shapes. */
type ChatToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; function: { name: string } }
  | { type: 'custom'; custom: { name: string } }
  | { type: 'allowed_tools'; allowed_tools: { mode: string; tools: unknown[] } };

/** `response_format`. */
type ChatResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: {
        name: string;
        schema?: Record<string, unknown>;
        strict?: boolean | null;
        description?: string;
        [key: string]: unknown;
      };
    };

/**
 * The request body of `POST /v1/chat/completions` (fields ccproxy reads; others pass in meta).
 * Optional fields may be `null`, which clients send for "not set" and the schema accepts.
 */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: Array<
    ChatFunctionTool | ChatCustomTool | { type: string; [key: string]: unknown }
  > | null;
  tool_choice?: ChatToolChoice | null;
  parallel_tool_calls?: boolean | null;
  max_completion_tokens?: number | null;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  response_format?: ChatResponseFormat | null;
  reasoning_effort?: string | null;
  user?: string | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean; [key: string]: unknown } | null;
  n?: number | null;
  /** Legacy function definitions. */
  functions?: Array<{
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
  }> | null;
  /** Legacy function choice. */
  function_call?: 'auto' | 'none' | { name: string } | null;
  [key: string]: unknown;
}

/** Token usage of a completion. */
export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** `cache_write_tokens` is OpenRouter's. */
  prompt_tokens_details?: {
    cached_tokens?: number;
    cache_write_tokens?: number;
    [key: string]: unknown;
  };
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown };
  [key: string]: unknown;
}

/** A `usage` object as read from an upstream: every count may be missing. */
export type ChatUsageRead = Partial<ChatUsage> & {
  /** DeepSeek's count of cache hits. */
  prompt_cache_hit_tokens?: number;
};

/** The finish reasons the API documents. */
export type ChatFinishReason =
  | 'stop'
  | 'length'
  | 'tool_calls'
  | 'content_filter'
  | 'function_call';

/** The assistant message of a non-streaming completion, as the encoder writes it. */
interface ChatResponseMessage {
  role: 'assistant';
  /** A string; `null` with only tool calls or a refusal; an array when the upstream sent one. */
  content?: string | unknown[] | null;
  refusal?: string | null;
  annotations?: unknown[];
  tool_calls?: unknown[];
  /** Legacy function calling. */
  function_call?: { name: string; arguments: string; [key: string]: unknown };
  /** Non-standard: the reasoning text of DeepSeek-style servers. */
  reasoning_content?: string;
  [key: string]: unknown;
}

/** A non-streaming `chat.completion`, as the encoder writes it. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: ChatResponseMessage;
    /** A documented reason, or the upstream's own value given back verbatim. */
    finish_reason: unknown;
    [key: string]: unknown;
  }>;
  usage?: ChatUsage;
  [key: string]: unknown;
}

/**
 * A `chat.completion` body as the response decoder reads it (every field may be missing). The
 * message stays a plain object: its fields of unexpected types are given back verbatim.
 */
export interface ChatCompletionBody {
  id?: string;
  created?: number;
  model?: string;
  choices?: unknown[];
  usage?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * The fields of a completion's `message` read typed. `content` and `refusal` are read from the
 * message as it came: a value of an unexpected type there is given back verbatim.
 */
export interface ChatResponseMessageRead {
  reasoning_content?: string;
  reasoning?: string;
  annotations?: unknown[];
  tool_calls?: unknown[];
  function_call?: ChatChunkFunction;
  [key: string]: unknown;
}

/** One choice of a `chat.completion` body, as read. */
export interface ChatCompletionChoice {
  index?: number;
  message?: Record<string, unknown>;
  /** A documented reason, or any value, kept verbatim when non-standard. */
  finish_reason?: unknown;
  [key: string]: unknown;
}

/** A function (or legacy `function_call`) piece of a streamed tool call. */
export interface ChatChunkFunction {
  name?: string;
  arguments?: string;
  [key: string]: unknown;
}

/** A custom call's piece of a streamed tool call. */
export interface ChatChunkCustom {
  name?: string;
  input?: string;
  [key: string]: unknown;
}

/**
 * One `delta.tool_calls[]` piece (also the shape of the legacy `delta.function_call`), or a tool
 * call of a completion's message.
 */
export interface ChatChunkToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: ChatChunkFunction;
  custom?: ChatChunkCustom;
  /** Legacy `function_call` pieces carry these at the top. */
  name?: string;
  arguments?: string;
  [key: string]: unknown;
}

/** A streamed choice's `delta` (or a whole `message`, as some servers send the last chunk). */
export interface ChatChunkDelta {
  content?: string | null;
  refusal?: string | null;
  /** Non-standard (DeepSeek and compatible servers). */
  reasoning_content?: string | null;
  /** Non-standard (OpenRouter, vLLM and compatible servers). */
  reasoning?: string | null;
  tool_calls?: ChatChunkToolCall[];
  function_call?: ChatChunkToolCall;
  annotations?: unknown[];
  [key: string]: unknown;
}

/** A streamed choice's `logprobs`: the token entries of this chunk. */
export interface ChatChunkLogprobs {
  content?: unknown[] | null;
  refusal?: unknown[] | null;
  [key: string]: unknown;
}

/** One choice of a `chat.completion.chunk`. */
export interface ChatChunkChoice {
  index?: number;
  delta?: ChatChunkDelta;
  message?: ChatChunkDelta;
  finish_reason?: string | null;
  logprobs?: ChatChunkLogprobs | null;
  /** Moonshot's Kimi API puts usage here. */
  usage?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A `chat.completion.chunk` as the stream decoder reads it (every field may be missing). */
export interface ChatCompletionChunk {
  id?: string;
  object?: string;
  created?: number;
  model?: string;
  choices?: ChatChunkChoice[];
  usage?: Record<string, unknown>;
  error?: unknown;
  [key: string]: unknown;
}

/** Meta of an `IrRequest` decoded from this format (`meta['openai-chat']`). */
export interface ChatRequestMeta {
  /** Top-level fields ccproxy does not map (`seed`, `logprobs`, `metadata`, nulls, ...), verbatim. */
  extra?: ChatExtra;
  /** `stream_options` as sent; `include_usage` decides whether the stream encoder sends usage. */
  streamOptions?: ChatExtra;
  /** Which field carried the output limit (default `max_completion_tokens`). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** `stop` was a single string. */
  stopIsString?: boolean;
  /** `stream: false` was written explicitly (absent otherwise). */
  streamFalse?: boolean;
  /** Role for system parts without their own meta: `developer` for models that want it. */
  systemRole?: 'system' | 'developer';
  /** A `tool_choice` the IR cannot express exactly (`allowed_tools`), re-sent verbatim. */
  toolChoice?: unknown;
  /** The tool choice named a custom tool. */
  toolChoiceCustom?: boolean;
  /** The request used legacy `functions` / `function_call` instead of `tools` / `tool_choice`. */
  legacyFunctions?: boolean;
}
