/**
 * Two V8 heap settings that `ccproxy serve` makes for its own process (issue 13).
 *
 * **Growth** (`server.heap_growth_percent`): how far V8 lets the old generation grow past what
 * survived its last full collection before it collects again. Left to itself, V8 picks up to
 * 300% while the program allocates fast, which a proxy under load always does: on the bench's
 * Responses stream row the heap then peaked near 140 MB and RSS at 266 MiB, over 24 MB of live
 * heap, nearly all of it code and module sources.
 * Measured on the Responses rows (peak RSS; CPU per request in interleaved A/B runs against
 * V8's choice): 100% about 185 MiB for 7% more CPU, 75% (the default) about 180 MiB for 9-11%
 * more, 50% about 165 MiB for 11-16% more than 75%; the Chat stream row's CPU did not change
 * (it keeps little alive). 0 leaves the choice to V8.
 *
 * **Pretenuring** (`server.allocation_site_pretenuring`, off by default): V8 watches each object
 * and array literal in the code, and when nearly all the objects one of them made since the last
 * collection are still alive at a collection of a full-sized young generation, it decides that
 * the literal makes long-lived objects and allocates them in the old generation from then on.
 * A proxy's objects live as long as a request. When a per-request literal is caught that way (a
 * collection while its requests are in flight), its objects go to the old generation, where
 * they stay until the next full collection, dead or not; everything they point to in the young
 * generation then survives every young collection and is promoted too, so the objects of other
 * literals survive at the same rate, get the same decision, and the state keeps itself going.
 * (That chain is inferred: V8's trace, `--trace-pretenuring-statistics`, shows the decisions in
 * the processes that fell into the state, but not which literals they were.)
 * On the bench's `/claude` stream row (Node 20) about half of the processes fell into it after
 * a full collection: about 2.5 MB alive after each young collection instead of 0.5, 7-8 KB
 * promoted per request instead of 0.9, and 17-27 full collections in 4-5 s of load instead of
 * 1-3. With pretenuring off, none of 26 processes did (against 8 of 27 with it on, in the same
 * session and runs interleaved); fresh-process A/B runs on the other stream and non-stream rows
 * (8 rounds each) found no difference in CPU per request or throughput beyond their noise (±6%).
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

/**
 * Turns V8's allocation-site pretenuring on or off for the whole process (V8 reads the flag at
 * every collection; `serve` sets it before it serves). Only `ccproxy serve` calls it.
 */
export function setPretenuring(enabled: boolean): void {
  setFlagsFromString(
    enabled ? '--allocation-site-pretenuring' : '--no-allocation-site-pretenuring',
  );
}
