/** Tests of Anthropic request decoding: same-format fidelity, structure and validation errors. */
import { describe, expect, it } from 'vitest';
import { loadFixtureJson } from '../../../test/helpers/fixtures.js';
import { isProxyError, type ProxyError } from '../../errors.js';
import { packOpaque } from '../../ir/opaque.js';
import { decodeAnthropicRequest } from './decode-request.js';
import { encodeAnthropicRequest } from './encode-request.js';

const claudeCode = () => loadFixtureJson('anthropic-messages', 'request-claude-code.json');
const sampling = () => loadFixtureJson('anthropic-messages', 'request-sampling.json');

function rejection(body: unknown): ProxyError {
  try {
    decodeAnthropicRequest(body);
  } catch (error) {
    if (isProxyError(error)) return error;
    throw error;
  }
  throw new Error('the request was accepted');
}

const minimal = { model: 'claude-sonnet-4-6', max_tokens: 100 };

describe('Anthropic request decoding and re-encoding (same format)', () => {
  for (const [name, load] of [
    ['a Claude Code request with every block and tool kind', claudeCode],
    ['a request with sampling parameters and string contents', sampling],
  ] as const) {
    it(`gives back ${name} exactly`, () => {
      const body = load();
      const decoded = decodeAnthropicRequest(body);
      const encoded = encodeAnthropicRequest(decoded.value);
      expect(encoded.value).toEqual(body);
      expect(encoded.warnings).toEqual([]);
    });
  }

  it('splits tool results out of user turns, results first', () => {
    const { value } = decodeAnthropicRequest(claudeCode());
    expect(value.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'user',
      'assistant',
      'tool',
      'user',
      'user',
      'tool',
      'user',
    ]);
    expect(value.messages[2]).toEqual({
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          callId: 'toolu_01A09q90qw90lq917835lq9',
          content: [{ type: 'text', text: expect.stringContaining('import { lowTide }') }],
          meta: { 'anthropic-messages': { contentString: true } },
        },
        {
          type: 'tool-result',
          callId: 'toolu_01B19r91rx91mr928946mr0',
          content: [
            { type: 'text', text: 'src/tides.ts:3:export function lowTide(port: string) {' },
            {
              type: 'image',
              source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQSkZJRgABAQ==' },
            },
          ],
          isError: false,
        },
      ],
    });
    expect(value.messages[3]).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'Also check the docs.' }],
    });
  });

  it('maps the top-level fields and keeps the rest in meta', () => {
    const { value, warnings } = decodeAnthropicRequest(claudeCode());
    expect(value).toMatchObject({
      model: 'claude-sonnet-4-5-20250929',
      maxOutputTokens: 32000,
      temperature: 1,
      stop: ['\n\nHuman:'],
      reasoning: { enabled: true, budgetTokens: 16000 },
      user: 'user_4f1c2e_account_9a8b_session_77aa',
      stream: true,
      toolChoice: { type: 'auto' },
      parallelToolCalls: false,
    });
    expect(value.system).toEqual([
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
      {
        type: 'text',
        text: 'Working directory: /home/dev/tides\nPlatform: linux',
        meta: { 'anthropic-messages': { extra: { cache_control: { type: 'ephemeral' } } } },
      },
    ]);
    expect(value.meta?.['anthropic-messages']?.extra).toEqual({
      service_tier: 'auto',
      container: 'container_011CNha8iCJcU1wXNR6q4V8w',
      mcp_servers: [{ type: 'url', url: 'https://mcp.example.test/sse', name: 'tides' }],
      context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
      output_format: null,
    });
    expect(
      value.tools.map((tool) =>
        tool.kind === 'builtin' ? `builtin` : `${tool.kind}:${tool.name}`,
      ),
    ).toEqual([
      'function:Read',
      'function:Grep',
      'function:Bash',
      'builtin',
      'builtin',
      'builtin',
      'builtin',
    ]);
    // A search_result inside a tool result has no neutral form: kept for Anthropic, reported.
    expect(warnings).toEqual([
      {
        code: 'lossy',
        message:
          'Tool result content of a type only Anthropic understands is kept for Anthropic only',
        path: 'messages[4].content[0].content',
      },
    ]);
  });

  it('decodes every documented user block and keeps unknown ones opaque', () => {
    const { value } = decodeAnthropicRequest(claudeCode());
    const user = value.messages[6];
    expect(user?.role).toBe('user');
    expect(user?.content.map((part) => part.type)).toEqual([
      'file',
      'file',
      'file',
      'opaque',
      'opaque',
      'opaque',
      'opaque',
    ]);
    expect(user?.content[1]).toEqual({
      type: 'file',
      source: {
        kind: 'base64',
        mediaType: 'text/plain',
        data: Buffer.from('Brest 14:12\nSaint-Malo 15:03 ☕').toString('base64'),
      },
      filename: 'notes.txt',
      meta: { 'anthropic-messages': { textSource: true } },
    });
    const assistant = value.messages[4];
    expect(assistant?.content[2]).toMatchObject({
      type: 'text',
      annotations: [
        {
          type: 'url-citation',
          url: 'https://maree.example.fr/brest',
          title: 'Marées Brest',
          citedText: 'Brest: low tide 14:12',
        },
        { type: 'opaque', format: 'anthropic-messages', value: { type: 'char_location' } },
      ],
    });
  });

  it('restores encrypted reasoning from a packed thinking signature', () => {
    const signature = packOpaque({ encryptedContent: 'gAAAAB-codex', id: 'rs_68' });
    const { value } = decodeAnthropicRequest({
      ...minimal,
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Summary.', signature },
            { type: 'text', text: 'Hello' },
          ],
        },
      ],
    });
    expect(value.messages[1]?.content[0]).toEqual({
      type: 'reasoning',
      text: 'Summary.',
      encryptedContent: 'gAAAAB-codex',
      id: 'rs_68',
    });
  });

  it('keeps adaptive and unknown thinking settings, and unknown tool choices, in meta', () => {
    const adaptive = decodeAnthropicRequest({
      ...minimal,
      messages: [],
      thinking: { type: 'adaptive' },
    }).value;
    expect(adaptive.reasoning).toEqual({ enabled: true });
    expect(adaptive.meta?.['anthropic-messages']?.thinking).toEqual({ type: 'adaptive' });
    const future = {
      ...minimal,
      messages: [],
      thinking: { type: 'interleaved_v2', depth: 2 },
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto_v2' },
    };
    const decoded = decodeAnthropicRequest(future).value;
    expect(decoded.reasoning).toBeUndefined();
    expect(decoded.toolChoice).toBeUndefined();
    expect(encodeAnthropicRequest(decoded).value).toEqual(future);
  });

  it('accepts a minimal request and a count_tokens body completed with max_tokens', () => {
    expect(decodeAnthropicRequest({ ...minimal, messages: [] }).value).toEqual({
      model: 'claude-sonnet-4-6',
      system: [],
      messages: [],
      tools: [],
      maxOutputTokens: 100,
      stream: false,
      meta: { 'anthropic-messages': { streamAbsent: true } },
    });
  });
});

