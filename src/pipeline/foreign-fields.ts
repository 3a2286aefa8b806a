/**
 * Reports the top-level fields a client sent that the IR does not model, when the request goes to
 * another format: they ride in the client format's meta and no other encoder writes them, so
 * each is dropped, and said to be (`context_management` toward Codex, `store` toward Chat, ...).
 */
import type { WireFormatId } from '../formats/format.js';
import type { IrRequest } from '../ir/request.js';
import type { ConversionWarning } from '../ir/warnings.js';
import { isRecord, type JsonObject } from '../util/json.js';

/** Where each format keeps its unmodelled top-level fields in `meta[format]`. */
const EXTRAS_KEY: Readonly<Record<WireFormatId, string>> = {
  'anthropic-messages': 'extra',
  'openai-chat': 'extra',
  'openai-responses': 'extras',
};

/** Unmodelled fields whose known parts the decoder maps all the same (listed by the part). */
const MAPPED_PARTS: Readonly<Partial<Record<WireFormatId, Record<string, readonly string[]>>>> = {
  // `output_config.effort` is the reasoning effort, `output_config.format` the response format.
  'anthropic-messages': { output_config: ['effort', 'format'] },
};

/** A `dropped` warning for each field of the client's format that the upstream format will not get. */
export function droppedClientFields(
  request: IrRequest,
  clientFormat: WireFormatId,
  upstreamFormat: WireFormatId,
): ConversionWarning[] {
  if (clientFormat === upstreamFormat) return [];
  const extras = request.meta?.[clientFormat]?.[EXTRAS_KEY[clientFormat]];
  if (!isRecord(extras)) return [];
  const mapped = MAPPED_PARTS[clientFormat] ?? {};
  const warnings: ConversionWarning[] = [];
  for (const [key, value] of Object.entries(extras)) {
    // A mapped field sent as null is kept for the same format only; it says nothing.
    if (value === null || value === undefined) continue;
    // Own keys only: a client field named `constructor` is no mapped field.
    const parts = Object.hasOwn(mapped, key) ? mapped[key] : undefined;
    const left = parts && isRecord(value) ? unmappedKeys(value, parts) : undefined;
    if (left !== undefined && left.length === 0) continue;
    warnings.push({
      code: 'dropped',
      message: `"${key}"${left ? ` (${left.join(', ')})` : ''} has no counterpart in ${upstreamFormat} and was left out`,
      path: key,
    });
  }
  warnings.push(...droppedMetaFields(request, clientFormat, upstreamFormat));
  return warnings;
}

/**
 * Client fields a decoder keeps under a named marker rather than in its extras: Anthropic's
 * `top_k` (OpenAI formats have no top-k sampling) and `metadata` keys besides `user_id`.
 */
function droppedMetaFields(
  request: IrRequest,
  clientFormat: WireFormatId,
  upstreamFormat: WireFormatId,
): ConversionWarning[] {
  if (clientFormat !== 'anthropic-messages') return [];
  const own = request.meta?.[clientFormat];
  const warnings: ConversionWarning[] = [];
  if (typeof own?.topK === 'number') {
    warnings.push({
      code: 'dropped',
      message: `"top_k" has no counterpart in ${upstreamFormat} and was left out`,
      path: 'top_k',
    });
  }
  if (isRecord(own?.metadata) && Object.keys(own.metadata).length > 0) {
    warnings.push({
      code: 'dropped',
      message: `"metadata" (${Object.keys(own.metadata).join(', ')}) has no counterpart in ${upstreamFormat} and was left out`,
      path: 'metadata',
    });
  }
  return warnings;
}

function unmappedKeys(value: JsonObject, mapped: readonly string[]): string[] {
  return Object.keys(value).filter((key) => !mapped.includes(key));
}
