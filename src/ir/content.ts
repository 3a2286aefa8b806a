/** Content parts shared by requests and responses in the neutral representation. */
import type { IrMeta, WireFormatId } from './meta.js';

/** A citation or annotation attached to a span of text. */
export type IrAnnotation =
  | {
      type: 'url-citation';
      url: string;
      title?: string;
      startIndex?: number;
      endIndex?: number;
      /** The cited text, when the upstream gave it (Anthropic). */
      citedText?: string;
      meta?: IrMeta;
    }
  /** A citation of a kind only its own format understands (file, document, search result). */
  | { type: 'opaque'; format: WireFormatId; value: unknown };

/** Plain text, possibly annotated. */
export interface IrTextPart {
  type: 'text';
  text: string;
  annotations?: IrAnnotation[];
  meta?: IrMeta;
}

/** Where the bytes of an image or file come from. */
export type IrSource =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; mediaType: string; data: string }
  | { kind: 'file-id'; fileId: string };

/** An image in a user message or a tool result. */
export interface IrImagePart {
  type: 'image';
  source: IrSource;
  detail?: 'auto' | 'low' | 'high';
  meta?: IrMeta;
}

/** A document (PDF, text file) in a user message or a tool result. */
export interface IrFilePart {
  type: 'file';
  source: IrSource;
  filename?: string;
  meta?: IrMeta;
}

/** A refusal by the model to answer. */
export interface IrRefusalPart {
  type: 'refusal';
  text: string;
  meta?: IrMeta;
}

/**
 * Model reasoning. `text` is the readable part (Anthropic thinking, Responses summary or
 * reasoning text). The opaque fields must come back verbatim on the next turn to the provider
 * that produced them.
 */
export interface IrReasoningPart {
  type: 'reasoning';
  text: string;
  /** Anthropic `thinking.signature`. */
  signature?: string;
  /** Anthropic `redacted_thinking.data` (then `text` is empty). */
  redactedData?: string;
  /** Responses `reasoning.encrypted_content`. */
  encryptedContent?: string;
  /** Responses reasoning item id (`rs_…`). */
  id?: string;
  meta?: IrMeta;
}

/** A call the model makes to a client-side tool. */
export interface IrToolCallPart {
  type: 'tool-call';
  /** The id a tool result must reference (Responses `call_id`, Anthropic `tool_use.id`). */
  callId: string;
  name: string;
  /** JSON text of the arguments for function tools; the raw input text for custom tools. */
  arguments: string;
  kind: 'function' | 'custom';
  meta?: IrMeta;
}

/** The result of a client-side tool call, sent back by the client. */
export interface IrToolResultPart {
  type: 'tool-result';
  callId: string;
  content: Array<IrTextPart | IrImagePart | IrFilePart>;
  isError?: boolean;
  kind?: 'function' | 'custom';
  meta?: IrMeta;
}

/**
 * Something only one format can express (an Anthropic server-tool block, a Responses item of a
 * type the IR does not model). Kept verbatim for that format; other formats drop it with a warning.
 */
export interface IrOpaquePart {
  type: 'opaque';
  format: WireFormatId;
  value: unknown;
}

/** Parts of a user message. */
export type IrUserPart = IrTextPart | IrImagePart | IrFilePart | IrOpaquePart;

/** Parts of an assistant message, and of a response. */
export type IrAssistantPart =
  | IrTextPart
  | IrRefusalPart
  | IrReasoningPart
  | IrToolCallPart
  | IrOpaquePart;
