/**
 * The Responses transcript scenarios of `src/formats/openai-responses/__fixtures__`: each one
 * is written from the final body it must rebuild, so `<name>.expected.json` is known
 * independently of any accumulator. Run `npx tsx test/helpers/openai-responses-fixtures.ts`
 * to (re)write the files; the committed files are the source of truth for the tests.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fixturePath } from './fixtures.js';
import {
  ResponsesStreamWriter,
  type StreamWriterOptions,
} from './openai-responses-stream-writer.js';

type Json = Record<string, unknown>;

/** One transcript and the body a correct accumulator builds from it. */
export interface FixtureScenario {
  name: string;
  sse: string;
  expected: Json;
}

const CREATED_AT = 1767268800;

function envelope(id: string, overrides: Json = {}): Json {
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

function usage(input: number, output: number, cached = 0, reasoning = 0): Json {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  };
}

function message(id: string, text: string, extra: Json = {}, annotations: Json[] = []): Json {
  return {
    id,
    type: 'message',
    status: 'completed',
    content: [{ type: 'output_text', annotations, logprobs: [], text }],
    role: 'assistant',
    ...extra,
  };
}

function functionCall(id: string, callId: string, name: string, args: Json): Json {
  return {
    id,
    type: 'function_call',
    status: 'completed',
    arguments: JSON.stringify(args),
    call_id: callId,
    name,
  };
}

