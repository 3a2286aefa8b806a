/** The config edge: finds and reads the TOML file and the environment, then resolves. */
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import type { JsonObject } from '../util/json.js';
import { findConfigFile } from './paths.js';
import { ConfigError, type ConfigLayer, type ResolvedConfig, resolveConfig } from './resolve.js';

/** Inputs of `loadConfig`. */
export interface LoadConfigOptions {
  /** An explicit config file (`--config`); it must exist. */
  configFile?: string;
  cwd: string;
  env: Record<string, string | undefined>;
  flags?: ConfigLayer;
}

/** The resolved config plus the file it came from, if any. */
export interface LoadedConfig extends ResolvedConfig {
  file?: string;
}

/** Reads and parses a TOML config file, with a clear error naming the file and the problem. */
export function readConfigFile(path: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `Config file "${path}" does not exist`
        : `Cannot read config file "${path}": ${code ?? 'error'}`,
    );
  }
  try {
    return parseToml(text) as JsonObject;
  } catch (error) {
    throw new ConfigError(`Invalid TOML in "${path}": ${(error as Error).message}`);
  }
}

/** Loads the configuration: defaults < config file < environment < flags. */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const explicit = options.configFile ?? options.env.CCPROXY_CONFIG;
  const file = explicit ?? findConfigFile(options.cwd, options.env);
  const data = file ? readConfigFile(file) : undefined;
  const resolved = resolveConfig({
    ...(file && data ? { file: { path: file, data } } : {}),
    env: options.env,
    ...(options.flags ? { flags: options.flags } : {}),
  });
  return { ...resolved, ...(file ? { file } : {}) };
}
