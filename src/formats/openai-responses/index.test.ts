import { describe, expect, it } from 'vitest';
import {
  loadTranscript,
  parseSplit,
  run,
  testContext,
} from '../../../test/helpers/openai-responses-kit.js';
import { accumulateEvents } from '../../ir/accumulate.js';
import { openaiResponses } from './index.js';

describe('openaiResponses', () => {
  it('is the openai-responses wire format with every converter wired', () => {
    expect(openaiResponses.id).toBe('openai-responses');
    const { bytes, expected } = loadTranscript('codex-output-missing');
    const messages = parseSplit(bytes, 9);
    const accumulator = openaiResponses.createStreamAccumulator();
    for (const message of messages) accumulator.push(message);
    expect(accumulator.result().body).toEqual(expected);
    const streamed = accumulateEvents(run(openaiResponses.createStreamDecoder(), messages));
    const body = openaiResponses.decodeResponse(expected).value;
    expect(streamed.content.length).toBe(body.content.length);
    const encoded = openaiResponses.encodeResponse(body, testContext()).value;
    expect(encoded).toEqual(expected);
    expect(openaiResponses.createStreamPassthrough).toBeTypeOf('function');
    const request = openaiResponses.decodeRequest({ model: 'gpt-5', input: 'hi' }).value;
    expect(openaiResponses.encodeRequest(request).value).toEqual({ model: 'gpt-5', input: 'hi' });
    expect(openaiResponses.encodeError({ code: 'internal', message: 'x' }).status).toBe(500);
    expect(openaiResponses.decodeError(404, {}, new Headers()).code).toBe('not_found');
  });
});
