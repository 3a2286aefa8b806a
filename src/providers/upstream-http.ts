/** What every provider needs to reach its upstream: the pool, the timeouts, the retry policy. */
import type { Dispatcher } from 'undici';
import type { UpstreamHttpSettings } from '../http/upstream-fetch.js';

/** The shared upstream HTTP settings (the client's abort signal is added per request). */
export interface UpstreamHttp extends UpstreamHttpSettings {
  dispatcher: Dispatcher;
}
