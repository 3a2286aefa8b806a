import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, jsonLineWriter } from '../observability/logger.js';
import { markRedacted } from '../observability/redact.js';
import { createRequestRecord, type RequestRecord } from '../observability/request-record.js';
import { registerSecret, scrubSecrets } from '../util/secrets.js';
import { accessLogFields, accessLogLine, logAccess } from './access-log.js';

/** A JSON-lines logger whose lines are collected (as pino writes them, one write per line). */
function collectingLogger(level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level, format: 'json', destination }), lines };
}

/** The same line with its time field cleared (the two lines may fall in different milliseconds). */
const timeless = (line: string | undefined) => line?.replace(/,"time":"[^"]*"/, ',"time":""');

/** Client-controlled text: quotes, escapes, line separators, non-ASCII, and secret shapes. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('sk-abcdefghijklmnopqrstuvwx', 'Bearer eyJabc.def.ghi', '"\\\u2028\u0000é'),
);

/** A number as the record may hold it: NaN and infinities too (JSON writes them as null). */
const anyNumber = fc.oneof(fc.double(), fc.nat());

const records = fc.record(
  {
    requestId: text,
    path: text,
    route: text,
    clientFormat: fc.constantFrom('openai-chat', 'openai-responses', 'anthropic-messages'),
    provider: text,
    account: text,
    upstreamFormat: fc.constantFrom('openai-chat', 'openai-responses', 'anthropic-messages'),
    model: text,
    upstreamModel: text,
    stream: fc.boolean(),
    mode: fc.constantFrom('passthrough', 'normalize', 'translate', 'reassemble'),
    status: fc.integer({ min: 100, max: 599 }),
    errorCode: text,
    upstreamStatus: fc.integer({ min: 100, max: 599 }),
    finishReason: text,
    ttfbMs: anyNumber,
    durationMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
    inputTokens: fc.nat(),
    outputTokens: fc.nat(),
    cachedInputTokens: fc.nat(),
    reasoningTokens: fc.nat(),
    warnings: fc.nat(),
    unknownEvents: fc.nat(),
    cancelled: fc.boolean(),
  },
  { requiredKeys: ['requestId', 'path'] },
);

type RecordValues = typeof records extends fc.Arbitrary<infer T> ? T : never;

function recordOf(values: RecordValues): RequestRecord {
  const {
    requestId,
    path,
    inputTokens,
    outputTokens,
    cachedInputTokens,
    reasoningTokens,
    ...rest
  } = values;
  const record = createRequestRecord({ requestId, method: 'POST', path, startedAt: 0 }).record;
  Object.assign(record, rest);
  const usage = { inputTokens, outputTokens, cachedInputTokens, reasoningTokens };
  for (const [key, value] of Object.entries(usage)) {
    if (value !== undefined) record.usage = { ...record.usage, [key]: value };
  }
  return record;
}

describe('accessLogLine', () => {
  it('is the line pino writes for the request logger’s access call', () => {
    const { logger, lines } = collectingLogger();
    fc.assert(
      fc.property(records, (values) => {
        const record = recordOf(values);
        const fields = accessLogFields(record);
        lines.length = 0;
        logger
          .child({ request_id: scrubSecrets(record.requestId) })
          .info({ access: markRedacted(fields) }, 'access');
        expect(lines).toHaveLength(1);
        expect(timeless(accessLogLine(record))).toBe(timeless(lines[0]));
        const parsed = JSON.parse(accessLogLine(record)) as Record<string, unknown>;
        expect(parsed.access).toEqual(JSON.parse(JSON.stringify(fields)));
      }),
      { numRuns: 300 },
    );
  });

  it('holds no secret the client sent', () => {
    const record = recordOf({
      requestId: 'sk-abcdefghijklmnopqrstuvwx',
      path: '/codex/v1/responses?access_token=eyJhbGciOi.abc.def',
    });
    const line = accessLogLine(record);
    expect(line).not.toContain('sk-abcdefghijklmnopqrstuvwx');
    expect(line).not.toContain('eyJhbGciOi.abc.def');
    // A value too long to be remembered is scrubbed too.
    record.model = `${'m'.repeat(300)} sk-abcdefghijklmnopqrstuvwx`;
    const long = JSON.parse(accessLogLine(record)).access.model as string;
    expect(long).toBe(`${'m'.repeat(300)} [REDACTED]`);
  });

  it('hides a value registered as a secret after a line showed it', () => {
    // Remembered scrubbed texts (`redactRepeatedText`) must not outlive a new secret.
    const model = `model-${Math.random().toString(36).slice(2)}-name`;
    const record = recordOf({ requestId: 'req_1', path: '/codex/v1/responses', model });
    expect(accessLogLine(record)).toContain(model);
    registerSecret(model);
    const line = accessLogLine(record);
    expect(line).not.toContain(model);
    expect(JSON.parse(line).access.model).toBe('[REDACTED]');
  });
});

describe('logAccess', () => {
  const record = () =>
    recordOf({ requestId: 'req_1', path: '/bench/v1/chat/completions', status: 200 });
  const write = (
    logger: ReturnType<typeof createLogger>,
    lines: ReturnType<typeof jsonLineWriter>,
  ) =>
    logAccess(record(), {
      logger: logger.child({ request_id: 'req_1' }),
      lines,
      metrics: undefined,
      enabled: true,
      file: undefined,
    });

  it('writes through the line writer the same line pino writes', () => {
    const direct = collectingLogger();
    const writer = jsonLineWriter(direct.logger);
    expect(writer).toBeDefined();
    write(direct.logger, writer);
    const viaPino = collectingLogger();
    write(viaPino.logger, undefined);
    expect(direct.lines).toHaveLength(1);
    expect(timeless(direct.lines[0])).toBe(timeless(viaPino.lines[0]));
  });

  it('writes nothing when the level leaves info out', () => {
    const { logger, lines } = collectingLogger('warn');
    write(logger, jsonLineWriter(logger));
    expect(lines).toEqual([]);
  });

  it('writes to the log file too', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ccproxy-access-')), 'log.jsonl');
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ level: 'info', format: 'json', destination, file });
    write(logger, jsonLineWriter(logger));
    // The file's lines leave once per turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe(lines[0]);
  });
});

describe('jsonLineWriter', () => {
  it('is only for root loggers that write JSON lines', () => {
    const json = collectingLogger().logger;
    const pretty = createLogger({
      level: 'info',
      format: 'pretty',
      destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
    });
    expect(jsonLineWriter(json)).toBeTypeOf('function');
    expect(jsonLineWriter(json.child({ request_id: 'x' }))).toBeUndefined();
    expect(jsonLineWriter(pretty)).toBeUndefined();
  });
});
