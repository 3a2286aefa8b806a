import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RawHeaders } from './raw-headers.js';

/** Header records as undici's `request` gives them: lower-case names, repeated ones as arrays. */
const rawRecord = fc.dictionary(
  fc.constantFrom(
    'content-type',
    'retry-after',
    'set-cookie',
    'x-a',
    'x-codex-primary-used-percent',
    'vary',
  ),
  fc.oneof(
    fc.stringMatching(/^[ -~]{0,12}$/).map((value) => value.trim()),
    fc.array(fc.stringMatching(/^[!-~]{1,8}$/), { minLength: 1, maxLength: 3 }),
  ),
);

function webHeaders(raw: Record<string, string | string[]>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const item of typeof value === 'string' ? [value] : value) headers.append(name, item);
  }
  return headers;
}

describe('RawHeaders', () => {
  it('reads and iterates like a web Headers built from the same record', () => {
    fc.assert(
      fc.property(
        rawRecord,
        fc.constantFrom('Content-Type', 'SET-COOKIE', 'x-a', 'X-Missing'),
        (raw, name) => {
          const ours = new RawHeaders(raw);
          const web = webHeaders(raw);
          expect(ours.get(name)).toBe(web.get(name));
          expect(ours.has(name)).toBe(web.has(name));
          expect(ours.getSetCookie()).toEqual(web.getSetCookie());
          expect([...ours]).toEqual([...web]);
          expect([...ours.keys()]).toEqual([...web.keys()]);
          expect([...ours.values()]).toEqual([...web.values()]);
          const seen: string[] = [];
          ours.forEach((value, key) => {
            seen.push(`${key}=${value}`);
          });
          expect(seen).toEqual([...web].map(([key, value]) => `${key}=${value}`));
        },
      ),
    );
  });

  it('writes to its own copy, never to the record it was given', () => {
    const raw = { 'content-type': 'text/event-stream' };
    const headers = new RawHeaders(raw);
    headers.set('X-Request-Id', 'r1');
    headers.append('vary', 'Origin');
    headers.append('vary', 'Accept');
    headers.delete('content-type');
    expect(raw).toEqual({ 'content-type': 'text/event-stream' });
    expect(headers.get('x-request-id')).toBe('r1');
    expect(headers.get('vary')).toBe('Origin, Accept');
    expect(headers.has('content-type')).toBe(false);
  });
});
