/**
 * Fake Codex, Claude and Copilot upstreams that decide what to answer from the request they get
 * (a tool call while no tool result is in the conversation, then a text built from the result),
 * written as each upstream API streams it, so real agent clients can run whole tool loops.
 */
import { anthropicError, checkAnthropicRequest } from '../helpers/fake-anthropic.js';
import { checkCodexRequest } from '../helpers/fake-codex.js';
import type { FakeHandler, FakeReply, RecordedRequest } from '../helpers/fake-upstream.js';
import {
  envelope,
  functionCall,
  message,
  standard,
  usage,
} from '../helpers/openai-responses-fixture-builders.js';

type Json = Record<string, unknown>;

/** The upstream API a request reached. */
export type UpstreamApi = 'openai-responses' | 'anthropic-messages' | 'openai-chat';

/** What the fake sees of a request, in any of the three formats. */
export interface TurnView {
  api: UpstreamApi;
  model: string;
  /** Names of the tools the request declares. */
  toolNames: string[];
  /** The text of every tool result in the conversation, oldest first. */
  toolResults: string[];
  /** The text of every user message, oldest first. */
  userTexts: string[];
  /** The text of every assistant message the request spells out, oldest first. */
  assistantTexts: string[];
  /** Names of the declared freeform (`custom`) tools. */
  customTools: string[];
  /** Ids of the assistant's tool calls in the conversation. */
  callIds: string[];
  /** Ids of the calls the tool results answer. */
  resultIds: string[];
  body: Json;
}

/**
 * What the fake answers: a text, or one tool call (a function call with JSON input, or with a
 * string input a freeform `custom` call; `namespace` as the Codex CLI's namespaced tools have).
 */
export type TurnReply =
  | { text: string }
  | { tool: string; input: Json | string; namespace?: string };

/** Decides the answer of one request. */
export type Script = (turn: TurnView) => TurnReply;

/** Answers `text` to every request. */
export const sayText =
  (text: string): Script =>
  () => ({ text });

/**
 * Calls `tool` with `input` while the conversation has no tool result, then answers
 * `final(result)`. When the request does not declare the tool, says so as text (the test fails on
 * that text rather than on a timeout).
 */
export function callToolThenSay(
  tool: string,
  input: Json | string,
  final: (result: string) => string,
  namespace?: string,
): Script {
  const declared = namespace ? `${namespace}.${tool}` : tool;
  return (turn: TurnView): TurnReply => {
    const result = turn.toolResults.at(-1);
    if (result !== undefined) return { text: final(result) };
    if (!turn.toolNames.includes(declared))
      return { text: `no tool ${declared} among ${turn.toolNames.join(',')}` };
    return namespace ? { tool, input, namespace } : { tool, input };
  };
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const isJson = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The text of a content value in any format (string, or a list of text-bearing parts). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((part) => {
      if (typeof part === 'string') return part;
      if (!isJson(part)) return '';
      if (typeof part.text === 'string') return part.text;
      if (part.type === 'tool_result') return textOf(part.content);
      return '';
    })
    .join('');
}

