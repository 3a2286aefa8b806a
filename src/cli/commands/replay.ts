/**
 * `ccproxy replay FILE.sse --as chat|responses|messages [--stream]`: runs a captured (or
 * hand-written) upstream stream through the same decoder, accumulator and encoder the server
 * uses, and prints the answer a client of that format would get, plus what was dropped or unknown.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { WireFormatId } from '../../formats/format.js';
import { formats } from '../../formats/index.js';
import type { IrRequest } from '../../ir/request.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import {
  type ConversionPlan,
  convertBufferedBody,
  createStreamHalves,
  createStreamReassembler,
  decodingHalf,
  hasContent,
  type StreamHalves,
} from '../../pipeline/conversion.js';
import { wrappedCustomTools } from '../../pipeline/custom-tools.js';
import { type FormatRoute, liveStreamMode, routeBetween } from '../../pipeline/plan.js';
import { irErrorToProxy } from '../../pipeline/to-ir-error.js';
import { runStep } from '../../streams/step.js';
import { isRecord } from '../../util/json.js';
import { type CliIo, CommandFailure, UsageError } from '../io.js';

/** The short format names of the command line. */
export const FORMAT_NAMES: Record<string, WireFormatId> = {
  chat: 'openai-chat',
  responses: 'openai-responses',
  messages: 'anthropic-messages',
};

/** Options of `replay`. */
export interface ReplayOptions {
  as: string;
  from?: string;
  stream?: boolean;
  model?: string;
}

function formatOf(name: string, flag: string): WireFormatId {
  const format =
    (Object.hasOwn(FORMAT_NAMES, name) ? FORMAT_NAMES[name] : undefined) ??
    (Object.values(FORMAT_NAMES).includes(name as WireFormatId)
      ? (name as WireFormatId)
      : undefined);
  if (!format)
    throw new UsageError(`Invalid value for ${flag}: "${name}" (use chat, responses or messages)`);
  return format;
}

/** Guesses the format of an SSE transcript from its events. */
export function detectStreamFormat(text: string): WireFormatId | undefined {
  if (/"type"\s*:\s*"response\.|^event: response\./m.test(text)) return 'openai-responses';
  if (/"type"\s*:\s*"message_start"|^event: message_start/m.test(text)) return 'anthropic-messages';
  if (/"object"\s*:\s*"chat\.completion\.chunk"|"choices"\s*:/.test(text)) return 'openai-chat';
  return undefined;
}

function readSidecar(file: string): Record<string, unknown> | undefined {
  const path = file.replace(/\.sse$/, '') + '.json';
  if (path === file || !existsSync(path)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The captured client request as IR, when the sidecar has it (for stream options, tools, model). */
function capturedRequest(sidecar: Record<string, unknown> | undefined): IrRequest | undefined {
  const clientFormat = sidecar?.client_format;
  const request = isRecord(sidecar?.request) ? sidecar.request : undefined;
  if (typeof clientFormat !== 'string' || !isRecord(request?.body) || !(clientFormat in formats))
    return undefined;
  try {
    return formats[clientFormat as WireFormatId].decodeRequest(request.body).value;
  } catch {
    return undefined;
  }
}

/** The replayed file: its bytes, its sidecar, and the upstream format it holds. */
function readReplayInput(
  file: string,
  options: ReplayOptions,
): { bytes: Buffer; sidecar: Record<string, unknown> | undefined; upstreamFormat: WireFormatId } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CommandFailure(
      `Cannot read "${file}": ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const sidecar = readSidecar(file);
  const upstreamFormat = options.from
    ? formatOf(options.from, '--from')
    : typeof sidecar?.upstream_format === 'string' && sidecar.upstream_format in formats
      ? (sidecar.upstream_format as WireFormatId)
      : detectStreamFormat(bytes.toString('utf8'));
  if (!upstreamFormat) {
    throw new UsageError(
      `Cannot tell the format of "${file}": pass --from chat, responses or messages`,
    );
  }
  return { bytes, sidecar, upstreamFormat };
}

/** What a replay collects on its way. */
interface ReplayReport {
  warnings: ConversionWarning[];
  unknown: Map<string, number>;
}

/** The conversion the server would run, with the captured request, time and model. */
function replayPlan(
  route: FormatRoute,
  sidecar: Record<string, unknown> | undefined,
  options: ReplayOptions,
  report: ReplayReport,
): ConversionPlan {
  const request = capturedRequest(sidecar);
  let ids = 0;
  const time = typeof sidecar?.time === 'string' ? Date.parse(sidecar.time) : Number.NaN;
  const model = options.model ?? (typeof sidecar?.model === 'string' ? sidecar.model : undefined);
  return {
    ...route,
    formats,
    encodeContext: {
      ...(model ? { model } : {}),
      createdAt: Number.isFinite(time) ? Math.floor(time / 1000) : Math.floor(Date.now() / 1000),
      createId: (prefix) => `${prefix}replay${++ids}`,
      onWarning: (warning) => report.warnings.push(warning),
      ...(request ? { request } : {}),
    },
    customTools: wrappedCustomTools(route, request),
    onWarning: (warning) => report.warnings.push(warning),
    onUnknownEvent: (type) => report.unknown.set(type, (report.unknown.get(type) ?? 0) + 1),
  };
}

/** Prints the body a non-streaming client would get (or its error); the exit code. */
function replayBuffered(plan: ConversionPlan, bytes: Buffer, io: CliIo): number {
  const reassembler = createStreamReassembler(plan);
  reassembler.push(bytes);
  const accumulation = reassembler.result();
  const answer = convertBufferedBody(plan, accumulation.body);
  if (!accumulation.error) {
    io.stdout.write(`${JSON.stringify(answer.body, null, 2)}\n`);
    return 0;
  }
  // The server answers a failed or broken-off stream with this error, content or not.
  const encoded = formats[plan.clientFormat].encodeError(irErrorToProxy(accumulation.error));
  io.stdout.write(`${JSON.stringify(encoded.body, null, 2)}\n`);
  io.stderr.write(
    `replay: the stream ${hasContent(answer.ir) ? 'failed after content' : 'yields only an error'} (the client would get HTTP ${encoded.status})\n`,
  );
  return 1;
}

/** Runs the replay; resolves to the exit code (1 when the stream yields only an error). */
export async function runReplay(file: string, options: ReplayOptions, io: CliIo): Promise<number> {
  const clientFormat = formatOf(options.as, '--as');
  const { bytes, sidecar, upstreamFormat } = readReplayInput(file, options);
  const report: ReplayReport = { warnings: [], unknown: new Map() };
  const route = routeBetween(clientFormat, upstreamFormat);
  const plan = replayPlan(route, sidecar, options, report);

  let code = 0;
  if (options.stream) {
    const halves = createStreamHalves(plan, liveStreamMode(route)) as StreamHalves<unknown>;
    const items = runStep(decodingHalf(halves), [bytes]);
    for (const chunk of runStep(halves.encode, items)) io.stdout.write(chunk);
  } else {
    code = replayBuffered(plan, bytes, io);
  }
  const { warnings, unknown } = report;
  for (const warning of warnings) {
    io.stderr.write(`warning: ${warning.path ? `${warning.path}: ` : ''}${warning.message}\n`);
  }
  for (const [type, count] of unknown)
    io.stderr.write(`unknown upstream event: ${type} (${count}×)\n`);
  io.stderr.write(
    `replay: ${upstreamFormat} stream (${bytes.byteLength} bytes) as ${clientFormat}${options.stream ? ' stream' : ''}; ${warnings.length} warning(s), ${unknown.size} unknown event type(s)\n`,
  );
  return code;
}
