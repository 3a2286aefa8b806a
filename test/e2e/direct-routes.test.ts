/**
 * The proxied routes are served on Node's request directly (server/direct-routes.ts), and by the
 * Hono app for paths it does not take (here: a percent-encoded one, which Hono decodes to the
 * same route). Both must answer alike: the same body, headers, guards and access-log line.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { loadFixtureJson } from '../helpers/fixtures.js';
import { accessLine, startProxy } from '../helpers/proxy.js';
import { closeServersAfterEach } from '../helpers/servers.js';

const servers = closeServersAfterEach();

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

function post(url: string, path: string, headers: Record<string, string>, body: string) {
  const { hostname, port } = new URL(url);
  return new Promise<Answer>((resolve, reject) => {
    const request = httpRequest(
      {
        host: hostname,
        port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: JSON.parse(text),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** What may differ between two answers to the same request: ids and times. */
function comparable(answer: Answer) {
  const { date: _date, 'x-request-id': _id, ...headers } = answer.headers;
  const { id: _bodyId, ...body } = answer.body;
  return { status: answer.status, headers, body };
}

describe('direct routes and the Hono app', () => {
  it('answer alike: answers, guards, errors in the client format and access-log lines', async () => {
    const expected = loadFixtureJson('openai-chat', 'text-then-tools.expected.json');
    servers.upstream = await startFakeUpstream(() => ({ body: expected }));
    servers.proxy = await startProxy({
      config: {
        security: { auth_token: 'proxy-key-0123456789' },
        providers: { local: { base_url: `${servers.upstream.url}/v1`, api_key: 'sk-local' } },
      },
    });
    const { url } = servers.proxy;
    const host = new URL(url).host;
    const chat = JSON.stringify({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'x' }],
    });
    const direct = '/local/v1/chat/completions';
    const viaHono = '/local/v1/chat/%63ompletions';
    const key = { authorization: 'Bearer proxy-key-0123456789', 'x-request-id': 'req-same' };
    const cases: Array<{ headers: Record<string, string>; body: string; status: number }> = [
      { headers: key, body: chat, status: 200 },
      { headers: { ...key, origin: 'http://localhost:5173' }, body: chat, status: 200 },
      { headers: { ...key, origin: 'https://evil.example' }, body: chat, status: 403 },
      { headers: { ...key, host: 'rebound.example' }, body: chat, status: 421 },
      { headers: { origin: 'http://localhost:5173' }, body: chat, status: 401 },
      { headers: key, body: '{"model": 1, "messages": []}', status: 400 },
      { headers: key, body: '{not json', status: 400 },
    ];
    for (const { headers, body, status } of cases) {
      const a = await post(url, direct, { host, ...headers }, body);
      const b = await post(url, viaHono, { host, ...headers }, body);
      expect(a.status).toBe(status);
      expect(comparable(a)).toEqual(comparable(b));
      for (const answer of [a, b]) {
        expect(answer.headers['x-request-id']).toMatch(headers['x-request-id'] ?? /^req_/);
      }
    }
    expect(servers.upstream.requests).toHaveLength(4);

    // Both requests of the first case were logged with the same route, status and model.
    const lines = servers.proxy
      .logs()
      .filter((line) => line.msg === 'access')
      .map((line) => line.access as Record<string, unknown>);
    const [first, second] = lines.filter((line) => line.request_id === 'req-same');
    expect(first).toMatchObject({
      route: '/local/v1/chat/completions',
      status: 200,
      model: 'gpt-4.1-mini',
    });
    expect({ ...second, path: first!.path, duration_ms: 0, ttfb_ms: 0 }).toEqual({
      ...first,
      duration_ms: 0,
      ttfb_ms: 0,
    });
    await accessLine(servers.proxy, 'req-same');
  });
});
