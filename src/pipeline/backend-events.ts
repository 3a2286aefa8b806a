/** The provider's taker of its upstream's own stream events, behind the pipeline's guard. */
import type { BackendEventSink } from '../formats/format.js';
import type { Logger } from '../observability/logger.js';

/**
 * `take` (the answering provider's, `UpstreamResponse.onBackendEvent`) guarded: it runs inside the
 * stream's step, and what it reads is the provider's business (plan usage), so a failure there is
 * logged once and never costs the client's stream.
 */
export function guardBackendEvents(
  take: BackendEventSink | undefined,
  logger: Logger,
): BackendEventSink | undefined {
  if (take === undefined) return undefined;
  let logged = false;
  return (event) => {
    try {
      take(event);
    } catch (error) {
      if (logged) return;
      logged = true;
      logger.warn({ err: error, event_type: event.type }, 'reading an upstream event failed');
    }
  };
}
