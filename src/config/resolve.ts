/**
 * Resolves the configuration from its layers (defaults < config file < environment < flags):
 * a pure merge plus validation, with the source of every value recorded for `config show`.
 */
import { z } from 'zod';
import { isRecord, type JsonObject } from '../util/json.js';
import { type Config, configSchema } from './schema.js';
import { unwrapSchema } from './unwrap-schema.js';

/** Where a setting came from. */
export type ConfigSource = 'default' | `file:${string}` | `env:${string}` | `flag:${string}`;

/** One layer of settings, in the TOML layout, with a source label per leaf. */
export interface ConfigLayer {
  values: JsonObject;
  /** Source label for every leaf path in `values` (dotted path → source). */
  sources: Record<string, ConfigSource>;
}

/** Inputs of `resolveConfig`. */
export interface ResolveConfigInput {
  file?: { path: string; data: JsonObject };
  env?: Record<string, string | undefined>;
  /** Flag values already in the TOML layout (`{ server: { port: 8001 } }`) with their flag names. */
  flags?: ConfigLayer;
}

/** The resolved, frozen configuration with provenance and non-fatal notes. */
export interface ResolvedConfig {
  config: Readonly<Config>;
  /** Dotted path → where its value came from (paths absent here are defaults). */
  sources: Record<string, ConfigSource>;
  /** Keys the schema does not know (kept and ignored), and similar notes for the user. */
  warnings: string[];
}

/** Thrown when a setting is invalid; its message names every bad key and its source. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Top-level keys that environment variables may set (`SERVER__PORT`, `PLUGINS__CODEX__...`). */
const ENV_ROOTS = new Set([
  'server',
  'logging',
  'security',
  'http',
  'plugins',
  'providers',
  'capture',
  'state',
  'responses_store',
  'models',
  'enable_plugins',
  'enabled_plugins',
  'disabled_plugins',
]);

/** Settings that have their own environment variable besides the nested form. */
const ENV_ALIASES: Record<string, string> = {
  CCPROXY_CODEX_BASE_URL: 'plugins.codex.base_url',
  CCPROXY_CODEX_TOKEN_URL: 'plugins.codex.token_url',
  CODEX_HOME: 'plugins.codex.codex_home',
  CCPROXY_CODEX_AUTHORIZE_URL: 'plugins.codex.authorize_url',
  CCPROXY_CLAUDE_CREDENTIALS_FILE: 'plugins.claude_api.credentials_file',
  CCPROXY_CLAUDE_TOKEN_URL: 'plugins.claude_api.token_url',
  CCPROXY_CLAUDE_AUTHORIZE_URL: 'plugins.claude_api.authorize_url',
  CCPROXY_CLAUDE_BASE_URL: 'plugins.claude_api.base_url',
  ANTHROPIC_API_KEY: 'plugins.claude_api.api_key',
  GH_TOKEN: 'plugins.copilot.github_token',
  CCPROXY_COPILOT_GITHUB_URL: 'plugins.copilot.github_url',
  CCPROXY_COPILOT_GITHUB_API_URL: 'plugins.copilot.github_api_url',
  CCPROXY_COPILOT_BASE_URL: 'plugins.copilot.base_url',
};

/** Parses an environment value: JSON for numbers, booleans, arrays and objects; else the string. */
export function parseEnvValue(raw: string): unknown {
  const trimmed = raw.trim();
  if (/^(true|false|null|-?\d+(\.\d+)?|\[.*\]|\{.*\})$/s.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return raw;
    }
  }
  return raw;
}

function setPath(target: JsonObject, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isRecord(next)) node[key] = {};
    node = node[key] as JsonObject;
  }
  node[path[path.length - 1]!] = value;
}

function collectLeaves(value: unknown, prefix: string, out: string[]): void {
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) {
      collectLeaves(child, prefix ? `${prefix}.${key}` : key, out);
    }
    return;
  }
  if (prefix) out.push(prefix);
}

