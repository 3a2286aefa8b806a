/**
 * How far V8 lets the old generation grow past what survived its last full collection before it
 * collects again (`server.heap_growth_percent`). Left to itself, V8 picks up to 300% while the
 * program allocates fast, which a proxy under load always does: on the bench's Responses stream
 * row (issue 13) the heap then peaked near 140 MB and RSS at 266 MiB, over 24 MB of live heap,
 * nearly all of it code and module sources.
 * Measured on the Responses rows (peak RSS; CPU per request in interleaved A/B runs against
 * V8's choice): 100% about 185 MiB for 7% more CPU, 75% (the default) about 180 MiB for 9-11%
 * more, 50% about 165 MiB for 11-16% more than 75%; the Chat stream row's CPU did not change
 * (it keeps little alive). 0 leaves the choice to V8.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Sets the growth for the whole process (a V8 flag V8 reads at every full collection, so it
 * takes effect at once). Only `ccproxy serve` calls it: the process is the proxy's own.
 */
export function setHeapGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0) {
    throw new RangeError(`heap growth must be a whole number of percent >= 0, got ${percent}`);
  }
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
