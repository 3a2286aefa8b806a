import { describe, expect, it } from 'vitest';
import { RequestAbort, SharedAbort } from './request-signal.js';

describe.each([
  ['RequestAbort', () => new RequestAbort()],
  ['SharedAbort', () => new SharedAbort()],
])('%s', (_name, create) => {
  it('runs each listener once, in order, and keeps the reason', () => {
    const signal = create();
    const calls: string[] = [];
    signal.addEventListener('abort', () => calls.push(`a:${String(signal.reason)}`));
    signal.addEventListener('abort', () => calls.push('b'), { once: true });
    expect(signal.aborted).toBe(false);
    signal.abort('gone');
    signal.abort('again');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('gone');
    expect(calls).toEqual(['a:gone', 'b']);
  });

  it('does not run a removed listener, nor one added after the abort', () => {
    const signal = create();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    signal.addEventListener('abort', removed);
    signal.addEventListener('abort', () => calls.push('kept'));
    signal.removeEventListener('abort', removed);
    signal.removeEventListener('abort', () => {});
    signal.abort(new Error('x'));
    signal.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual(['kept']);
  });

  it('runs every listener when one throws, then throws the first error', () => {
    const signal = create();
    const calls: string[] = [];
    signal.addEventListener('abort', () => {
      throw new Error('first');
    });
    signal.addEventListener('abort', () => {
      throw new Error('second');
    });
    signal.addEventListener('abort', () => calls.push('last'));
    expect(() => signal.abort('why')).toThrow('first');
    expect(calls).toEqual(['last']);
  });
});

describe('SharedAbort (the server’s shutdown, listened to by every open stream)', () => {
  it('lets go of every listener removed or run, whatever their number', () => {
    const signal = new SharedAbort();
    const calls: string[] = [];
    const listeners = Array.from({ length: 10_000 }, (_, i) => () => calls.push(`gone ${i}`));
    for (const listener of listeners) signal.addEventListener('abort', listener);
    signal.addEventListener('abort', () => calls.push('kept'));
    for (const listener of listeners) signal.removeEventListener('abort', listener);
    expect(signal.listenerCount).toBe(1);
    signal.abort(new Error('x'));
    expect(calls).toEqual(['kept']);
    expect(signal.listenerCount).toBe(0);
  });

  it('does not run a listener another one removed before its turn (as AbortSignal)', () => {
    const calls: string[] = [];
    const run = (signal: Pick<SharedAbort, 'addEventListener' | 'removeEventListener'>) => {
      const second = () => calls.push('second');
      signal.addEventListener('abort', () => {
        calls.push('first');
        signal.removeEventListener('abort', second);
        signal.addEventListener('abort', () => calls.push('added while running'));
      });
      signal.addEventListener('abort', second);
    };
    const shared = new SharedAbort();
    run(shared);
    shared.abort('x');
    const controller = new AbortController();
    run(controller.signal);
    controller.abort('x');
    expect(calls).toEqual(['first', 'first']);
  });

  it('lets go of its listeners when one throws', () => {
    const signal = new SharedAbort();
    signal.addEventListener('abort', () => {
      throw new Error('first');
    });
    signal.addEventListener('abort', () => {});
    expect(() => signal.abort('why')).toThrow('first');
    expect(signal.listenerCount).toBe(0);
  });
});