/** Builds a layer from a plain object, labelling every leaf with one source. */
export function layerFrom(values: JsonObject, source: ConfigSource): ConfigLayer {
  const leaves: string[] = [];
  collectLeaves(values, '', leaves);
  return { values, sources: Object.fromEntries(leaves.map((leaf) => [leaf, source])) };
}

/** The environment layer: nested `A__B__C` variables under known roots, plus the aliases. */
export function envLayer(env: Record<string, string | undefined>): ConfigLayer {
  const values: JsonObject = {};
  const sources: Record<string, ConfigSource> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined) continue;
    // Own keys only: a variable named `toString` is not an alias.
    const alias = Object.hasOwn(ENV_ALIASES, name) ? ENV_ALIASES[name] : undefined;
    if (alias !== undefined) {
      if (raw === '') continue;
      setPath(values, alias.split('.'), raw);
      sources[alias] = `env:${name}`;
      continue;
    }
    const path = name.split('__').map((part) => part.toLowerCase());
    if (!ENV_ROOTS.has(path[0]!) || path.some((part) => part === '')) continue;
    if (path.length === 1 && !name.includes('_')) continue;
    setPath(values, path, parseEnvValue(raw));
    sources[path.join('.')] = `env:${name}`;
  }
  return { values, sources };
}

function deepMerge(base: JsonObject, override: JsonObject): JsonObject {
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isRecord(current) && isRecord(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

/** Unwraps optional/default/prefault/nullable/pipe wrappers to reach an object schema, if any. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const inner = unwrapSchema(schema, 'out');
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : undefined;
}

function findUnknownKeys(schema: z.ZodType, value: unknown, path: string, out: string[]): void {
  const shape = objectShape(schema);
  if (!shape || !isRecord(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    const childSchema = shape[key];
    if (childSchema === undefined) {
      // Providers are user-named tables; each is validated by its own plugin.
      if (path === 'providers' || path === 'plugins') continue;
      out.push(childPath);
      continue;
    }
    findUnknownKeys(childSchema, child, childPath, out);
  }
}

function describeSource(path: string, sources: Record<string, ConfigSource>): string {
  const below = Object.keys(sources).find((key) => key.startsWith(`${path}.`));
  if (below !== undefined) return describeSource(below, sources);
  for (
    let cut = path;
    cut !== '';
    cut = cut.includes('.') ? cut.slice(0, cut.lastIndexOf('.')) : ''
  ) {
    const source = sources[cut];
    if (source !== undefined) {
      if (source.startsWith('file:')) return ` (from ${source.slice(5)})`;
      if (source.startsWith('env:')) return ` (from environment variable ${source.slice(4)})`;
      if (source.startsWith('flag:')) return ` (from flag ${source.slice(5)})`;
      return '';
    }
  }
  return '';
}

/**
 * Merges the layers and validates the result. Unknown keys are kept and reported as warnings
 * (old config files keep loading); a known key with a bad value is a `ConfigError` naming it.
 */
export function resolveConfig(input: ResolveConfigInput): ResolvedConfig {
  const layers: ConfigLayer[] = [];
  if (input.file) layers.push(layerFrom(input.file.data, `file:${input.file.path}`));
  if (input.env) layers.push(envLayer(input.env));
  if (input.flags) layers.push(input.flags);

  let merged: JsonObject = {};
  const sources: Record<string, ConfigSource> = {};
  for (const layer of layers) {
    merged = deepMerge(merged, layer.values);
    for (const [path, source] of Object.entries(layer.sources)) {
      for (const existing of Object.keys(sources)) {
        if (existing === path || existing.startsWith(`${path}.`)) delete sources[existing];
      }
      sources[path] = source;
    }
  }

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      return `"${path || '(root)'}": ${issue.message}${describeSource(path, sources)}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }

  const unknown: string[] = [];
  findUnknownKeys(configSchema, merged, '', unknown);
  const warnings = unknown.map(
    (path) => `Unknown setting "${path}"${describeSource(path, sources)} is ignored`,
  );
  return { config: deepFreeze(parsed.data), sources, warnings };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
