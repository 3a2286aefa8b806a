/** Readers of numeric HTTP header values that upstreams send as plain text. */

/** A header's finite number; `undefined` when it is absent, blank or not a number. */
export function headerNumber(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}