/** Reads a request body of `api` into a `TurnView`. */
export function viewTurn(api: UpstreamApi, body: Json): TurnView {
  // The Codex CLI (0.147+, with its newest models) declares its tools in `additional_tools`
  // input items, grouped in namespaces.
  const declared = [
    ...asArray(body.tools),
    ...asArray(body.input)
      .filter((item) => isJson(item) && item.type === 'additional_tools')
      .flatMap((item) => asArray((item as Json).tools)),
  ];
  const toolNames: string[] = [];
  const customTools: string[] = [];
  const collect = (tools: unknown[], namespace?: string) => {
    for (const tool of tools.filter(isJson)) {
      if (tool.type === 'namespace') collect(asArray(tool.tools), String(tool.name));
      else {
        // Chat nests the name in `function` or `custom`; Responses and Anthropic do not.
        const nested = isJson(tool.function)
          ? tool.function
          : isJson(tool.custom)
            ? tool.custom
            : {};
        const name = String(nested.name ?? tool.name ?? tool.type ?? '');
        toolNames.push(namespace ? `${namespace}.${name}` : name);
        if (tool.type === 'custom') customTools.push(name);
      }
    }
  };
  collect(declared);
  const toolResults: string[] = [];
  const userTexts: string[] = [];
  const callIds: string[] = [];
  const resultIds: string[] = [];
  const assistantTexts: string[] = [];
  if (api === 'openai-responses') {
    const input =
      typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
    for (const item of asArray(input).filter(isJson)) {
      const type = typeof item.type === 'string' ? item.type : '';
      if (type.endsWith('_call_output')) {
        toolResults.push(typeof item.output === 'string' ? item.output : textOf(item.output));
        resultIds.push(String(item.call_id));
      } else if (type.endsWith('_call')) callIds.push(String(item.call_id));
      else if (item.role === 'user') userTexts.push(textOf(item.content));
      else if (item.role === 'assistant') assistantTexts.push(textOf(item.content));
    }
  } else if (api === 'anthropic-messages') {
    for (const entry of asArray(body.messages).filter(isJson)) {
      const blocks = typeof entry.content === 'string' ? [entry.content] : asArray(entry.content);
      for (const block of blocks) {
        if (entry.role === 'assistant') {
          if (isJson(block) && block.type === 'tool_use') callIds.push(String(block.id));
          else if (typeof block === 'string') assistantTexts.push(block);
          else if (isJson(block) && block.type === 'text') assistantTexts.push(String(block.text));
        } else if (entry.role !== 'user') {
          // System entries between turns carry no user text.
        } else if (isJson(block) && block.type === 'tool_result') {
          toolResults.push(textOf(block.content));
          resultIds.push(String(block.tool_use_id));
        } else if (typeof block === 'string') userTexts.push(block);
        else if (isJson(block) && typeof block.text === 'string') userTexts.push(block.text);
      }
    }
  } else {
    for (const entry of asArray(body.messages).filter(isJson)) {
      if (entry.role === 'tool') {
        toolResults.push(textOf(entry.content));
        resultIds.push(String(entry.tool_call_id));
      } else if (entry.role === 'user') userTexts.push(textOf(entry.content));
      else if (entry.role === 'assistant') {
        if (entry.content) assistantTexts.push(textOf(entry.content));
        for (const call of asArray(entry.tool_calls).filter(isJson)) callIds.push(String(call.id));
      }
    }
  }
  return {
    api,
    model: String(body.model ?? ''),
    toolNames,
    toolResults,
    userTexts,
    assistantTexts,
    customTools,
    callIds,
    resultIds,
    body,
  };
}

const sse = (events: Array<[string | undefined, Json]>): string =>
  events
    .map(([type, data]) => `${type ? `event: ${type}\n` : ''}data: ${JSON.stringify(data)}\n\n`)
    .join('');

let counter = 0;
const nextId = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Encrypted reasoning the fake Responses upstreams gave out: they accept only these back. */
const issuedReasoning = new Set<string>();

