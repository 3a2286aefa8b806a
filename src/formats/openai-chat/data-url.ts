/** `data:` URLs, the way Chat requests carry inline images and files. */

const DATA_URL = /^data:([^;,]*);base64,/;

/** A base64 `data:` URL split into media type and data; `undefined` for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = DATA_URL.exec(url);
  if (match === null) return undefined;
  return { mediaType: match[1] ?? '', data: url.slice(match[0].length) };
}

/** The `data:` URL of base64 data. */
export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}
