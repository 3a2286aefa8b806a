/**
 * Decodes an upstream Responses body (non-streaming, or rebuilt from a stream) into an IR response.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
import { ProxyError } from '../../errors.js';
import type { IrResponse } from '../../ir/response.js';
import type { Converted } from '../../ir/warnings.js';
import { isRecord, omitKeys } from '../../util/json.js';
import { decodeOutputItems } from './decode-output.js';
import { decodeFinishReason, decodeStatus } from './finish-reason.js';
import { responsesMeta } from './meta.js';
import { narrowResponsesResponse } from './narrow.js';
import { decodeStreamError } from './stream-error.js';
import { decodeUsage, readUsageExtras } from './usage.js';

/** Envelope fields the IR models; the others ride in meta `envelope`. */
export const MAPPED_RESPONSE_KEYS = ['id', 'model', 'created_at', 'output', 'usage'];

/**
 * The envelope fields the IR is decoded from, `output` apart: the mapped ones, and three it reads
 * while keeping them in meta too.
 */
export const IR_ENVELOPE_KEYS: readonly string[] = [
  ...MAPPED_RESPONSE_KEYS.filter((key) => key !== 'output'),
  'status',
  'incomplete_details',
  'error',
];

/**
 * Decodes a Responses body, leniently: unknown items and fields are kept (in meta, or as opaque
 * parts) and `output` may be missing or `null` (Codex drift). Throws `upstream_protocol` only
 * when the body is not a JSON object.
 */
export function decodeResponsesResponse(body: unknown): Converted<IrResponse> {
  const response = narrowResponsesResponse(body);
  if (!isRecord(body) || response === undefined) {
    throw new ProxyError('upstream_protocol', 'Cannot decode Responses body: not a JSON object');
  }
  const output = response.output ?? [];
  // Unpacking restores what ccproxy itself packed (another ccproxy upstream, tests).
  const content = decodeOutputItems(output, { unpackOpaque: true });
  const status = response.status;
  const incompleteReason = response.incomplete_details?.reason;
  const finishReason = decodeFinishReason({
    status,
    ...(incompleteReason !== undefined ? { incompleteReason } : {}),
    hasToolCalls: content.some((part) => part.type === 'tool-call'),
  });
  const rawError = response.error;
  const error =
    isRecord(rawError) || status === 'failed'
      ? decodeStreamError(rawError, 'Upstream response failed')
      : undefined;
  const createdAt = response.created_at;
  const usageExtras = readUsageExtras(body.usage);
  const decoded: IrResponse = {
    id: response.id ?? '',
    model: response.model ?? '',
    ...(createdAt !== undefined ? { createdAt } : {}),
    content,
    finishReason,
    status: decodeStatus(status),
    usage: decodeUsage(body.usage),
    ...(error ? { error } : {}),
    // From the body as it came: fields of the wrong type are kept verbatim, not narrowed away.
    meta: responsesMeta({
      envelope: omitKeys(body, MAPPED_RESPONSE_KEYS),
      ...(usageExtras ? { usage: usageExtras } : {}),
      ...('usage' in body && !isRecord(body.usage) ? { usageRaw: body.usage } : {}),
    }),
  };
  return { value: decoded, warnings: [] };
}
