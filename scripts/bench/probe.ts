/**
 * Preloaded (`node --import`) into every server the bench measures, ccproxy included, so the
 * harness can read the process's own CPU time and memory over the IPC channel without any code
 * in ccproxy. Answers `{ type: 'usage', window? }` with the CPU time since start, the monotonic
 * clock, current RSS and, for a measuring window (`open` ... `close`), the peak RSS sampled every
 * 50 ms inside it (sampling runs only inside a window, so idle servers do no extra work).
 */

/** What the harness sends. */
export interface ProbeRequest {
  type: 'usage';
  /** `open` starts a peak-RSS window, `close` ends it (the answer carries its peak). */
  window?: 'open' | 'close';
}

/** What the probe answers. */
export interface ProbeUsage {
  type: 'usage';
  /** User + system CPU time of the whole process since it started, in microseconds. */
  cpuMicros: number;
  /** The monotonic clock in microseconds (the clock of `--cpu-prof` timestamps on Linux). */
  monotonicMicros: number;
  rssBytes: number;
  /** Highest sampled RSS in the current or just closed window. */
  peakRssBytes: number;
  /** At that peak: the V8 heap (`heapTotal`) and the memory outside it that V8 tracks (`external`: Buffers). */
  peakHeapBytes: number;
  peakExternalBytes: number;
  /** The kernel's peak RSS of the process's whole life, in bytes. */
  maxRssBytes: number;
}

const SAMPLE_MS = 50;

if (process.send) {
  let peak = 0;
  let peakHeap = 0;
  let peakExternal = 0;
  let sampler: NodeJS.Timeout | undefined;
  /** Records `rss` when it is a new peak, with what it is made of (read only then: cheap). */
  const note = (rss: number) => {
    if (rss <= peak) return;
    const usage = process.memoryUsage();
    peak = rss;
    peakHeap = usage.heapTotal;
    peakExternal = usage.external;
  };
  const sample = () => note(process.memoryUsage.rss());
  process.on('message', (message: ProbeRequest) => {
    if (message?.type !== 'usage') return;
    const rss = process.memoryUsage.rss();
    if (message.window === 'open') peak = 0;
    note(rss);
    if (message.window === 'open') {
      clearInterval(sampler);
      sampler = setInterval(sample, SAMPLE_MS);
      sampler.unref();
    } else if (message.window === 'close') {
      clearInterval(sampler);
      sampler = undefined;
    }
    const cpu = process.cpuUsage();
    const usage: ProbeUsage = {
      type: 'usage',
      cpuMicros: cpu.user + cpu.system,
      monotonicMicros: Number(process.hrtime.bigint() / 1000n),
      rssBytes: rss,
      peakRssBytes: peak,
      peakHeapBytes: peakHeap,
      peakExternalBytes: peakExternal,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    process.send?.(usage);
  });
  // The channel must not keep a server alive that would otherwise exit.
  process.channel?.unref();
}
