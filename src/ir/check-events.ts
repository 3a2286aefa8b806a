/** Grammar checker for neutral event streams, used by decoder tests and debug mode. */
import type { IrBlockKind, IrEvent } from './events.js';

function blockOf(
  type: IrEvent['type'],
): { kind: IrBlockKind; phase: 'start' | 'delta' | 'end' } | undefined {
  const match = /^(text|refusal|reasoning|tool-call)-(start|delta|end|annotation)$/.exec(type);
  if (!match) return undefined;
  const phase = match[2] === 'annotation' ? 'delta' : (match[2] as 'start' | 'delta' | 'end');
  return { kind: match[1] as IrBlockKind, phase };
}

/**
 * Returns every way `events` breaks the IR grammar (see `IrEvent`), as readable sentences;
 * an empty list means the stream is well formed. Pass `complete: false` for a stream that is
 * still running (then a missing end is not a problem).
 */
export function checkEvents(
  events: readonly IrEvent[],
  options: { complete?: boolean } = {},
): string[] {
  const complete = options.complete ?? true;
  const problems: string[] = [];
  const open = new Map<number, IrBlockKind>();
  const seen = new Set<number>();
  let nextIndex = 0;
  let ended = false;

  events.forEach((event, position) => {
    const at = `event ${position} (${event.type})`;
    if (position === 0 && event.type !== 'message-start') {
      problems.push(`${at}: the first event must be message-start`);
    }
    if (position > 0 && event.type === 'message-start')
      problems.push(`${at}: message-start repeated`);
    if (ended) problems.push(`${at}: event after the end of the stream`);
    if (event.type === 'message-end' || event.type === 'error') {
      ended = true;
      if (event.type === 'message-end' && open.size > 0) {
        problems.push(`${at}: blocks still open: ${[...open.keys()].join(', ')}`);
      }
      return;
    }
    if (event.type === 'opaque') {
      if (seen.has(event.index)) problems.push(`${at}: index ${event.index} reused`);
      if (event.index !== nextIndex)
        problems.push(`${at}: index ${event.index} is not the next dense index ${nextIndex}`);
      seen.add(event.index);
      nextIndex = Math.max(nextIndex, event.index + 1);
      return;
    }
    const block = blockOf(event.type);
    if (!block || !('index' in event)) return;
    const index = event.index;
    if (block.phase === 'start') {
      if (seen.has(index)) problems.push(`${at}: index ${index} reused`);
      if (index !== nextIndex)
        problems.push(`${at}: index ${index} is not the next dense index ${nextIndex}`);
      seen.add(index);
      open.set(index, block.kind);
      nextIndex = Math.max(nextIndex, index + 1);
      return;
    }
    const openKind = open.get(index);
    if (openKind === undefined) {
      problems.push(`${at}: block ${index} is not open`);
    } else if (openKind !== block.kind) {
      problems.push(`${at}: block ${index} is a ${openKind} block`);
    }
    if (block.phase === 'end') open.delete(index);
  });

  if (complete && !ended) problems.push('the stream has no message-end or error event');
  return problems;
}
