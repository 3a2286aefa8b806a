/** Format identifiers and the per-format opaque extras that ride along the IR. */

/** The three wire formats ccproxy speaks, on either side of the proxy. */
export type WireFormatId = 'openai-chat' | 'openai-responses' | 'anthropic-messages';

/** Every wire format id, in a stable order. */
export const WIRE_FORMAT_IDS: readonly WireFormatId[] = [
  'openai-chat',
  'openai-responses',
  'anthropic-messages',
];

/**
 * Values one format needs back verbatim that the IR does not model (item ids, unknown fields,
 * `cache_control`, `phase`, ...). A format reads and writes only its own key, so same-format
 * round trips are lossless and other formats never see foreign fields.
 */
export type IrMeta = Partial<Record<WireFormatId, Record<string, unknown>>>;

/** Reads one format's extras from a meta bag. */
export function getMeta(
  meta: IrMeta | undefined,
  format: WireFormatId,
): Record<string, unknown> | undefined {
  return meta?.[format];
}

/** Returns a meta bag holding `extras` under `format`, or `undefined` when there is nothing. */
export function withMeta(
  meta: IrMeta | undefined,
  format: WireFormatId,
  extras: Record<string, unknown> | undefined,
): IrMeta | undefined {
  if (extras === undefined || Object.keys(extras).length === 0) return meta;
  return { ...meta, [format]: { ...meta?.[format], ...extras } };
}