describe('Anthropic request validation', () => {
  it('requires max_tokens', () => {
    const error = rejection({ model: 'm', messages: [] });
    expect(error.code).toBe('invalid_request');
    expect(error.param).toBe('max_tokens');
    expect(error.status).toBe(400);
    expect(error.message).toBe('Invalid request: "max_tokens" is required');
  });

  it('names the bad field', () => {
    expect(rejection('not json').param).toBe('body');
    expect(rejection({ ...minimal }).param).toBe('messages');
    expect(rejection({ ...minimal, max_tokens: 'many', messages: [] }).param).toBe('max_tokens');
    expect(
      rejection({
        ...minimal,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'user', content: 7 },
        ],
      }).param,
    ).toBe('messages[1].content');
    expect(rejection({ ...minimal, model: 5, messages: [] }).message).toBe(
      'Invalid request: "model" must be a string',
    );
    expect(
      rejection({ ...minimal, messages: [{ role: 'user', content: [{ type: 'text' }] }] }).param,
    ).toBe('messages[0].content[0].text');
    expect(
      rejection({
        ...minimal,
        messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }],
      }).param,
    ).toBe('messages[0].content[0].tool_use_id');
    expect(
      rejection({ ...minimal, messages: [{ role: 'user', content: [{ type: 'image' }] }] }).param,
    ).toBe('messages[0].content[0].source');
    expect(
      rejection({
        ...minimal,
        messages: [{ role: 'assistant', content: [{ type: 'tool_use', name: 'f', input: {} }] }],
      }).param,
    ).toBe('messages[0].content[0].id');
    expect(rejection({ ...minimal, messages: [], tools: [{ name: 'f' }] }).param).toBe(
      'tools[0].input_schema',
    );
    expect(rejection({ ...minimal, messages: [], tool_choice: { type: 'tool' } }).param).toBe(
      'tool_choice.name',
    );
  });

  it('accepts block and tool types it has never seen', () => {
    const body = {
      ...minimal,
      messages: [
        { role: 'user', content: [{ type: 'video', source: { type: 'stream', id: 'v1' } }] },
      ],
      tools: [{ type: 'memory_20250818', name: 'memory' }],
    };
    const decoded = decodeAnthropicRequest(body).value;
    expect(decoded.messages[0]?.content).toEqual([
      {
        type: 'opaque',
        format: 'anthropic-messages',
        value: { type: 'video', source: { type: 'stream', id: 'v1' } },
      },
    ]);
    expect(encodeAnthropicRequest(decoded).value).toEqual({ ...body });
  });
});
