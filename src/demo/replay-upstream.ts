/**
 * The demo upstream: one loopback server that answers as the Codex backend, the Anthropic API,
 * GitHub's Copilot token exchange and the Copilot API, from the transcripts in `demo/`. It lets
 * `ccproxy serve --demo` run the real code path with no account.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chooseToolCall, type DemoApi, rewriteToolCall } from './demo-tools.js';

/** The folder of transcripts shipped with the package (`demo/` at its root). */
export const DEMO_DIR = new URL('../../demo/', import.meta.url);

/** A running demo upstream. */
export interface DemoUpstream {
  url: string;
  close(): Promise<void>;
}

function load(name: string): Buffer {
  return readFileSync(new URL(name, DEMO_DIR));
}

function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}');
        resolve(
          typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {},
        );
      } catch {
        resolve({});
      }
    });
  });
}

function send(response: ServerResponse, status: number, type: string, body: Buffer | string): void {
  response.writeHead(status, { 'content-type': type });
  response.end(body);
}

/** Starts the demo upstream on 127.0.0.1 with a free port. */
export async function startDemoUpstream(): Promise<DemoUpstream> {
  let url = '';
  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    const path = (request.url ?? '/').split('?')[0];
    /** Replays `<prefix>-text` or, when the request calls for one, `<prefix>-tool-call`. */
    const answer = (api: DemoApi, prefix: string, stream: boolean) => {
      const call = chooseToolCall(api, body);
      const kind = stream ? 'sse' : 'json';
      const type = stream ? 'text/event-stream' : 'application/json';
      if (!call) return send(response, 200, type, load(`${prefix}-text.${kind}`));
      const recorded = load(`${prefix}-tool-call.${kind}`).toString('utf8');
      return send(response, 200, type, rewriteToolCall(api, kind, recorded, call));
    };
    const json = (name: string) => send(response, 200, 'application/json', load(name));
    switch (path) {
      case '/backend-api/codex/responses':
        return answer('responses', 'codex', true);
      case '/v1/messages':
        return answer('messages', 'claude', body.stream === true);
      case '/v1/messages/count_tokens':
        return send(
          response,
          200,
          'application/json',
          JSON.stringify({ input_tokens: Math.ceil(JSON.stringify(body).length / 4) }),
        );
      case '/copilot_internal/v2/token':
        return send(
          response,
          200,
          'application/json',
          JSON.stringify({
            token: 'demo-copilot-token',
            expires_at: Math.floor(Date.now() / 1000) + 3600,
            endpoints: { api: `${url}/copilot` },
          }),
        );
      case '/copilot/chat/completions':
        return answer('chat', 'chat', body.stream === true);
      case '/copilot/responses':
        // No recorded non-streaming Responses tool call: that answer is always text.
        return body.stream ? answer('responses', 'codex', true) : json('responses-text.json');
      case '/copilot/v1/messages':
        return answer('messages', 'claude', body.stream === true);
      case '/copilot/models':
        return send(
          response,
          200,
          'application/json',
          JSON.stringify({
            data: [
              {
                id: 'gpt-4.1',
                name: 'GPT-4.1',
                vendor: 'demo',
                supported_endpoints: ['/chat/completions'],
              },
              {
                id: 'gpt-5.1',
                name: 'GPT-5.1',
                vendor: 'demo',
                supported_endpoints: ['/chat/completions', '/responses'],
              },
              {
                id: 'claude-sonnet-4.5',
                name: 'Claude Sonnet 4.5',
                vendor: 'demo',
                supported_endpoints: ['/chat/completions', '/v1/messages'],
              },
            ],
          }),
        );
      default:
        return send(
          response,
          404,
          'application/json',
          JSON.stringify({ error: { message: `demo upstream has no ${path}` } }),
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
