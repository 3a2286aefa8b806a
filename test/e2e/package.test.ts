/**
 * The package as a dependency: a consumer folder whose node_modules/ccproxy links to this repo
 * imports 'ccproxy' by name from the built dist/, converts, starts the proxy, and type-checks.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.js';
import { fixturePath, loadFixtureBytes } from '../helpers/fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

let consumer: string;
beforeAll(() => {
  consumer = mkdtempSync(join(tmpdir(), 'ccproxy-consumer-'));
  mkdirSync(join(consumer, 'node_modules'));
  symlinkSync(ROOT, join(consumer, 'node_modules', 'ccproxy'), 'dir');
  writeFileSync(join(consumer, 'package.json'), '{"type":"module","private":true}\n');
});
afterAll(() => rmSync(consumer, { recursive: true, force: true }));

async function node(script: string, env: Record<string, string> = {}) {
  writeFileSync(join(consumer, 'main.mjs'), script);
  return run(process.execPath, ['main.mjs'], {
    cwd: consumer,
    env: { PATH: process.env.PATH ?? '', HOME: consumer, ...env },
  });
}

describe("import 'ccproxy'", () => {
  it('has no side effects: importing prints nothing and lets the process exit', async () => {
    const { stdout, stderr } = await node(
      "const api = await import('ccproxy');\nconsole.log(Object.keys(api).sort().join(','));\n",
    );
    expect(stderr).toBe('');
    expect(stdout.trim().split(',')).toEqual(
      expect.arrayContaining(['convertRequest', 'convertResponse', 'convertStream', 'startProxy']),
    );
  });

  it('converts a request and a stream between formats', async () => {
    const script = `
import { readFileSync } from 'node:fs';
import { convertRequest, convertStream } from 'ccproxy';
const request = convertRequest(
  {
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'Hi' }],
    tools: [{ type: 'web_search_20250305', name: 'web_search' }],
  },
  { from: 'anthropic-messages', to: 'openai-chat' },
);
const bytes = readFileSync(${JSON.stringify(fixturePath('anthropic-messages', 'text.sse'))});
const { stream, warnings } = convertStream(
  new ReadableStream({ start(c) { c.enqueue(bytes); c.close(); } }),
  { from: 'anthropic-messages', to: 'openai-chat' },
);
const text = await new Response(stream).text();
console.log(JSON.stringify({ request, text, warnings }));
`;
    const { stdout } = await node(script);
    const out = JSON.parse(stdout) as {
      request: { body: Record<string, unknown>; warnings: Array<{ path?: string }> };
      text: string;
      warnings: unknown[];
    };
    expect(out.request.body).toMatchObject({
      model: 'claude-sonnet-4-6',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    // Chat Completions cannot offer Anthropic's hosted web search: dropped, and said so.
    expect(out.request.warnings).toEqual([expect.objectContaining({ path: 'tools' })]);
    const chunks = out.text
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: {'))
      .map(
        (frame) =>
          JSON.parse(frame.slice(6)) as { choices: Array<{ delta: { content?: string } }> },
      );
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(content.length).toBeGreaterThan(0);
    expect(out.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  describe('startProxy', () => {
    let upstream: FakeUpstream;
    beforeAll(async () => {
      upstream = await startFakeUpstream((request) =>
        request.path === '/v1/chat/completions'
          ? {
              headers: { 'content-type': 'text/event-stream' },
              sse: { bytes: loadFixtureBytes('openai-chat', 'text.sse'), seed: 1 },
            }
          : { status: 404, body: { error: { message: 'not found' } } },
      );
    });
    afterAll(() => upstream.close());

    it('serves a provider from settings and closes', async () => {
      const script = `
import { startProxy } from 'ccproxy';
const proxy = await startProxy({
  settings: {
    server: { port: 0 },
    enable_plugins: false,
    providers: { local: { base_url: process.env.UPSTREAM + '/v1', api_key_env: 'LOCAL_KEY' } },
  },
  env: { LOCAL_KEY: 'sk-local-test', HOME: process.env.HOME },
});
const response = await fetch(proxy.url + '/local/v1/messages', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'm', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }),
});
const body = await response.json();
await proxy.close();
console.log(JSON.stringify({ status: response.status, body, providers: proxy.providers }));
`;
      const { stdout } = await node(script, { UPSTREAM: upstream.url });
      const out = JSON.parse(stdout) as {
        status: number;
        body: { type: string; content: Array<{ type: string }> };
        providers: string[];
      };
      expect(out.providers).toEqual(['local']);
      expect(out.status).toBe(200);
      expect(out.body.type).toBe('message');
      expect(out.body.content[0]?.type).toBe('text');
      expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer sk-local-test');
    });
  });

  it('ships types: a consumer type-checks, and a wrong format id is a type error', async () => {
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          lib: ['es2023', 'dom'],
          strict: true,
          noEmit: true,
          types: [],
          skipLibCheck: true,
        },
        include: ['consumer.ts', 'readme-example.ts'],
      }),
    );
    writeFileSync(
      join(consumer, 'consumer.ts'),
      [
        "import { type ConversionWarning, convertRequest, type WireFormatId } from 'ccproxy';",
        "const to: WireFormatId = 'openai-responses';",
        "const result = convertRequest({ model: 'gpt-5.2', messages: [] }, { from: 'openai-chat', to });",
        'const warnings: ConversionWarning[] = result.warnings;',
        "// @ts-expect-error: 'openai-completions' is not a format ccproxy speaks",
        "convertRequest({}, { from: 'openai-completions', to });",
        'export { warnings };',
        '',
      ].join('\n'),
    );
    // The README's library example, as printed, type-checks against the built package.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Use it as a library'));
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toContain("from 'ccproxy'");
    writeFileSync(
      join(consumer, 'readme-example.ts'),
      [
        'declare const anthropicMessage: unknown;',
        'declare const anthropicStreamingRequest: RequestInit;',
        example,
        'export {};',
      ].join('\n'),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', consumer]).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
  });
});
