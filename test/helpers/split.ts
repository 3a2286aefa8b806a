/** Splits byte streams at random places, reproducibly, the way a network does. */

/** A small seeded PRNG (mulberry32), so a failing split can be replayed from its seed. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `bytes` into chunks of 1..`maxChunk` bytes at random positions (even inside UTF-8). */
export function splitRandomly(bytes: Uint8Array, seed: number, maxChunk = 64): Uint8Array[] {
  const random = createRandom(seed);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

/** Cuts `bytes` at the given positions. */
export function splitAt(bytes: Uint8Array, positions: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(positions.filter((p) => p > 0 && p < bytes.length))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** `text` as UTF-8 bytes cut at `cuts` (any numbers, taken modulo its length plus one). */
export function cutText(text: string, cuts: readonly number[]): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  return splitAt(
    bytes,
    cuts.map((cut) => cut % (bytes.length + 1)),
  );
}
