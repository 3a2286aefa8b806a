/** The neutral request: what every client format decodes into and every upstream format encodes from. */
import type {
  IrAssistantPart,
  IrOpaquePart,
  IrTextPart,
  IrToolResultPart,
  IrUserPart,
} from './content.js';
import type { IrMeta, WireFormatId } from './meta.js';

/** One turn of the conversation. */
export type IrMessage =
  | { role: 'user'; content: IrUserPart[]; meta?: IrMeta }
  | { role: 'assistant'; content: IrAssistantPart[]; meta?: IrMeta }
  | { role: 'tool'; content: Array<IrToolResultPart | IrOpaquePart>; meta?: IrMeta }
  /**
   * An instruction the client placed between turns (Anthropic mid-conversation `system`, a Chat
   * or Responses `system`/`developer` message after the first turn). It stays at its position:
   * hoisting it into the system prompt would change what the model reads when.
   */
  | { role: 'system'; content: IrTextPart[]; developer?: boolean; meta?: IrMeta };

/** A tool the model may call. */
export type IrTool =
  | {
      kind: 'function';
      name: string;
      description?: string;
      /** JSON Schema of the arguments object. */
      parameters?: Record<string, unknown>;
      strict?: boolean;
      meta?: IrMeta;
    }
  | {
      kind: 'custom';
      name: string;
      description?: string;
      /** Grammar or format constraint of the free-form input, as the client sent it. */
      format?: unknown;
      meta?: IrMeta;
    }
  /** A hosted/server tool (web search, code execution, ...) only its format understands. */
  | { kind: 'builtin'; format: WireFormatId; value: unknown };

/** How the model must use the tools. */
export type IrToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string };

/** Requested output shape. */
export type IrResponseFormat =
  | { type: 'text' }
  | { type: 'json-object' }
  | {
      type: 'json-schema';
      name: string;
      schema: Record<string, unknown>;
      strict?: boolean;
      description?: string;
    };

/** Reasoning controls, in both vocabularies (effort levels and token budgets). */
export interface IrReasoningConfig {
  /** `none`, `minimal`, `low`, `medium`, `high`, `xhigh` (OpenAI wording, passed as given). */
  effort?: string;
  /** Anthropic `thinking.budget_tokens`. */
  budgetTokens?: number;
  /** Whether reasoning was explicitly disabled. */
  enabled?: boolean;
  /** Responses `reasoning.summary` (`auto`, `concise`, `detailed`). */
  summary?: string;
}

/** The neutral request. */
export interface IrRequest {
  model: string;
  /**
   * The leading system prompt: system and developer messages before the first turn and
   * `instructions`, in order. Instructions between turns are `system` messages in `messages`.
   */
  system: IrTextPart[];
  messages: IrMessage[];
  tools: IrTool[];
  /** Absent when the client did not say. */
  toolChoice?: IrToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  reasoning?: IrReasoningConfig;
  responseFormat?: IrResponseFormat;
  /** End-user id for abuse tracking (`user`, `metadata.user_id`, `safety_identifier`). */
  user?: string;
  stream: boolean;
  /** Per-format extras: unknown top-level fields and values only that format uses. */
  meta?: IrMeta;
}
