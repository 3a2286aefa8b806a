import { describe, expect, it } from 'vitest';
import { createId } from './ids.js';

describe('createId', () => {
  it('makes ids of the prefix and the asked length from the alphabet', () => {
    expect(createId('msg_')).toMatch(/^msg_[A-Za-z0-9]{24}$/);
    expect(createId('req_', 20)).toMatch(/^req_[A-Za-z0-9]{20}$/);
  });

  it('never repeats an id across refills of its random pool', () => {
    const ids = new Set<string>();
    // 2,000 ids of 24 bytes: the 8 KiB pool is refilled about six times.
    for (let i = 0; i < 2000; i++) ids.add(createId('x_'));
    expect(ids.size).toBe(2000);
  });
});
