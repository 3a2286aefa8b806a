/** Defines the Responses transcript scenarios and writes them to the format's `__fixtures__`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fixturePath } from './fixtures.js';
import { driftScenarios } from './openai-responses-drift-fixtures.js';
import {
  CREATED_AT,
  codexEnvelope,
  envelope,
  type FixtureScenario,
  functionCall,
  message,
  standard,
  usage,
  WEATHER_TOOL,
} from './openai-responses-fixture-builders.js';
import { ResponsesStreamWriter } from './openai-responses-stream-writer.js';

export type { FixtureScenario } from './openai-responses-fixture-builders.js';

/**
 * Every scenario, in a stable order. Each transcript is written from the final body it must
 * rebuild, so `<name>.expected.json` is known independently of any accumulator. Run
 * `npx tsx test/helpers/openai-responses-fixtures.ts` to (re)write the files; the committed
 * files are the source of truth for the tests.
 */
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

  scenarios.push(...driftScenarios());
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
