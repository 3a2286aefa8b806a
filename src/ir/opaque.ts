/**
 * Carries one provider's opaque values through another format's opaque field, and back.
 *
 * Example: Codex's encrypted reasoning reaches an Anthropic client as a thinking block whose
 * `signature` is `packOpaque({...})`; when the client sends that block back, the Anthropic decoder
 * unpacks it and the Responses encoder gets its `encrypted_content` again. A packed value is
 * recognisable, so it is never sent to an upstream that did not produce it.
 *
 * Two forms are read; the second is written:
 * - `ccpx1.` + base64url of the fields' JSON;
 * - `ccpx2.` + base64url of the fields' JSON in which each blob (a string without a `~` under
 *   one of `BLOB_KEYS`) is replaced by its number, then `~` + each blob as it is. The blobs are
 *   the bulk of a packed value (Codex's encrypted reasoning, 20 KB and more an item) and are
 *   base64 already: encoding them again made the value a third longer, in the answer and in
 *   every later request that sends the turn back, and cost the time to encode it (issue 13: 4%
 *   of the report route's CPU). The packed value is a string inside the client's JSON, so a
 *   blob may hold any character but the `~` that separates them. (Not a `.`: JSON text in
 *   base64url starts with `eyJ`, and dots after it would make the value look like a JWT, which
 *   the log redaction replaces.)
 */

const PREFIX_V1 = 'ccpx1.';
const PREFIX_V2 = 'ccpx2.';
/** Between the packed JSON and each blob (in no base64 alphabet). */
const SEPARATOR = '~';

/** The fields whose string values are carried as blobs when they hold no `~`. */
const BLOB_KEYS: ReadonlySet<string> = new Set(['encryptedContent', 'signature', 'redactedData']);

/** Packs fields into one opaque string (`ccpx2.`, see the module's comment). */
export function packOpaque(fields: Record<string, unknown>): string {
  const blobs: string[] = [];
  let numbered = false;
  const skeleton = JSON.stringify(fields, (key, value: unknown) => {
    if (!BLOB_KEYS.has(key)) return value;
    // A number there would read back as a blob's: such fields keep the first form.
    if (typeof value === 'number') numbered = true;
    if (typeof value !== 'string' || value.includes(SEPARATOR)) return value;
    blobs.push(value);
    return blobs.length - 1;
  });
  if (numbered)
    return PREFIX_V1 + Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
  let packed = PREFIX_V2 + Buffer.from(skeleton, 'utf8').toString('base64url');
  for (const blob of blobs) packed += SEPARATOR + blob;
  return packed;
}

/** Unpacks a string made by `packOpaque` (either form); `undefined` for any other string. */
export function unpackOpaque(value: string): Record<string, unknown> | undefined {
  if (value.startsWith(PREFIX_V2)) return unpackV2(value);
  if (!value.startsWith(PREFIX_V1)) return undefined;
  return parseFields(Buffer.from(value.slice(PREFIX_V1.length), 'base64url').toString('utf8'));
}

function unpackV2(value: string): Record<string, unknown> | undefined {
  const parts = value.slice(PREFIX_V2.length).split(SEPARATOR);
  const blobs = parts.slice(1);
  let valid = true;
  const fields = parseFields(
    Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'),
    (key, field: unknown) => {
      if (!BLOB_KEYS.has(key) || typeof field !== 'number') return field;
      const blob = Number.isInteger(field) ? blobs[field] : undefined;
      if (blob === undefined) valid = false;
      return blob;
    },
  );
  return valid ? fields : undefined;
}

/** The fields of a packed JSON text; `undefined` when it is no JSON object. */
function parseFields(
  text: string,
  reviver?: (key: string, value: unknown) => unknown,
): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text, reviver);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** True when the string was made by `packOpaque` (either form). */
export function isPackedOpaque(value: string): boolean {
  return value.startsWith(PREFIX_V2) || value.startsWith(PREFIX_V1);
}
