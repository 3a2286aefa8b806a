/** The pipeline's services, made from the app's: clocks, ids, capture, metrics, the store. */
import type { PipelineDeps } from '../pipeline/context.js';
import { createId } from '../util/ids.js';
import type { AppDeps } from './app-deps.js';

/** The pipeline's dependencies; an unknown upstream event type is logged once, always counted. */
export function createPipelineDeps(deps: AppDeps, now: () => number): PipelineDeps {
  const seenUnknown = new Set<string>();
  return {
    formats: deps.formats,
    logger: deps.logger,
    now,
    unixSeconds: () => Math.floor(Date.now() / 1000),
    createId: (prefix) => createId(prefix),
    reportUnknownEvent(format, type) {
      deps.metrics?.unknownEvents.inc({ format, type });
      const key = `${format}:${type}`;
      if (seenUnknown.has(key)) return;
      seenUnknown.add(key);
      deps.logger.warn({ format, event_type: type }, 'unknown upstream event type');
    },
    ...(deps.startCapture ? { startCapture: deps.startCapture } : {}),
    ...(deps.shutdown ? { shutdown: deps.shutdown } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...(deps.responsesStore ? { responsesStore: deps.responsesStore } : {}),
  };
}
