/** Response headers for an SSE stream. */

/** Headers every SSE response of the proxy carries. */
export function sseResponseHeaders(): Record<string, string> {
  return {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  };
}
