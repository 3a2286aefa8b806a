/** Host and Origin guards on their own: parsing, loopback and listed names, origin rules. */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { isProxyError } from '../errors.js';
import { hostGuard, isAllowedOrigin, parseHostHeader } from './request-guards.js';

function appWith(guard: ReturnType<typeof hostGuard>) {
  const app = new Hono();
  app.use('*', guard);
  app.get('/', (c) => c.text('ok'));
  app.onError((error, c) => c.text('refused', isProxyError(error) ? (error.status as 421) : 500));
  return app;
}

describe('request guards', () => {
  it('parses Host headers', () => {
    expect(parseHostHeader('LocalHost:8000')).toEqual({ name: 'localhost', port: 8000 });
    expect(parseHostHeader('[::1]:9')).toEqual({ name: '::1', port: 9 });
    expect(parseHostHeader('[::1]')).toEqual({ name: '::1' });
    expect(parseHostHeader('example.com')).toEqual({ name: 'example.com' });
  });

  it('beyond loopback, enforces allowed_hosts only when set, and lets IP addresses through', async () => {
    const open = appWith(hostGuard({ loopbackBind: false, allowedHosts: [] }));
    expect((await open.request('/', { headers: { host: 'anything.example' } })).status).toBe(200);
    const listed = appWith(hostGuard({ loopbackBind: false, allowedHosts: ['proxy.lan'] }));
    expect((await listed.request('/', { headers: { host: 'proxy.lan:8000' } })).status).toBe(200);
    expect((await listed.request('/', { headers: { host: '10.0.0.5:8000' } })).status).toBe(200);
    expect((await listed.request('/', { headers: { host: 'evil.example' } })).status).toBe(421);
  });

  it('on a loopback bind, refuses IP addresses that are not loopback ones', async () => {
    const app = appWith(hostGuard({ loopbackBind: true, allowedHosts: [] }));
    expect((await app.request('/', { headers: { host: '192.168.1.5:8000' } })).status).toBe(421);
    expect((await app.request('/', { headers: { host: '127.0.0.2:8000' } })).status).toBe(200);
    expect((await app.request('/', { headers: { host: 'app.localhost' } })).status).toBe(200);
  });

  it('allows loopback origins, listed ones, and any with "*"', () => {
    expect(isAllowedOrigin('http://localhost:3000', [])).toBe(true);
    expect(isAllowedOrigin('https://127.0.0.1', [])).toBe(true);
    expect(isAllowedOrigin('http://localhost.evil.example', [])).toBe(false);
    expect(isAllowedOrigin('null', [])).toBe(false);
    expect(isAllowedOrigin('https://App.Example.com', ['https://app.example.com/'])).toBe(true);
    expect(isAllowedOrigin('https://other.example', ['*'])).toBe(true);
  });
});
