import { describe, expect, it } from 'vitest';
import { RequestAbort } from './request-signal.js';

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
