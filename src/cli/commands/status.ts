/**
 * `ccproxy status`: asks a running server (its authorized `/health`) how much of each account's
 * plan is used, and prints a table per account with a usage bar, percent, window and time to reset.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { isRecord } from '../../util/json.js';
import { type CliIo, CommandFailure } from '../io.js';
import { completeIo, runGuarded } from './auth-context.js';

/** One window as `/health` shows it. */
export interface StatusWindow {
  name: string;
  usedRatio: number;
  windowMinutes?: number;
  resetsAt?: string;
  status?: string;
}

/** One account as `/health` shows it. */
export interface StatusAccount {
  provider: string;
  account: string;
  plan?: string;
  status?: string;
  windows: StatusWindow[];
  resting?: { until: string };
}

/** Options of `ccproxy status`. */
export interface StatusOptions {
  url?: string;
  config?: string;
  json?: boolean;
}

const BAR_WIDTH = 20;

/** A usage bar: `[#######.............]`, full at 100 %. */
export function usageBar(ratio: number): string {
  const filled = Math.max(0, Math.min(BAR_WIDTH, Math.round(ratio * BAR_WIDTH)));
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
}

/** A window length: `5h`, `7d`, `90m`. */
export function formatWindow(minutes: number | undefined): string {
  if (minutes === undefined) return '-';
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** Time until a reset: `2h 15m`, `3d 4h`, `45m`, `<1m`, or `now` when it has passed. */
export function formatTimeTo(resetsAt: string | undefined, nowMs: number): string {
  if (resetsAt === undefined) return '-';
  const ms = Date.parse(resetsAt) - nowMs;
  if (!Number.isFinite(ms)) return '-';
  if (ms <= 0) return 'now';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '<1m';
  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor((minutes % (24 * 60)) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${rest}m`;
  return `${rest}m`;
}

/** Renders the accounts as one aligned table. */
export function formatStatusTable(accounts: readonly StatusAccount[], nowMs: number): string {
  if (accounts.length === 0) {
    return 'No plan usage reported yet: it appears after the first answer from each account.\n';
  }
  const header = ['PROVIDER', 'ACCOUNT', 'WINDOW', 'USAGE', 'USED', 'RESETS IN'];
  const rows: string[][] = [];
  for (const account of accounts) {
    const name = account.resting
      ? `${account.account} (resting ${formatTimeTo(account.resting.until, nowMs)})`
      : account.account;
    if (account.windows.length === 0) rows.push([account.provider, name, '-', '-', '-', '-']);
    for (const window of account.windows) {
      const length = formatWindow(window.windowMinutes);
      rows.push([
        account.provider,
        name,
        length === window.name || length === '-' ? window.name : `${window.name} (${length})`,
        usageBar(window.usedRatio),
        `${Math.round(window.usedRatio * 100)}%`,
        formatTimeTo(window.resetsAt, nowMs),
      ]);
    }
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const lines = [header, ...rows].map((row) =>
    row
      .map((cell, column) => {
        if (column === row.length - 1) return cell;
        // Percentages read best right-aligned.
        return column === 4 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!);
      })
      .join('  '),
  );
  return `${lines.join('\n')}\n`;
}

function readAccounts(body: unknown): StatusAccount[] | undefined {
  if (!isRecord(body) || !Array.isArray(body.plan_usage)) return undefined;
  return body.plan_usage.filter(
    (entry): entry is StatusAccount =>
      isRecord(entry) &&
      typeof entry.provider === 'string' &&
      typeof entry.account === 'string' &&
      Array.isArray(entry.windows),
  );
}

/** Runs `ccproxy status`. */
export async function runStatus(options: StatusOptions, cliIo: CliIo): Promise<void> {
  const io = completeIo(cliIo);
  const { config } = loadConfig({ configFile: options.config, cwd: io.cwd, env: io.env });
  const host = ['0.0.0.0', '::', ''].includes(config.server.host)
    ? '127.0.0.1'
    : config.server.host;
  const base = (
    options.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`
  ).replace(/\/+$/, '');
  const key = config.security.auth_token;
  let response: Response;
  try {
    response = await io.fetch(`${base}/health`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new CommandFailure(`Cannot reach ccproxy at ${base}: is \`ccproxy serve\` running?`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  const accounts = readAccounts(body);
  if (!response.ok || !accounts) {
    throw new CommandFailure(
      response.ok
        ? `ccproxy at ${base} did not share plan usage: set the access key it expects (SECURITY__AUTH_TOKEN or [security] auth_token)`
        : `ccproxy at ${base} answered HTTP ${response.status}`,
    );
  }
  io.stdout.write(
    options.json
      ? `${JSON.stringify({ accounts }, null, 2)}\n`
      : formatStatusTable(accounts, io.now()),
  );
}

/** Adds `status` to the program. */
export function registerStatusCommand(program: Command, io: CliIo): void {
  program
    .command('status')
    .description(
      "show each account's plan usage (bar, percent, window, time to reset) from a running server",
    )
    .option('--url <url>', 'the server (default: http://[server] host:port of the config)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'config file')
    .action((options: StatusOptions) => runGuarded(() => runStatus(options, io)));
}
