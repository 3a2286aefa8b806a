/** Generates the large, deterministic Codex-backend stream used for the reassembly benchmark. */
import { ResponsesStreamWriter } from './openai-responses-stream-writer.js';
import { createRandom } from './split.js';

type Json = Record<string, unknown>;

/** The stream and the body a correct accumulator rebuilds from it. */
export interface LargeCodexStream {
  sse: string;
  expected: Json;
  /** Number of SSE events in `sse`. */
  events: number;
}

const WORDS = [
  'tide',
  'table',
  'parser',
  'height',
  'negative',
  'station',
  'harmonic',
  'constituent',
  'offset',
  'datum',
  'mean',
  'lower',
  'low',
  'water',
  'the',
  'a',
  'of',
  'to',
  'and',
  'in',
  'checks',
  'test',
  'fixture',
  'regex',
  'sign',
  'minus',
  'value',
  'returns',
  'file',
  'module',
  'because',
  'when',
  'reading',
  'NOAA',
  'prediction',
  'interval',
  'minutes',
  'feet',
  'metres',
  'convert',
  'round',
];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function words(random: () => number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(WORDS[Math.floor(random() * WORDS.length)] ?? 'tide');
  return `${out.join(' ')}.`;
}

function blob(random: () => number, length: number): string {
  let out = 'gAAAAAB';
  for (let i = out.length; i < length; i++) out += BASE64[Math.floor(random() * 64)];
  return out;
}

/** Builds the benchmark stream (same bytes on every call). */
export function createLargeCodexStream(): LargeCodexStream {
  const random = createRandom(20260501);
  const instructions = `You are Codex, a coding agent. ${words(random, 7400)}`;
  const tools = [
    {
      type: 'function',
      name: 'shell',
      description: `Runs a shell command. ${words(random, 60)}`,
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
      description: `Edits files with a patch. ${words(random, 60)}`,
      format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' },
    },
  ];
  const env: Json = {
    id: 'resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    object: 'response',
    created_at: 1777593600,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions,
    max_output_tokens: null,
    max_tool_calls: null,
    model: 'gpt-5.1-codex-max',
    output: [],
    parallel_tool_calls: false,
    previous_response_id: null,
    prompt_cache_key: '019a2b3c-4d5e-7f60-8a9b-0c1d2e3f4a5b',
    reasoning: { effort: 'high', summary: 'auto' },
    safety_identifier: 'user-0f1e2d3c4b5a',
    service_tier: 'auto',
    store: false,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools,
    top_logprobs: 0,
    top_p: 0.98,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
  };
  const items: Json[] = [
    {
      id: 'rs_10a1b2c3d4e5f60718293a4b5c6d7e8f',
      type: 'reasoning',
      summary: [
        { type: 'summary_text', text: `**Reading the parser**\n\n${words(random, 24)}` },
        { type: 'summary_text', text: `**Finding the bug**\n\n${words(random, 24)}` },
      ],
      encrypted_content: blob(random, 24000),
    },
    {
      id: 'msg_20a1b2c3d4e5f60718293a4b5c6d7e8f',
      type: 'message',
      status: 'completed',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: words(random, 40) }],
      role: 'assistant',
      phase: 'commentary',
    },
    {
      id: 'fc_30a1b2c3d4e5f60718293a4b5c6d7e8f',
      type: 'function_call',
      status: 'completed',
      arguments: JSON.stringify({
        command: ['npm', 'test', '--', 'tide-table'],
        workdir: '/home/dev/tides',
      }),
      call_id: 'call_40a1b2c3d4e5f607',
      name: 'shell',
    },
    {
      id: 'rs_50a1b2c3d4e5f60718293a4b5c6d7e8f',
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: `**Planning the patch**\n\n${words(random, 30)}` }],
      encrypted_content: blob(random, 26000),
    },
    {
      id: 'ctc_60a1b2c3d4e5f60718293a4b5c6d7e8f',
      type: 'custom_tool_call',
      status: 'completed',
      call_id: 'call_70a1b2c3d4e5f607',
      name: 'apply_patch',
      input: `*** Begin Patch\n*** Update File: src/tide-table.ts\n@@\n-const HEIGHT = /^(\\d+\\.\\d+)$/;\n+const HEIGHT = /^(-?\\d+\\.\\d+)$/;\n*** End Patch\n`,
    },
    {
      id: 'msg_80a1b2c3d4e5f60718293a4b5c6d7e8f',
      type: 'message',
      status: 'completed',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: words(random, 214) }],
      role: 'assistant',
      phase: 'final_answer',
    },
  ];

  const writer = new ResponsesStreamWriter({ obfuscation: true, seed: 431 });
  writer.event(
    'codex.rate_limits',
    {
      plan_type: 'pro',
      rate_limits: {
        primary: { used_percent: 18.0, window_minutes: 300, reset_at: 1777605000 },
        secondary: { used_percent: 4.0, window_minutes: 10080, reset_at: 1778100000 },
      },
      credits: { has_credits: true, unlimited: false, balance: '12.40' },
    },
    false,
  );
  writer.event('response.created', { response: env });
  writer.event('response.in_progress', { response: env });
  items.forEach((item, index) => {
    if (index > 0) writer.event('keepalive', {});
    const encrypted = item.encrypted_content;
    writer.item(
      index,
      item,
      typeof encrypted === 'string' ? { addedEncryptedContent: encrypted.slice(0, 4000) } : {},
    );
  });
  const final: Json = {
    ...env,
    status: 'completed',
    service_tier: 'default',
    completed_at: 1777593671,
    usage: {
      input_tokens: 24512,
      input_tokens_details: { cached_tokens: 22016 },
      output_tokens: 1893,
      output_tokens_details: { reasoning_tokens: 1344 },
      total_tokens: 26405,
    },
  };
  const terminal = { ...final };
  delete terminal.output;
  writer.event('response.completed', { response: terminal });
  return { sse: writer.toString(), expected: { ...final, output: items }, events: writer.events };
}
