/**
 * Encodes an IR response as the non-streaming Responses body a client expects.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */
import type { IrError, IrResponse } from '../../ir/response.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { getString, isRecord, type JsonObject } from '../../util/json.js';
import type { EncodeContext, WireBody } from '../format.js';
import { encodeOutputItems } from './encode-output.js';
import { buildEnvelope } from './envelope.js';
import { decodeStatus, encodeFinishReason, endingLosses } from './finish-reason.js';
import { readMetaRecord, readResponsesMeta } from './meta.js';
import { encodeUsage, type UsageExtras } from './usage.js';

/** The `error` object of a failed response: the upstream's code, or ours. */
export function encodeResponseError(error: IrError): JsonObject {
  return { code: error.upstreamCode ?? error.upstreamType ?? error.code, message: error.message };
}

/**
 * The response id to show: the upstream's when it is a Responses id, a fresh `resp_` one
 * otherwise (another format's `msg_…` or `chatcmpl-…` id would mislead a Responses client).
 */
export function responseIdFor(id: string | undefined, context: EncodeContext): string {
  return id?.startsWith('resp_') ? id : context.createId('resp_');
}

/**
 * Encodes an IR response as a Responses body. A response decoded from this format comes back as
 * it was (envelope, item ids and extras from meta); one from another format gets a complete
 * envelope echoing the client's request, and fresh ids from the context.
 */
export function encodeResponsesResponse(
  response: IrResponse,
  context: EncodeContext,
): Converted<WireBody> {
  const warnings: ConversionWarning[] = endingLosses(response.finishReason, response.stopSequence);
  const envelope = readMetaRecord(response.meta, 'envelope');
  const own = readResponsesMeta(response.meta);
  const ending = encodeFinishReason(response.finishReason, response.status);
  const rawStatus = envelope ? getString(envelope, 'status') : undefined;
  // The upstream's own status wins when it says the same (it may be `cancelled`, `queued`...).
  const keepRaw = rawStatus !== undefined && decodeStatus(rawStatus) === response.status;
  const status = keepRaw ? rawStatus : ending.status;
  const rawError = envelope?.error;
  const usageExtras = isRecord(own?.usage) ? (own.usage as UsageExtras) : undefined;
  const usageIsEmpty = Object.keys(response.usage).length === 0;
  const id = envelope ? response.id : responseIdFor(response.id, context);
  const output = encodeOutputItems(
    response.content,
    { createId: context.createId, warnings },
    { incomplete: status === 'incomplete' },
  );
  const body: JsonObject = {
    ...(envelope ?? {
      ...buildEnvelope(context),
      ...(status === 'completed' ? { completed_at: context.createdAt } : {}),
    }),
    id,
    created_at: response.createdAt ?? context.createdAt,
    model: context.model ?? response.model,
    status,
    error: response.error
      ? isRecord(rawError)
        ? rawError
        : encodeResponseError(response.error)
      : null,
    incomplete_details:
      keepRaw && envelope && 'incomplete_details' in envelope
        ? envelope.incomplete_details
        : ending.incomplete_details,
    output,
    usage:
      usageIsEmpty && own !== undefined && 'usageRaw' in own
        ? own.usageRaw
        : encodeUsage(response.usage, usageExtras),
  };
  return { value: body, warnings };
}