interface Standard {
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

function standard(spec: Standard): FixtureScenario {
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

const WEATHER_TOOL = {
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

const CODEX_INSTRUCTIONS =
  'You are Codex, a coding agent running in a terminal. Keep answers short; use apply_patch for edits and run tests before you finish.';

const CODEX_TOOLS = [
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

function codexEnvelope(id: string): Json {
  return envelope(id, {
    instructions: CODEX_INSTRUCTIONS,
    model: 'gpt-5.1-codex-max',
    prompt_cache_key: '0199a3c1-7c2e-7a10-9f3e-5b1d2c4e6f70',
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    tools: CODEX_TOOLS,
  });
}

function rateLimits(writer: ResponsesStreamWriter): void {
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

function codexItems(prefix: string): Json[] {
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

function codexDrift(
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
export function fixtureScenarios(): FixtureScenario[] {
  const scenarios: FixtureScenario[] = [];

  scenarios.push(
    standard({
      name: 'parallel-tool-calls',
      env: envelope('resp_0b2a9c4d6e8f10213243546576879809aabbccdd', { tools: [WEATHER_TOOL] }),
      items: [
        functionCall(
          'fc_0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6',
          'call_Hn3kQ8vR2mWx',
          'get_tide_times',
          {
            station: 'Monterey, CA',
            date: '2026-03-14',
          },
        ),
        functionCall(
          'fc_1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f7',
          'call_Pz7sLd1YcB4e',
          'get_tide_times',
          {
            station: 'Half Moon Bay, CA',
            date: '2026-03-14',
          },
        ),
      ],
      usage: usage(131, 58),
      writer: { obfuscation: true, seed: 3 },
    }),
  );

  scenarios.push(
    standard({
      name: 'text-then-tool-call',
      env: envelope('resp_1c3b0d5e7f9021324354657687980a1b2c3d4e5f', { tools: [WEATHER_TOOL] }),
      items: [
        message(
          'msg_2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6f7a8',
          'Let me look up the tides for Monterey first.',
        ),
        functionCall(
          'fc_3f405162738495a6b7c8d9e0f1a2b3c4d5e6f7a8b9',
          'call_Wq2nF6tJ0sKa',
          'get_tide_times',
          {
            station: 'Monterey, CA',
            date: '2026-03-15',
          },
        ),
      ],
      usage: usage(118, 41),
    }),
  );

  {
    const writer = new ResponsesStreamWriter({ obfuscation: true, seed: 5 });
    const env = envelope('resp_2d4c1e6f8a0b3243546576879809a1b2c3d4e5f6', {
      model: 'gpt-5.1-codex-max',
      reasoning: { effort: 'high', summary: 'detailed' },
      store: false,
    });
    const reasoning = {
      id: 'rs_4a5b6c7d8e9f00112233445566778899aabbccdd',
      type: 'reasoning',
      summary: [
        {
          type: 'summary_text',
          text: '**Comparing tide stations**\n\nMonterey and Santa Cruz share a harmonic model.',
        },
        {
          type: 'summary_text',
          text: '**Choosing the answer format**\n\nA short table reads best here.',
        },
      ],
      encrypted_content: 'gAAAAABpQ2-done-3Jx9vKQ8mZtR1yW5cN0bE7fA4hL6uS2dP==',
    };
    const answer = message(
      'msg_5b6c7d8e9f00112233445566778899aabbccddee',
      'High tide in Monterey is at 06:42 (1.6 m).',
    );
    writer.event('response.created', { response: env });
    writer.event('response.in_progress', { response: env });
    writer.item(0, reasoning, { addedEncryptedContent: 'gAAAAABpQ2-added-7cT0yHq3==' });
    writer.item(1, answer);
    const final = {
      ...env,
      status: 'completed',
      service_tier: 'default',
      usage: usage(96, 412, 0, 352),
      completed_at: CREATED_AT + 9,
      output: [reasoning, answer],
    };
    writer.event('response.completed', { response: final });
    scenarios.push({ name: 'reasoning', sse: writer.toString(), expected: final });
  }

  scenarios.push(
    standard({
      name: 'custom-tool-call',
      env: codexEnvelope('resp_3e5d2f7a9b1c4354657687980a1b2c3d4e5f6a7b'),
      items: [
        {
          id: 'ctc_6c7d8e9f00112233445566778899aabbccddeeff',
          type: 'custom_tool_call',
          status: 'completed',
          call_id: 'call_Jr8mT3xQa1Vb',
          name: 'apply_patch',
          input:
            '*** Begin Patch\n*** Update File: src/tide-table.ts\n@@\n-const HEIGHT = /^(\\d+\\.\\d+)$/;\n+const HEIGHT = /^(-?\\d+\\.\\d+)$/;\n*** End Patch\n',
        },
      ],
      usage: usage(3120, 96, 2944, 30),
      writer: { obfuscation: true, seed: 9 },
    }),
  );

  {
    const item = {
      id: 'msg_7d8e9f00112233445566778899aabbccddeeff00',
      type: 'message',
      status: 'completed',
      content: [
        {
          type: 'refusal',
          refusal: "I can't help with disabling the harbour's tsunami warning sirens.",
        },
      ],
      role: 'assistant',
    };
    scenarios.push(
      standard({
        name: 'refusal',
        env: envelope('resp_4f6e3a8b0c2d5465768798a0b1c2d3e4f5a6b7c8'),
        items: [item],
        usage: usage(40, 19),
      }),
    );
  }

  {
    const searchCall = {
      id: 'ws_8e9f00112233445566778899aabbccddeeff0011',
      type: 'web_search_call',
      status: 'completed',
      action: { type: 'search', query: 'Monterey tide pools best season' },
    };
    const text =
      'Spring low tides are best for tide pooling in Monterey (NOAA). Pacific Grove’s Point Pinos is a favourite spot (City of Pacific Grove).';
    const annotations = [
      {
        type: 'url_citation',
        start_index: 48,
        end_index: 60,
        title: 'Tides & Currents',
        url: 'https://tidesandcurrents.noaa.gov/?utm_source=openai',
      },
      {
        type: 'url_citation',
        start_index: 104,
        end_index: 133,
        title: 'Point Pinos tide pools',
        url: 'https://www.cityofpacificgrove.org/tidepools?utm_source=openai',
      },
    ];
    const writer = new ResponsesStreamWriter();
    const env = envelope('resp_5a7f4b9c1d3e6576879809b1c2d3e4f5a6b7c8d9', {
      tools: [
        { type: 'web_search', filters: null, search_context_size: 'medium', user_location: null },
      ],
    });
    writer.event('response.created', { response: env });
    writer.event('response.in_progress', { response: env });
    writer.event('response.output_item.added', {
      output_index: 0,
      item: { ...searchCall, status: 'in_progress', action: { type: 'search' } },
    });
    writer.event('response.web_search_call.in_progress', {
      output_index: 0,
      item_id: searchCall.id,
    });
    writer.event('response.web_search_call.searching', { output_index: 0, item_id: searchCall.id });
    writer.event('response.web_search_call.completed', { output_index: 0, item_id: searchCall.id });
    writer.event('response.output_item.done', { output_index: 0, item: searchCall });
    const answer = message('msg_9f00112233445566778899aabbccddeeff001122', text, {}, annotations);
    writer.item(1, answer);
    const final = {
      ...env,
      status: 'completed',
      service_tier: 'default',
      usage: usage(8430, 77, 0, 0),
      completed_at: CREATED_AT + 6,
      output: [searchCall, answer],
    };
    writer.event('response.completed', { response: final });
    scenarios.push({ name: 'annotations', sse: writer.toString(), expected: final });
  }

  scenarios.push(
    standard({
      name: 'phase',
      env: codexEnvelope('resp_6b8a5c0d2e4f7687980a1b2c3d4e5f6a7b8c9d0e'),
      items: [
        message(
          'msg_a00112233445566778899aabbccddeeff00112233',
          'Checking the tide-table parser before editing.',
          {
            phase: 'commentary',
          },
        ),
        message(
          'msg_b112233445566778899aabbccddeeff0011223344',
          'Fixed: negative heights now parse, and the tide-table tests pass.',
          {
            phase: 'final_answer',
          },
        ),
      ],
      usage: usage(1804, 52, 1536, 0),
    }),
  );

  scenarios.push(codexDrift('codex-output-missing', 'missing', 'c1'));
  scenarios.push(codexDrift('codex-output-empty', 'empty', 'c2'));
  scenarios.push(codexDrift('codex-output-null', 'null', 'c3'));

  {
    // Unknown events, items and fields, no sequence numbers, one event without a type and
    // one with broken JSON: all tolerated, none of them may change the rebuilt body.
    const writer = new ResponsesStreamWriter({ noSequence: true });
    const env = envelope('resp_7c9b6d1e3f5a87980a1b2c3d4e5f6a7b8c9d0e1f', {
      moderation: null,
      prompt_cache_retention: 'in_memory',
      future_envelope_field: { tier: 'experimental' },
    });
    const note = {
      id: 'pn_c2233445566778899aabbccddeeff00112233445',
      type: 'planning_note',
      status: 'completed',
      note: 'Answer in one sentence.',
    };
    const answer = {
      id: 'msg_d33445566778899aabbccddeeff0011223344556',
      type: 'message',
      status: 'completed',
      content: [
        {
          type: 'output_text',
          annotations: [],
          logprobs: [],
          text: 'Tide pools are richest at dawn low tides.',
          emphasis: 'none',
        },
      ],
      role: 'assistant',
      channel: 'final',
    };
    writer.event('response.created', { response: env });
    writer.event('response.future_thing.delta', { output_index: 0, delta: 'ignored' });
    writer.event('response.in_progress', { response: env });
    writer.item(0, note);
    writer.event('telemetry.ping', { at: CREATED_AT + 1 });
    writer.rawEvent(
      undefined,
      JSON.stringify({ output_index: 1, note: 'an event without a type' }),
    );
    writer.item(1, answer);
    writer.rawEvent(
      'response.output_text.delta',
      '{"type":"response.output_text.delta","output_index":1,"delta":"broken',
    );
    writer.event('response.future_thing.delta', { output_index: 1, delta: 'ignored again' });
    const final = {
      ...env,
      status: 'completed',
      service_tier: 'default',
      usage: { ...usage(52, 14), output_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 } },
      completed_at: CREATED_AT + 2,
      output: [note, answer],
    };
    writer.event('response.completed', { response: final });
    scenarios.push({ name: 'drift-unknown', sse: writer.toString(), expected: final });
  }

  {
    // Every event names its item with another id (GitHub Copilot, observed 2025-11); the ids
    // of `output_item.done` are the ones that stay.
    const writer = new ResponsesStreamWriter({ rotateIds: true });
    const env = envelope('resp_8d0c7e2f4a6b980a1b2c3d4e5f6a7b8c9d0e1f2a', {
      model: 'gpt-5.2-codex',
      tool_usage: { web_search: { num_requests: 0 } },
    });
    writer.event('response.created', { response: env });
    writer.event('response.in_progress', { response: env });
    writer.item(0, {
      id: 'rs_e445566778899aabbccddeeff00112233445566',
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: 'Reading the question about neap tides.' }],
      encrypted_content: 'gAAAAABpCopilotEncrypted==',
    });
    writer.item(
      1,
      message(
        'msg_f5566778899aabbccddeeff0011223344556677',
        'Neap tides happen at the first and third quarter moons.',
      ),
    );
    const final = {
      ...env,
      status: 'completed',
      service_tier: 'default',
      usage: usage(64, 40, 0, 12),
      completed_at: CREATED_AT + 3,
      output: writer.doneItems,
    };
    // Copilot adds its own usage block to the terminal event (observed 2025-11).
    writer.event('response.completed', { copilot_usage: { premium_requests: 1 }, response: final });
    scenarios.push({ name: 'copilot-rotating-ids', sse: writer.toString(), expected: final });
  }

  {
    // CRLF line ends, comments, `data:` without a space, and a JSON payload over many lines.
    const writer = new ResponsesStreamWriter({ eol: '\r\n' });
    const env = envelope('resp_9e1d8f3a5b7c0a1b2c3d4e5f6a7b8c9d0e1f2a3b');
    const answer = message(
      'msg_0667788990aabbccddeeff00112233445566778',
      'Rip currents are strongest around low tide.',
    );
    writer.raw(': connected\r\n\r\n');
    writer.event('response.created', { response: env });
    writer.raw(':\r\n\r\n');
    writer.event('response.in_progress', { response: env });
    writer.item(0, answer);
    writer.raw(': keepalive\r\n\r\n');
    const final = {
      ...env,
      status: 'completed',
      service_tier: 'default',
      usage: usage(33, 11),
      completed_at: CREATED_AT + 1,
      output: [answer],
    };
    writer.event('response.completed', { response: final });
    const sse = writer
      .toString()
      .replace('data: {"type":"response.in_progress"', 'data:{"type":"response.in_progress"')
      .replace(/data: (\{"type":"response\.output_item\.added"[^\r]*)\r\n/, (_line, json: string) =>
        JSON.stringify(JSON.parse(json), null, 1)
          .split('\n')
          .map((line) => `data: ${line}\r\n`)
          .join(''),
      );
    scenarios.push({ name: 'crlf-framing', sse, expected: final });
  }

  {
    const partial = {
      id: 'msg_17788990aabbccddeeff0011223344556677889',
      type: 'message',
      status: 'incomplete',
      content: [
        {
          type: 'output_text',
          annotations: [],
          logprobs: [],
          text: 'Tide pools host anemones, sculpins, hermit crabs and',
        },
      ],
      role: 'assistant',
    };
    scenarios.push(
      standard({
        name: 'incomplete-max-tokens',
        env: envelope('resp_af2e9a4b6c8d1b2c3d4e5f6a7b8c9d0e1f2a3b4c', { max_output_tokens: 16 }),
        items: [partial],
        usage: usage(25, 16),
        terminal: 'response.incomplete',
        final: { incomplete_details: { reason: 'max_output_tokens' } },
      }),
    );
  }

  {
    // An error event in the nested shape (observed in production, openai/openai-dotnet#881),
    // then response.failed with an empty output: the text streamed before is kept.
    const writer = new ResponsesStreamWriter({ obfuscation: true, seed: 13 });
    const env = envelope('resp_b03fab5c7d9e2c3d4e5f6a7b8c9d0e1f2a3b4c5d');
    const partial = message(
      'msg_28899aabbccddeeff001122334455667788990a',
      'The next spring tide falls on',
    );
    writer.event('response.created', { response: env });
    writer.event('response.in_progress', { response: env });
    writer.item(0, partial, { cutAfter: 8 });
    writer.event('error', {
      error: {
        type: 'insufficient_quota',
        code: 'insufficient_quota',
        message: 'You exceeded your current quota, please check your plan and billing details.',
        param: null,
      },
    });
    const failed = {
      ...env,
      status: 'failed',
      error: {
        code: 'insufficient_quota',
        message: 'You exceeded your current quota, please check your plan and billing details.',
      },
      usage: null,
    };
    writer.event('response.failed', { response: failed });
    scenarios.push({
      name: 'error-failed',
      sse: writer.toString(),
      expected: { ...failed, output: [{ ...partial, status: 'incomplete' }] },
    });
  }

  {
    const writer = new ResponsesStreamWriter();
    const env = codexEnvelope('resp_c14a0c6d8e0f3d4e5f6a7b8c9d0e1f2a3b4c5d6e');
    const first = functionCall(
      'fc_399aabbccddeeff00112233445566778899aabb',
      'call_Xb5nR0pLm2Qs',
      'shell',
      {
        command: ['ls', 'tides'],
      },
    );
    const partial = message(
      'msg_4aabbccddeeff00112233445566778899aabbcc',
      'The directory holds three tide tables and a',
    );
    writer.event('response.created', { response: env });
    writer.event('response.in_progress', { response: env });
    writer.item(0, first);
    writer.item(1, partial, { cutAfter: 10 });
    scenarios.push({
      name: 'truncated',
      sse: writer.toString(),
      expected: {
        ...env,
        status: 'incomplete',
        error: {
          code: 'upstream_protocol',
          message: 'Upstream stream ended before its final event',
        },
        output: [first, { ...partial, status: 'incomplete' }],
      },
    });
  }

  return scenarios;
}

/** Writes every scenario to the fixture folder. */
export function writeFixtures(): void {
  for (const scenario of fixtureScenarios()) {
    writeFileSync(fixturePath('openai-responses', `${scenario.name}.sse`), scenario.sse);
    writeFileSync(
      fixturePath('openai-responses', `${scenario.name}.expected.json`),
      `${JSON.stringify(scenario.expected, null, 2)}\n`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFixtures();