/** The 400 a Responses upstream answers for reasoning it did not encrypt, or undefined. */
function forgedReasoning(body: Json): FakeReply | undefined {
  for (const item of asArray(body.input)) {
    if (!isJson(item) || item.type !== 'reasoning' || item.encrypted_content === undefined)
      continue;
    if (issuedReasoning.has(String(item.encrypted_content))) continue;
    return {
      status: 400,
      body: {
        error: {
          message: `The encrypted content for item ${String(item.id ?? '')} could not be verified.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_encrypted_content',
        },
      },
    };
  }
  return undefined;
}

/**
 * A Responses SSE transcript (the Codex backend and Copilot's `/responses`); with `reasoning`, a
 * reasoning item (summary and encrypted content) comes first, as reasoning models answer.
 */
export function responsesStream(reply: TurnReply, model: string, reasoning = false): string {
  const id = nextId();
  let item: Json;
  if ('text' in reply) item = message(`msg_${id}`, reply.text);
  else if (typeof reply.input === 'string')
    item = {
      id: `ctc_${id}`,
      type: 'custom_tool_call',
      status: 'completed',
      call_id: `call_${id}`,
      name: reply.tool,
      input: reply.input,
    };
  else item = functionCall(`fc_${id}`, `call_${id}`, reply.tool, reply.input);
  if ('tool' in reply && reply.namespace) item.namespace = reply.namespace;
  const encrypted = `gAAAA${Buffer.from(`reasoning ${id}`).toString('base64')}`;
  issuedReasoning.add(encrypted);
  const thought = {
    id: `rs_${id}`,
    type: 'reasoning',
    summary: [{ type: 'summary_text', text: '**Planning** the answer.' }],
    encrypted_content: encrypted,
  };
  return standard({
    name: 'scripted',
    env: envelope(`resp_${id}`, { model, store: false }),
    items: reasoning ? [thought, item] : [item],
    usage: usage(120, 12),
  }).sse;
}

/** A call's input as JSON: a freeform input rides as `{"input": "..."}`, as ccproxy offers it. */
const jsonInput = (input: Json | string): Json => (typeof input === 'string' ? { input } : input);

/** Thinking signatures the fake Anthropic API gave out: it accepts only these back. */
const issuedSignatures = new Set<string>();

/** A thinking block with a fresh signature. */
function thinkingBlock(id: string): Json {
  const signature = `EqQB${Buffer.from(`fake signature ${id}`).toString('base64')}`;
  issuedSignatures.add(signature);
  return { type: 'thinking', thinking: 'Planning the answer.', signature };
}

/** The content blocks of an Anthropic answer (a thinking block first when asked to think). */
function messageBlocks(reply: TurnReply, id: string, thinking: boolean): Json[] {
  const blocks: Json[] = thinking ? [thinkingBlock(id)] : [];
  if ('text' in reply) blocks.push({ type: 'text', text: reply.text });
  else
    blocks.push({
      type: 'tool_use',
      id: `toolu_${id}`,
      name: reply.tool,
      input: jsonInput(reply.input),
    });
  return blocks;
}

/** An Anthropic Messages SSE transcript; with `thinking`, a signed thinking block comes first. */
export function messagesStream(reply: TurnReply, model: string, thinking = false): string {
  const id = nextId();
  const events: Array<[string, Json]> = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id: `msg_${id}`,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 120, output_tokens: 1 },
        },
      },
    ],
  ];
  messageBlocks(reply, id, thinking).forEach((block, index) => {
    const start = (content_block: Json): [string, Json] => [
      'content_block_start',
      { type: 'content_block_start', index, content_block },
    ];
    const delta = (fields: Json): [string, Json] => [
      'content_block_delta',
      { type: 'content_block_delta', index, delta: fields },
    ];
    if (block.type === 'thinking')
      events.push(
        start({ type: 'thinking', thinking: '', signature: '' }),
        delta({ type: 'thinking_delta', thinking: block.thinking }),
        delta({ type: 'signature_delta', signature: block.signature }),
      );
    else if (block.type === 'text')
      events.push(
        start({ type: 'text', text: '' }),
        delta({ type: 'text_delta', text: block.text }),
      );
    else
      events.push(
        start({ ...block, input: {} }),
        delta({ type: 'input_json_delta', partial_json: JSON.stringify(block.input) }),
      );
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  events.push(
    [
      'message_delta',
      {
        type: 'message_delta',
        delta: { stop_reason: 'text' in reply ? 'end_turn' : 'tool_use', stop_sequence: null },
        usage: { output_tokens: 12 },
      },
    ],
    ['message_stop', { type: 'message_stop' }],
  );
  return sse(events);
}

/** A Chat tool call: `custom` with the raw input when the tool was declared so. */
function chatCall(reply: { tool: string; input: Json | string }, custom: boolean): Json {
  return custom && typeof reply.input === 'string'
    ? { type: 'custom', custom: { name: reply.tool, input: reply.input } }
    : {
        type: 'function',
        function: { name: reply.tool, arguments: JSON.stringify(jsonInput(reply.input)) },
      };
}

/** A Chat Completions SSE transcript. */
export function chatStream(reply: TurnReply, model: string, customTools: string[] = []): string {
  const id = `chatcmpl-${nextId()}`;
  const chunk = (delta: Json, finish: string | null, extra: Json = {}): [undefined, Json] => [
    undefined,
    {
      id,
      object: 'chat.completion.chunk',
      created: 1767268800,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    },
  ];
  const events: Array<[undefined, Json]> = [chunk({ role: 'assistant', content: '' }, null)];
  if ('text' in reply) events.push(chunk({ content: reply.text }, null));
  else
    events.push(
      chunk(
        {
          tool_calls: [
            {
              index: 0,
              id: `call_${nextId()}`,
              ...chatCall(reply, customTools.includes(reply.tool)),
            },
          ],
        },
        null,
      ),
    );
  events.push(chunk({}, 'text' in reply ? 'stop' : 'tool_calls'));
  events.push([
    undefined,
    {
      id,
      object: 'chat.completion.chunk',
      created: 1767268800,
      model,
      choices: [],
      usage: { prompt_tokens: 120, completion_tokens: 12, total_tokens: 132 },
    },
  ]);
  return `${sse(events)}data: [DONE]\n\n`;
}

/** A non-streamed Chat Completions body. */
function chatBody(reply: TurnReply, model: string, customTools: string[]): Json {
  return {
    id: `chatcmpl-${nextId()}`,
    object: 'chat.completion',
    created: 1767268800,
    model,
    choices: [
      {
        index: 0,
        message:
          'text' in reply
            ? { role: 'assistant', content: reply.text }
            : {
                role: 'assistant',
                content: null,
                tool_calls: [
                  { id: `call_${nextId()}`, ...chatCall(reply, customTools.includes(reply.tool)) },
                ],
              },
        finish_reason: 'text' in reply ? 'stop' : 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 120, completion_tokens: 12, total_tokens: 132 },
  };
}

/** A non-streamed Anthropic Messages body. */
function messagesBody(reply: TurnReply, model: string, thinking: boolean): Json {
  const id = nextId();
  return {
    id: `msg_${id}`,
    type: 'message',
    role: 'assistant',
    model,
    content: messageBlocks(reply, id, thinking),
    stop_reason: 'text' in reply ? 'end_turn' : 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 120, output_tokens: 12 },
  };
}

/** The 400 the Anthropic API answers for a thinking block it did not sign, or undefined. */
function forgedThinking(body: Json): FakeReply | undefined {
  const messages = asArray(body.messages);
  for (const [index, entry] of messages.entries()) {
    if (!isJson(entry) || entry.role !== 'assistant') continue;
    for (const [blockIndex, block] of asArray(entry.content).entries()) {
      if (!isJson(block) || block.type !== 'thinking') continue;
      if (issuedSignatures.has(String(block.signature))) continue;
      return anthropicError(
        400,
        'invalid_request_error',
        `messages.${index}.content.${blockIndex}: Invalid \`signature\` in \`thinking\` block`,
      );
    }
  }
  return undefined;
}

const eventStream = (text: string): FakeReply => ({
  headers: { 'content-type': 'text/event-stream' },
  sse: { bytes: text, seed: counter, maxChunk: 89 },
});

/** The 400 each API answers for a tool result without its call (wording as observed). */
function orphanResult(api: UpstreamApi, id: string): FakeReply {
  if (api === 'anthropic-messages')
    return anthropicError(
      400,
      'invalid_request_error',
      `messages: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
    );
  return {
    status: 400,
    body: {
      error: {
        message:
          api === 'openai-chat'
            ? `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. (${id})`
            : `No tool call found for function call output with call_id ${id}.`,
        type: 'invalid_request_error',
        param: api === 'openai-chat' ? 'messages' : 'input',
        code: null,
      },
    },
  };
}

/** Answers one request of `api` with the script's reply, streamed when the body asks for it. */
function answer(api: UpstreamApi, request: RecordedRequest, script: Script): FakeReply {
  const body = isJson(request.json) ? request.json : {};
  const turn = viewTurn(api, body);
  // Every real upstream rejects a tool result whose call is not in the conversation.
  const orphan = turn.resultIds.find((id) => !turn.callIds.includes(id));
  if (orphan !== undefined) return orphanResult(api, orphan);
  const reply = script(turn);
  const model = turn.model || 'unknown-model';
  if (api === 'openai-responses')
    return (
      forgedReasoning(body) ?? eventStream(responsesStream(reply, model, isJson(body.reasoning)))
    );
  if (api === 'anthropic-messages') {
    const forged = forgedThinking(body);
    if (forged) return forged;
    const thinking = isJson(body.thinking) && body.thinking.type !== 'disabled';
    return body.stream === true
      ? eventStream(messagesStream(reply, model, thinking))
      : { body: messagesBody(reply, model, thinking) };
  }
  return body.stream === true
    ? eventStream(chatStream(reply, model, turn.customTools))
    : { body: chatBody(reply, model, turn.customTools) };
}

/** The scripts of the three upstreams, replaceable per test. */
export interface Scripts {
  codex: Script;
  claude: Script;
  copilot: Script;
}

/** A Codex backend that checks requests as the real one does and answers from the script. */
export function scriptedCodex(scripts: Scripts): FakeHandler {
  return (request) =>
    checkCodexRequest(request, (token) => token !== '') ??
    answer('openai-responses', request, scripts.codex);
}

/** An Anthropic API (subscription OAuth) answering from the script; counts tokens and lists models. */
export function scriptedClaude(scripts: Scripts, acceptToken: (token: string) => boolean) {
  const handler: FakeHandler = (request) => {
    const rejected = checkAnthropicRequest(request, { mode: 'oauth', acceptToken });
    if (rejected) return rejected;
    const path = request.path.split('?')[0];
    if (path === '/v1/messages/count_tokens') return { body: { input_tokens: 4242 } };
    if (path === '/v1/models')
      return {
        body: {
          data: [
            {
              type: 'model',
              id: 'claude-sonnet-4-5',
              display_name: 'Claude Sonnet 4.5',
              created_at: '2025-09-29T00:00:00Z',
            },
          ],
          has_more: false,
          first_id: 'claude-sonnet-4-5',
          last_id: 'claude-sonnet-4-5',
        },
      };
    if (path !== '/v1/messages')
      return {
        status: 404,
        body: { type: 'error', error: { type: 'not_found_error', message: 'Not found' } },
      };
    return answer('anthropic-messages', request, scripts.claude);
  };
  return handler;
}

/** The GitHub token the fake Copilot accepts. */
export const GITHUB_TOKEN = 'gho_clientSuiteGithubToken0123456789';

/** One fake playing GitHub's Copilot token exchange and the Copilot API, from the script. */
export function scriptedCopilot(scripts: Scripts, apiUrl: () => string): FakeHandler {
  const issued = new Set<string>();
  return (request) => {
    const path = request.path.split('?')[0];
    if (path === '/copilot_internal/v2/token') {
      if (request.headers.authorization !== `token ${GITHUB_TOKEN}`)
        return { status: 401, body: { message: 'Bad credentials' } };
      const token = `tid=copilot-${issued.size + 1};exp=soon`;
      issued.add(token);
      return {
        body: {
          token,
          expires_at: Math.floor(Date.now() / 1000) + 1800,
          refresh_in: 1500,
          endpoints: { api: apiUrl() },
        },
      };
    }
    const authorization = String(request.headers.authorization ?? '');
    if (!authorization.startsWith('Bearer ') || !issued.has(authorization.slice(7)))
      return { status: 401, body: { error: { message: 'unauthorized' } } };
    if (request.headers['copilot-integration-id'] !== 'vscode-chat')
      return { status: 400, body: { error: { message: 'missing editor headers' } } };
    switch (path) {
      case '/models':
        return {
          body: {
            object: 'list',
            data: [
              { id: 'gpt-4.1', vendor: 'Azure OpenAI', supported_endpoints: ['/chat/completions'] },
              {
                id: 'gpt-5.1',
                vendor: 'OpenAI',
                supported_endpoints: ['/chat/completions', '/responses'],
              },
              {
                id: 'claude-sonnet-4.5',
                vendor: 'Anthropic',
                supported_endpoints: ['/chat/completions', '/v1/messages'],
              },
            ],
          },
        };
      case '/chat/completions':
        return answer('openai-chat', request, scripts.copilot);
      case '/responses':
        return answer('openai-responses', request, scripts.copilot);
      case '/v1/messages':
        return answer('anthropic-messages', request, scripts.copilot);
      default:
        return { status: 404, body: { error: { message: `no route ${path}` } } };
    }
  };
}
