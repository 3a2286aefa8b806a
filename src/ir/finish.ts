/** Rules tying finish reasons to statuses, shared by every format. */
import type { IrFinishReason, IrStatus } from './response.js';

/** The status a finish reason implies when the upstream did not state one. */
export function statusForFinishReason(reason: IrFinishReason): IrStatus {
  switch (reason) {
    case 'length':
    case 'content-filter':
      return 'incomplete';
    case 'error':
      return 'failed';
    default:
      return 'completed';
  }
}
