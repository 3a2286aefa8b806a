/**
 * Builds Zstandard frames from raw and RLE blocks (RFC 8878), enough to send zstd request bodies
 * in tests: Node 20's zlib cannot compress zstd. RLE blocks make a small frame that decodes to
 * many bytes (a zstd bomb).
 */

/** One block: bytes stored as they are, or one byte repeated `size` times (at most 128 KiB). */
export type ZstdBlock = { raw: Uint8Array } | { rle: number; size: number };

const MAX_BLOCK = 128 * 1024;

/** A single zstd frame (no content size, no checksum, a 128 KiB window) holding `blocks`. */
export function zstdFrame(blocks: readonly ZstdBlock[]): Buffer {
  // Magic number, then a frame header descriptor of 0 (window descriptor follows) and a window
  // descriptor of exponent 7: 2^(10+7) = 128 KiB.
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  blocks.forEach((block, index) => {
    const last = index === blocks.length - 1 ? 1 : 0;
    const rle = 'rle' in block;
    const size = rle ? block.size : block.raw.length;
    if (size > MAX_BLOCK) throw new RangeError('a zstd block holds at most 128 KiB');
    const header = last | ((rle ? 1 : 0) << 1) | (size << 3);
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]));
    parts.push(rle ? Buffer.from([block.rle]) : Buffer.from(block.raw));
  });
  return Buffer.concat(parts);
}

/** `text` as one zstd frame of raw blocks. */
export function zstdRaw(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const blocks: ZstdBlock[] = [];
  for (let start = 0; start < bytes.length || blocks.length === 0; start += MAX_BLOCK) {
    blocks.push({ raw: bytes.subarray(start, start + MAX_BLOCK) });
  }
  return zstdFrame(blocks);
}
