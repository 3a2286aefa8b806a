/**
 * The plan of one exchange, decided once and read by every branch: which formats meet (and
 * whether they are the same), and how the answer is produced (the tagged `ResponseMode`).
 */
import type { WireFormatId } from '../formats/format.js';

/** The two formats of an exchange and the one question every branch asks of them. */
export interface FormatRoute {
  clientFormat: WireFormatId;
  upstreamFormat: WireFormatId;
  /**
   * Same format both sides: the client's body goes upstream as sent (with the upstream's model)
   * and the upstream's answer comes back as it came (with the client's model when a mapping
   * changed it, see `EncodeContext.model`); otherwise both
   * go through the IR.
   */
  sameFormat: boolean;
}

/** The route between a client format and an upstream format. */
export function routeBetween(
  clientFormat: WireFormatId,
  upstreamFormat: WireFormatId,
): FormatRoute {
  return { clientFormat, upstreamFormat, sameFormat: clientFormat === upstreamFormat };
}

/**
 * Whether a client body of `clientFormat` may go upstream as the client wrote it: the provider
 * can answer in that format (its own, or one it picks by model, `Provider.selectFormat`). When
 * not, every request of the route is converted, and its body's text is never sent.
 */
export function mayForwardClientText(
  provider: { format: WireFormatId; selectFormat?: unknown },
  clientFormat: WireFormatId,
): boolean {
  return provider.selectFormat !== undefined || provider.format === clientFormat;
}

/** How a response is produced. */
export type ResponseMode =
  /** Same format, both streaming: events forwarded, fixed only where the format needs it. */
  | 'passthrough'
  /** A streaming client over a stream of another format: through the IR, event by event. */
  | 'translate'
  /** A streaming client over one upstream body: the body judged, then written out as events. */
  | 'fake-stream'
  /** A non-streaming client over a stream: the stream is rebuilt into one body. */
  | 'reassemble'
  /** A non-streaming client over a non-streaming upstream body. */
  | 'convert';

/** The modes that answer with a stream the upstream is still writing. */
export type LiveStreamMode = Extract<ResponseMode, 'passthrough' | 'translate'>;

/** The modes that read the upstream's whole answer before the client gets anything. */
export type BufferedMode = Extract<ResponseMode, 'reassemble' | 'convert'>;

/** How an upstream stream reaches a streaming client: forwarded, or translated. */
export function liveStreamMode(route: FormatRoute): LiveStreamMode {
  return route.sameFormat ? 'passthrough' : 'translate';
}

/** Decides how the response is produced: the one place that makes this choice. */
export function planResponse(
  route: FormatRoute,
  options: { clientStream: boolean; upstreamStreams: boolean },
): ResponseMode {
  if (options.clientStream) {
    return options.upstreamStreams ? liveStreamMode(route) : 'fake-stream';
  }
  return options.upstreamStreams ? 'reassemble' : 'convert';
}

/**
 * The mode as the request record (access log, dashboard) names it: a fake stream is a
 * translation there, as it has always been logged.
 */
export function recordedMode(mode: ResponseMode): Exclude<ResponseMode, 'fake-stream'> {
  return mode === 'fake-stream' ? 'translate' : mode;
}
