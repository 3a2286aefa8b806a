/** `ccproxy config show` (resolved settings and their sources) and `ccproxy config generate-token`. */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config/load.js';
import { ConfigError, type ConfigSource } from '../../config/resolve.js';
import { configSchema } from '../../config/schema.js';
import { unwrapSchema } from '../../config/unwrap-schema.js';
import { isSecretKey } from '../../observability/redact.js';
import { isRecord } from '../../util/json.js';
import { type CliIo, UsageError } from '../io.js';

/** One resolved setting. */
export interface ShownSetting {
  key: string;
  value: unknown;
  source: string;
}

function describe(source: ConfigSource | undefined): string {
  if (!source) return 'default';
  if (source.startsWith('file:')) return source.slice(5);
  if (source.startsWith('env:')) return `environment ${source.slice(4)}`;
  if (source.startsWith('flag:')) return `flag ${source.slice(5)}`;
  return source;
}

function sourceOf(
  key: string,
  sources: Readonly<Record<string, ConfigSource>>,
): ConfigSource | undefined {
  for (
    let cut = key;
    cut !== '';
    cut = cut.includes('.') ? cut.slice(0, cut.lastIndexOf('.')) : ''
  ) {
    if (sources[cut] !== undefined) return sources[cut];
  }
  return undefined;
}

/**
 * Every setting with its value (secrets redacted) and where it came from: each key the schema
 * knows, including those without a default and not set (value `undefined`, source `not set`),
 * plus the keys of user-named tables (`providers.NAME`) and unknown keys that were given.
 */
export function listSettings(
  config: unknown,
  sources: Readonly<Record<string, ConfigSource>>,
  schema: z.ZodType = configSchema,
): ShownSetting[] {
  const out: ShownSetting[] = [];
  const leaf = (value: unknown, key: string) => {
    const name = key.slice(key.lastIndexOf('.') + 1);
    const secret = isSecretKey(name) && typeof value === 'string';
    const source = sourceOf(key, sources);
    out.push({
      key,
      value: secret ? '[REDACTED]' : value,
      source: value === undefined && source === undefined ? 'not set' : describe(source),
    });
  };
  const walk = (node: z.ZodType | undefined, value: unknown, key: string) => {
    const join = (child: string) => (key ? `${key}.${child}` : child);
    const inner = node ? unwrapSchema(node, 'in') : undefined;
    if (inner instanceof z.ZodObject) {
      const shape = inner.shape as Record<string, z.ZodType>;
      const given = isRecord(value) ? value : {};
      for (const [child, childSchema] of Object.entries(shape)) {
        walk(childSchema, given[child], join(child));
      }
      for (const [child, childValue] of Object.entries(given)) {
        if (!(child in shape)) walk(undefined, childValue, join(child));
      }
      return;
    }
    if (inner instanceof z.ZodRecord) {
      if (isRecord(value) && Object.keys(value).length > 0) {
        for (const [child, childValue] of Object.entries(value)) {
          walk(inner.valueType as z.ZodType, childValue, join(child));
        }
      } else leaf(value, key);
      return;
    }
    if (inner === undefined && isRecord(value) && Object.keys(value).length > 0) {
      for (const [child, childValue] of Object.entries(value))
        walk(undefined, childValue, join(child));
      return;
    }
    leaf(value, key);
  };
  walk(schema, config, '');
  return out;
}

/** Adds `config show` and `config generate-token`. */
export function registerConfigCommand(program: Command, io: CliIo): void {
  const config = program
    .command('config')
    .description('show the resolved configuration, or make an access key');
  config
    .command('show')
    .description('print every setting, its value and where it came from (secrets redacted)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'config file')
    .action((options: { json?: boolean; config?: string }) => {
      let loaded: ReturnType<typeof loadConfig>;
      try {
        loaded = loadConfig({
          ...(options.config ? { configFile: options.config } : {}),
          cwd: io.cwd,
          env: io.env,
        });
      } catch (error) {
        if (error instanceof ConfigError) throw new UsageError(error.message);
        throw error;
      }
      const settings = listSettings(loaded.config, loaded.sources);
      if (options.json) {
        // Unset settings are listed too, with `null` (JSON has no undefined).
        const shown = settings.map((setting) => ({ ...setting, value: setting.value ?? null }));
        io.stdout.write(
          `${JSON.stringify({ file: loaded.file ?? null, warnings: loaded.warnings, settings: shown }, null, 2)}\n`,
        );
        return;
      }
      io.stdout.write(`# config file: ${loaded.file ?? '(none found)'}\n`);
      const width = Math.max(...settings.map((setting) => setting.key.length));
      for (const setting of settings) {
        const line =
          setting.value === undefined
            ? '(unset)'
            : `${JSON.stringify(setting.value)}  # ${setting.source}`;
        io.stdout.write(`${setting.key.padEnd(width)} = ${line}\n`);
      }
      for (const warning of loaded.warnings) io.stderr.write(`warning: ${warning}\n`);
    });
  config
    .command('generate-token')
    .description('print a strong random access key for [security] auth_token')
    .action(() => {
      io.stdout.write(`${randomBytes(32).toString('base64url')}\n`);
    });
}
