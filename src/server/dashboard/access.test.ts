import { describe, expect, it } from 'vitest';
import { dashboardAccess, hostName, SESSION_COOKIE, sessionToken } from './access.js';

const request = (headers: Record<string, string>, remoteAddress?: string, authToken?: string) =>
  dashboardAccess({ headers: new Headers(headers), remoteAddress, authToken });

describe('dashboardAccess', () => {
  it('lets a keyless server serve loopback clients that name a loopback host, and no one else', () => {
    expect(request({ host: 'localhost:8000' }, '127.0.0.1')).toBe('allowed');
    expect(request({ host: '[::1]:8000' }, '::1')).toBe('allowed');
    expect(request({ host: '127.0.0.1' }, '::ffff:127.0.0.1')).toBe('allowed');
    expect(request({ host: '192.168.1.20:8000' }, '192.168.1.7')).toBe('forbidden');
    expect(request({ host: 'localhost:8000' }, '10.0.0.5')).toBe('forbidden');
    expect(request({ host: 'rebind.example:8000' }, '127.0.0.1')).toBe('forbidden');
    expect(request({}, '127.0.0.1')).toBe('forbidden');
    expect(request({ host: 'localhost' }, undefined)).toBe('forbidden');
  });

  it('with a key, takes the key in a header or the session cookie, from anywhere', () => {
    const key = 'k-123';
    expect(request({ authorization: `Bearer ${key}` }, '10.0.0.5', key)).toBe('allowed');
    expect(request({ 'x-api-key': key }, '10.0.0.5', key)).toBe('allowed');
    expect(
      request({ cookie: `a=b; ${SESSION_COOKIE}=${sessionToken(key)}` }, '10.0.0.5', key),
    ).toBe('allowed');
    expect(request({ cookie: `${SESSION_COOKIE}=${sessionToken('other')}` }, '::1', key)).toBe(
      'login',
    );
    expect(request({ authorization: 'Bearer wrong' }, '127.0.0.1', key)).toBe('login');
    expect(request({}, '127.0.0.1', key)).toBe('login');
  });

  it('derives a session token that is not the key and changes with it', () => {
    expect(sessionToken('abc')).not.toContain('abc');
    expect(sessionToken('abc')).toBe(sessionToken('abc'));
    expect(sessionToken('abc')).not.toBe(sessionToken('abd'));
  });

  it('reads host names without ports', () => {
    expect(hostName('localhost:80')).toBe('localhost');
    expect(hostName('[::1]:80')).toBe('[::1]');
    expect(hostName('example.com')).toBe('example.com');
  });
});
