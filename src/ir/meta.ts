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
