/** Builds Responses transcripts and the bodies they must rebuild, for the fixture scenarios. */
import {
  ResponsesStreamWriter,
  type StreamWriterOptions,
} from './openai-responses-stream-writer.js';

type Json = Record<string, unknown>;

export interface FixtureScenario {
  name: string;
  sse: string;
  expected: Json;
}

/** The `created_at` of every transcript. */
export const CREATED_AT = 1767268800;

/** A response envelope as `response.created` shows it, with `overrides`. */
export function envelope(id: string, overrides: Json = {}): Json {
  return {
    id,
    object: 'response',
    created_at: CREATED_AT,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    model: 'gpt-5.1-2025-11-13',
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: { effort: 'medium', summary: null },
    safety_identifier: null,
    service_tier: 'auto',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_logprobs: 0,
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...overrides,
  };
}

/** A complete Responses usage object. */
export function usage(input: number, output: number, cached = 0, reasoning = 0): Json {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  };
}

/** A finished assistant message item with one `output_text` part. */
export function message(
  id: string,
  text: string,
  extra: Json = {},
  annotations: Json[] = [],
): Json {
  return {
    id,
    type: 'message',
    status: 'completed',
    content: [{ type: 'output_text', annotations, logprobs: [], text }],
    role: 'assistant',
    ...extra,
  };
}

/** A finished `function_call` item. */
export function functionCall(id: string, callId: string, name: string, args: Json): Json {
  return {
    id,
    type: 'function_call',
    status: 'completed',
    arguments: JSON.stringify(args),
    call_id: callId,
    name,
  };
}

/** A transcript of a whole response: lifecycle, items, terminal event. */
export interface Standard {
  name: string;
  env: Json;
  items: Json[];
  usage: Json;
  /** The terminal event's type (default completed). */
  terminal?: 'response.completed' | 'response.incomplete';
  /** Final envelope changes (status, incomplete_details, service_tier...). */
  final?: Json;
  /** What the terminal event carries as `output` (default the full list). */
  terminalOutput?: 'full' | 'missing' | 'empty' | 'null';
  writer?: StreamWriterOptions;
  /** Hooks to add drift around items. */
  before?: (writer: ResponsesStreamWriter) => void;
  beforeItem?: (writer: ResponsesStreamWriter, index: number) => void;
}

/** Writes a standard transcript and the body it must rebuild. */
export function standard(spec: Standard): FixtureScenario {
  const writer = new ResponsesStreamWriter(spec.writer);
  spec.before?.(writer);
  writer.event('response.created', { response: spec.env });
  writer.event('response.in_progress', { response: spec.env });
  spec.items.forEach((item, index) => {
    spec.beforeItem?.(writer, index);
    writer.item(index, item);
  });
  const completed = spec.terminal !== 'response.incomplete';
  const final: Json = {
    ...spec.env,
    status: completed ? 'completed' : 'incomplete',
    service_tier: 'default',
    usage: spec.usage,
    ...(completed ? { completed_at: CREATED_AT + 4 } : {}),
    ...spec.final,
    output: spec.items,
  };
  const terminal: Json = { ...final };
  switch (spec.terminalOutput ?? 'full') {
    case 'missing':
      delete terminal.output;
      break;
    case 'empty':
      terminal.output = [];
      break;
    case 'null':
      terminal.output = null;
      break;
    default:
      break;
  }
  writer.event(spec.terminal ?? 'response.completed', { response: terminal });
  return { name: spec.name, sse: writer.toString(), expected: final };
}

/** The function tool of the public-API transcripts. */
export const WEATHER_TOOL = {
  type: 'function',
  name: 'get_tide_times',
  description: 'Tide predictions for a station on a date.',
  parameters: {
    type: 'object',
    properties: { station: { type: 'string' }, date: { type: 'string' } },
    required: ['station', 'date'],
    additionalProperties: false,
  },
  strict: true,
};

/** The (short) instructions the Codex transcripts echo. */
export const CODEX_INSTRUCTIONS =
  'You are Codex, a coding agent running in a terminal. Keep answers short; use apply_patch for edits and run tests before you finish.';

/** The tools the Codex transcripts echo (`shell` and the `apply_patch` custom tool). */
export const CODEX_TOOLS = [
  {
    type: 'function',
    name: 'shell',
    description: 'Runs a shell command and returns its output.',
    strict: false,
    parameters: {
      type: 'object',
      properties: {
        command: { type: 'array', items: { type: 'string' } },
        workdir: { type: 'string' },
      },
      required: ['command'],
      additionalProperties: false,
    },
  },
  {
    type: 'custom',
    name: 'apply_patch',
    description: 'Use the `apply_patch` tool to edit files.',
    format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' },
  },
];

/** A Codex-backend envelope (`store: false`, instructions, tools, prompt cache key). */
export function codexEnvelope(id: string): Json {
  return envelope(id, {
    instructions: CODEX_INSTRUCTIONS,
    model: 'gpt-5.1-codex-max',
    prompt_cache_key: '0199a3c1-7c2e-7a10-9f3e-5b1d2c4e6f70',
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    tools: CODEX_TOOLS,
  });
}

/** Writes the `codex.rate_limits` event the backend sends before `response.created`. */
export function rateLimits(writer: ResponsesStreamWriter): void {
  writer.event(
    'codex.rate_limits',
    {
      plan_type: 'plus',
      rate_limits: {
        primary: { used_percent: 40.0, window_minutes: 300, reset_at: CREATED_AT + 9000 },
        secondary: { used_percent: 12.0, window_minutes: 10080, reset_at: CREATED_AT + 400000 },
      },
      credits: { has_credits: false, unlimited: false, balance: null },
    },
    false,
  );
}

/** Reasoning, commentary and a shell call, as a Codex turn streams them. */
export function codexItems(prefix: string): Json[] {
  return [
    {
      id: `rs_${prefix}0a1b2c3d4e5f`,
      type: 'reasoning',
      summary: [
        {
          type: 'summary_text',
          text: '**Locating the failing test**\n\nThe tide table parser rejects negative heights; checking its regex first.',
        },
      ],
      encrypted_content: `gAAAAABo${prefix}Zq1-final-encrypted-reasoning-blob==`,
    },
    message(
      `msg_${prefix}0a1b2c3d4e5f`,
      'The parser drops the minus sign. I will run the failing test to confirm.',
      {
        phase: 'commentary',
      },
    ),
    functionCall(`fc_${prefix}0a1b2c3d4e5f`, `call_${prefix}Tq9Lw2`, 'shell', {
      command: ['npm', 'test', '--', 'tide-table'],
      workdir: '/home/dev/tides',
    }),
  ];
}

/** A Codex transcript whose `response.completed` has `output` missing, `[]` or `null`. */
export function codexDrift(
  name: string,
  terminalOutput: 'missing' | 'empty' | 'null',
  prefix: string,
): FixtureScenario {
  return standard({
    name,
    env: codexEnvelope(`resp_${prefix}7f3e9a1c2b4d6e8f0a`),
    items: codexItems(prefix),
    usage: usage(2259, 187, 2176, 64),
    terminalOutput,
    writer: { obfuscation: true, seed: prefix.length * 11 },
    before: rateLimits,
    beforeItem: (writer, index) => {
      if (index > 0) writer.event('keepalive', {});
    },
  });
}

/** Every scenario, in a stable order. */
