/** Adapts a stream step to a Web `TransformStream`; the only place that touches its controller. */
import type { StreamStep } from './step.js';

/** Wraps `step` as a `TransformStream` for `pipeThrough` composition. */
export function toTransformStream<In, Out>(step: StreamStep<In, Out>): TransformStream<In, Out> {
  return new TransformStream<In, Out>({
    transform(chunk, controller) {
      for (const value of step.push(chunk)) controller.enqueue(value);
    },
    flush(controller) {
      for (const value of step.end()) controller.enqueue(value);
    },
  });
}

/** Reads a whole stream into an array. */
export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const items: T[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return items;
    items.push(value);
  }
}
