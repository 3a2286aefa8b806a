import { describe, expect, it } from 'vitest';
import { mayForwardClientText, planResponse, recordedMode, routeBetween } from './plan.js';

describe('mayForwardClientText', () => {
  it("is true when the provider may answer in the client's format", () => {
    expect(mayForwardClientText({ format: 'openai-chat' }, 'openai-chat')).toBe(true);
    expect(mayForwardClientText({ format: 'openai-chat' }, 'anthropic-messages')).toBe(false);
    // A provider that picks its upstream API by model may pick the client's.
    const picks = { format: 'openai-chat' as const, selectFormat: () => 'openai-chat' as const };
    expect(mayForwardClientText(picks, 'anthropic-messages')).toBe(true);
  });
});

describe('response plan', () => {
  const same = routeBetween('openai-chat', 'openai-chat');
  const other = routeBetween('anthropic-messages', 'openai-responses');

  it('says once whether the formats are the same', () => {
    expect(same).toEqual({
      clientFormat: 'openai-chat',
      upstreamFormat: 'openai-chat',
      sameFormat: true,
    });
    expect(other.sameFormat).toBe(false);
  });

  it('picks one mode for each client and upstream', () => {
    const cases = [
      [same, true, true, 'passthrough'],
      [other, true, true, 'translate'],
      [same, true, false, 'fake-stream'],
      [other, true, false, 'fake-stream'],
      [same, false, true, 'reassemble'],
      [other, false, true, 'reassemble'],
      [same, false, false, 'convert'],
      [other, false, false, 'convert'],
    ] as const;
    for (const [route, clientStream, upstreamStreams, mode] of cases) {
      expect(planResponse(route, { clientStream, upstreamStreams })).toBe(mode);
    }
  });

  it('logs a fake stream as a translation, as the access log always has', () => {
    expect(recordedMode('fake-stream')).toBe('translate');
    expect(recordedMode('passthrough')).toBe('passthrough');
  });
});
