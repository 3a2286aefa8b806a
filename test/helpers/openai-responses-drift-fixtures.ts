/** Defines the drift scenarios of the Responses fixtures (Codex, Copilot, framing, failures). */
import {
  CREATED_AT,
  codexDrift,
  codexEnvelope,
  envelope,
  type FixtureScenario,
  functionCall,
  message,
  standard,
  usage,
} from './openai-responses-fixture-builders.js';
import { ResponsesStreamWriter } from './openai-responses-stream-writer.js';

/** Scenarios of upstream drift, odd framing, failures and truncation. */
export function driftScenarios(): FixtureScenario[] {
  const scenarios: FixtureScenario[] = [];

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
