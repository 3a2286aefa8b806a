import { describe, expect, it } from 'vitest';
import { RequestAbort, SharedAbort } from './request-signal.js';

describe('RequestAbort', () => {
  it('runs each listener once, in order, and keeps the reason', () => {
    const signal = new RequestAbort();
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
    const signal = new RequestAbort();
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
    const signal = new RequestAbort();
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

describe('SharedAbort', () => {
  it('runs each listener once, in order, and keeps the reason', () => {
    const signal = new SharedAbort();
    const calls: string[] = [];
    signal.addEventListener('abort', () => calls.push(`a:${String(signal.reason)}`));
    signal.addEventListener('abort', () => calls.push('b'), { once: true });
    signal.abort('gone');
    signal.abort('again');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('gone');
    expect(calls).toEqual(['a:gone', 'b']);
    expect(signal.listenerCount).toBe(0);
  });

  it('lets go of removed listeners, and runs neither those nor one added later', () => {
    const signal = new SharedAbort();
    const calls: string[] = [];
    const listeners = Array.from({ length: 10_000 }, (_, i) => () => calls.push(`gone ${i}`));
    for (const listener of listeners) signal.addEventListener('abort', listener);
    signal.addEventListener('abort', () => calls.push('kept'));
    for (const listener of listeners) signal.removeEventListener('abort', listener);
    expect(signal.listenerCount).toBe(1);
    signal.abort(new Error('x'));
    signal.addEventListener('abort', () => calls.push('late'));
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

  it('runs every listener when one throws, then throws the first error', () => {
    const signal = new SharedAbort();
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
    expect(signal.listenerCount).toBe(0);
  });
});
