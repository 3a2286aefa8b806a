/**
 * Carries reasoning values Chat has no field for (Anthropic signatures and redacted thinking,
 * Responses encrypted reasoning and item ids) through a Chat client and back, in the
 * non-standard assistant message field `reasoning_opaque` (a `packOpaque` string).
 *
 * Chat clients commonly send the assistant message they received back as it came (the SDKs keep
 * unknown fields), so an Anthropic upstream gets its thinking signatures again on the next turn,
 * which it requires when thinking and tool use are combined.
 */
import type { IrReasoningPart } from '../../ir/content.js';
import { packOpaque, unpackOpaque } from '../../ir/opaque.js';
import { getArray, getString, isRecord } from '../../util/json.js';

/** The field name on assistant messages (responses, stream deltas, and requests). */
export const REASONING_OPAQUE_FIELD = 'reasoning_opaque';

/** What one reasoning part needs to come back whole. */
export interface ReasoningEntry {
  text: string;
  signature?: string;
  encryptedContent?: string;
  redactedData?: string;
  id?: string;
}

/** A reasoning part's entry. */
export function reasoningEntry(part: Omit<IrReasoningPart, 'type'>): ReasoningEntry {
  return {
    text: part.text,
    ...(part.signature !== undefined ? { signature: part.signature } : {}),
    ...(part.encryptedContent !== undefined ? { encryptedContent: part.encryptedContent } : {}),
    ...(part.redactedData !== undefined ? { redactedData: part.redactedData } : {}),
    ...(part.id !== undefined ? { id: part.id } : {}),
  };
}

/** The packed value of all reasoning parts of a turn, or `undefined` when none holds an opaque value. */
export function packReasoning(entries: readonly ReasoningEntry[]): string | undefined {
  const opaque = entries.some(
    (entry) =>
      entry.signature !== undefined ||
      entry.encryptedContent !== undefined ||
      entry.redactedData !== undefined ||
      entry.id !== undefined,
  );
  return opaque ? packOpaque({ reasoning: entries }) : undefined;
}

/** The reasoning parts of a packed value, or `undefined` when it is not one of ours. */
export function unpackReasoning(value: string): IrReasoningPart[] | undefined {
  const fields = unpackOpaque(value);
  const entries = fields && getArray(fields, 'reasoning');
  if (entries === undefined) return undefined;
  const parts: IrReasoningPart[] = [];
  for (const entry of entries) {
    if (!isRecord(entry)) return undefined;
    const part: IrReasoningPart = { type: 'reasoning', text: getString(entry, 'text') ?? '' };
    const signature = getString(entry, 'signature');
    const encryptedContent = getString(entry, 'encryptedContent');
    const redactedData = getString(entry, 'redactedData');
    const id = getString(entry, 'id');
    if (signature !== undefined) part.signature = signature;
    if (encryptedContent !== undefined) part.encryptedContent = encryptedContent;
    if (redactedData !== undefined) part.redactedData = redactedData;
    if (id !== undefined) part.id = id;
    parts.push(part);
  }
  return parts;
}
