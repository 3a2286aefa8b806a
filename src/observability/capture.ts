/**
 * Capture: for each request, the raw upstream bytes as `<name>.sse` and a `<name>.json` with the
 * request (secrets redacted), route, formats, timings, usage and the answer the client got. The
 * directory is bounded by a file count and a total size (the oldest captures go first); a
 * capture that cannot be written is logged and never fails a request.
 */
import { mkdirSync } from 'node:fs';
import { readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scrubKnownSecrets } from '../util/secrets.js';
import type { Logger } from './logger.js';
import { redactHeaders, redactValue } from './redact.js';
import type { RequestCapture } from './request-capture.js';
import type { RequestRecord } from './request-record.js';

/** Capture settings (`[capture]`). */
export interface CaptureSettings {
  dir: string;
  maxFiles: number;
  maxBytes: number;
  maxResponseBytes: number;
}

/** The sidecar `.json` of a capture (`version` 1). */
export interface CaptureRecord {
  version: 1;
  request_id: string;
  time: string;
  method: string;
  path: string;
  route?: string;
  client_format?: string;
  provider?: string;
  upstream_format?: string;
  model?: string;
  upstream_model?: string;
  stream?: boolean;
  mode?: string;
  status: number;
  error?: { code: string; message: string };
  timings: { ttfb_ms?: number; duration_ms?: number };
  usage: RequestRecord['usage'];
  request: { headers: Record<string, string>; body: unknown };
  upstream?: { status: number; headers: Record<string, string>; bytes: number };
  response: { body?: unknown; text?: string; truncated?: boolean };
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

/** A capture store over one directory. */
export interface CaptureStore {
  start(request: { record: RequestRecord; headers: Headers; body: unknown }): RequestCapture;
  /** Resolves when pending writes are done (tests, shutdown). */
  flush(): Promise<void>;
}

/** Creates the store (and its directory, mode 0700). */
export function createCaptureStore(
  settings: CaptureSettings,
  logger: Logger,
  now: () => Date = () => new Date(),
): CaptureStore {
  mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
  const pending = new Set<Promise<void>>();
  let pruning = Promise.resolve();

  async function prune(): Promise<void> {
    const names = (await readdir(settings.dir)).filter(
      (name) => name.endsWith('.json') || name.endsWith('.sse'),
    );
    const entries = await Promise.all(
      names.map(async (name) => {
        const info = await stat(join(settings.dir, name)).catch(() => undefined);
        return { name, size: info?.size ?? 0, base: name.replace(/\.(json|sse)$/, '') };
      }),
    );
    const bases = [...new Set(entries.map((entry) => entry.base))].sort();
    let total = entries.reduce((sum, entry) => sum + entry.size, 0);
    while (bases.length > 0 && (bases.length > settings.maxFiles || total > settings.maxBytes)) {
      const oldest = bases.shift()!;
      for (const entry of entries.filter((e) => e.base === oldest)) {
        await unlink(join(settings.dir, entry.name)).catch(() => {});
        total -= entry.size;
      }
    }
  }

  function track(work: Promise<void>): void {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  }

  return {
    start({ record, headers, body }) {
      const started = now();
      const base = `${stamp(started)}-${record.requestId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
      record.capture = join(settings.dir, base);
      const upstreamChunks: Uint8Array[] = [];
      let upstreamBytes = 0;
      let clientText = '';
      let clientTruncated = false;
      let upstream: CaptureRecord['upstream'];
      let finished = false;
      const decoder = new TextDecoder();
      return {
        upstream(bytes) {
          upstreamChunks.push(bytes);
          upstreamBytes += bytes.byteLength;
        },
        upstreamResponse(status, upstreamHeaders) {
          upstream = { status, headers: redactHeaders(upstreamHeaders), bytes: 0 };
        },
        client(chunk) {
          if (clientTruncated) return;
          clientText += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
          if (clientText.length > settings.maxResponseBytes) {
            clientText = clientText.slice(0, settings.maxResponseBytes);
            clientTruncated = true;
          }
        },
        finish(summary) {
          if (finished) return;
          finished = true;
          const sidecar: CaptureRecord = {
            version: 1,
            request_id: record.requestId,
            time: started.toISOString(),
            method: record.method,
            path: record.path,
            ...(record.route ? { route: record.route } : {}),
            ...(record.clientFormat ? { client_format: record.clientFormat } : {}),
            ...(record.provider ? { provider: record.provider } : {}),
            ...(record.upstreamFormat ? { upstream_format: record.upstreamFormat } : {}),
            ...(record.model ? { model: record.model } : {}),
            ...(record.upstreamModel ? { upstream_model: record.upstreamModel } : {}),
            ...(record.stream !== undefined ? { stream: record.stream } : {}),
            ...(record.mode ? { mode: record.mode } : {}),
            status: summary.status,
            ...(summary.error ? { error: summary.error } : {}),
            timings: {
              ...(record.ttfbMs !== undefined ? { ttfb_ms: Math.round(record.ttfbMs) } : {}),
              ...(record.durationMs !== undefined
                ? { duration_ms: Math.round(record.durationMs) }
                : {}),
            },
            usage: record.usage,
            request: { headers: redactHeaders(headers), body: redactValue(body) },
            ...(upstream ? { upstream: { ...upstream, bytes: upstreamBytes } } : {}),
            response:
              summary.body !== undefined
                ? { body: summary.body }
                : { text: clientText, ...(clientTruncated ? { truncated: true } : {}) },
          };
          const work = (async () => {
            try {
              // Known secrets are masked by value only: the stream's content keeps its shape
              // (patterns would also blank model text that merely looks like a key).
              await writeFile(
                join(settings.dir, `${base}.sse`),
                scrubKnownSecrets(Buffer.concat(upstreamChunks).toString('utf8')),
                { mode: 0o600 },
              );
              await writeFile(
                join(settings.dir, `${base}.json`),
                scrubKnownSecrets(`${JSON.stringify(sidecar, null, 2)}\n`),
                { mode: 0o600 },
              );
              pruning = pruning
                .then(prune)
                .catch((error: unknown) =>
                  logger.warn({ err: error }, 'cannot prune the capture directory'),
                );
              await pruning;
            } catch (error) {
              logger.warn({ err: error, dir: settings.dir }, 'cannot write a capture');
            }
          })();
          track(work);
        },
      };
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
