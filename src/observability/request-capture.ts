/** The capture sink of one request: what the pipeline shows the capture while it answers. */
/** A sink for one request's raw upstream bytes and the response the client got. */
export interface RequestCapture {
  /** Raw upstream body bytes, exactly as received. */
  upstream(bytes: Uint8Array): void;
  /** The upstream's status and headers. */
  upstreamResponse(status: number, headers: Headers): void;
  /** What the client receives, as it is written. */
  client(chunk: string | Uint8Array): void;
  /** The request is over; `body` is the client's JSON body when it was not a stream. */
  finish(summary: {
    status: number;
    body?: unknown;
    error?: { code: string; message: string };
  }): void;
}
