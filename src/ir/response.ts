/** The neutral non-streaming response. */

import type { ProxyErrorCode } from '../errors.js';
import type { IrAssistantPart } from './content.js';
import type { IrMeta } from './meta.js';
import type { IrUsage } from './usage.js';

/** Why the model stopped. */
export type IrFinishReason =
  | 'stop'
  | 'length'
  | 'tool-calls'
  | 'content-filter'
  | 'refusal'
  | 'error'
  | 'other';

/** Whether the response is whole. */
export type IrStatus = 'completed' | 'incomplete' | 'failed';

/** An error as data, so it can travel inside a stream and be encoded in any dialect. */
export interface IrError {
  code: ProxyErrorCode;
  message: string;
  /** HTTP status to use if the error is reported before the first byte. */
  status?: number;
  upstreamType?: string;
  upstreamCode?: string;
  retryAfter?: string;
}

/** The error recorded when a stream stops without its final event (used by every decoder). */
export const TRUNCATED_STREAM_ERROR: IrError = {
  code: 'upstream_protocol',
  message: 'Upstream stream ended before its final event',
};

/** The neutral response. */
export interface IrResponse {
  id: string;
  model: string;
  /** Unix seconds. */
  createdAt?: number;
  content: IrAssistantPart[];
  finishReason: IrFinishReason;
  /** The stop sequence that ended the output, when one did. */
  stopSequence?: string;
  status: IrStatus;
  usage: IrUsage;
  error?: IrError;
  meta?: IrMeta;
}
