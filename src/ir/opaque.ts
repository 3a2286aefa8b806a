/**
 * Carries one provider's opaque values through another format's opaque field, and back.
 *
 * Example: Codex's encrypted reasoning reaches an Anthropic client as a thinking block whose
 * `signature` is `packOpaque({...})`; when the client sends that block back, the Anthropic decoder
 * unpacks it and the Responses encoder gets its `encrypted_content` again. A packed value is
 * recognisable, so it is never sent to an upstream that did not produce it.
 */

const PREFIX = 'ccpx1.';

/** Packs fields into one opaque string (`ccpx1.` + base64url JSON). */
export function packOpaque(fields: Record<string, unknown>): string {
  return PREFIX + Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

/** Unpacks a string made by `packOpaque`; `undefined` for any other string. */
export function unpackOpaque(value: string): Record<string, unknown> | undefined {
  if (!value.startsWith(PREFIX)) return undefined;
  try {
    const parsed: unknown = JSON.parse(
      Buffer.from(value.slice(PREFIX.length), 'base64url').toString('utf8'),
    );
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** True when the string was made by `packOpaque`. */
export function isPackedOpaque(value: string): boolean {
  return value.startsWith(PREFIX);
}
