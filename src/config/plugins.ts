/**
 * Which plugins run. Providers and features are plugins, named as in ccproxy-api: `codex`,
 * `claude_api`, `claude_sdk`, `copilot`, `access_log`, `metrics`, plus `dashboard`.
 *
 * Rules, in order: `enable_plugins = false` turns all off; `enabled_plugins` (config) is an
 * allow-list, as in ccproxy-api; `disabled_plugins` (config) and `[plugins.NAME] enabled = false`
 * turn plugins off; then the `--enable-plugin` / `--disable-plugin` flags turn single plugins on
 * or off, and win.
 */
import type { Config } from './schema.js';

/** Every plugin name ccproxy knows. */
export const KNOWN_PLUGINS = [
  'codex',
  'claude_api',
  'claude_sdk',
  'copilot',
  'access_log',
  'metrics',
  'dashboard',
] as const;
export type PluginName = (typeof KNOWN_PLUGINS)[number];

/** Plugins implemented in this version. */
export const AVAILABLE_PLUGINS: ReadonlySet<PluginName> = new Set([
  'codex',
  'claude_api',
  'copilot',
  'access_log',
  'metrics',
  'dashboard',
]);

/** Plugins that are off unless turned on. */
const OFF_BY_DEFAULT: ReadonlySet<PluginName> = new Set(['claude_sdk']);

/** ccproxy-api names that are part of another plugin here. */
const ALIASES: Record<string, PluginName> = { oauth_codex: 'codex', oauth_claude: 'claude_api' };

/** The flags' part in plugin selection. */
export interface PluginFlags {
  enable?: readonly string[];
  disable?: readonly string[];
}

/** The selection and what the user should be told about it. */
export interface PluginSelection {
  enabled: PluginName[];
  warnings: string[];
}

function canonical(name: string, warnings: string[], where: string): PluginName | undefined {
  const normalized = name.trim().toLowerCase().replace(/-/g, '_');
  const alias = Object.hasOwn(ALIASES, normalized) ? ALIASES[normalized] : undefined;
  if (alias) return alias;
  if ((KNOWN_PLUGINS as readonly string[]).includes(normalized)) return normalized as PluginName;
  warnings.push(
    `Unknown plugin "${name}" in ${where} is ignored (known: ${KNOWN_PLUGINS.join(', ')})`,
  );
  return undefined;
}

/** Decides which plugins run. */
export function selectPlugins(config: Readonly<Config>, flags: PluginFlags = {}): PluginSelection {
  const warnings: string[] = [];
  const allow = config.enabled_plugins?.map((name) => canonical(name, warnings, 'enabled_plugins'));
  const deny = new Set(
    (config.disabled_plugins ?? []).map((name) => canonical(name, warnings, 'disabled_plugins')),
  );
  const flagOn = new Set(
    (flags.enable ?? []).map((name) => canonical(name, warnings, '--enable-plugin')),
  );
  const flagOff = new Set(
    (flags.disable ?? []).map((name) => canonical(name, warnings, '--disable-plugin')),
  );
  const pluginTables = config.plugins as Record<string, { enabled?: boolean } | undefined>;

  const enabled: PluginName[] = [];
  for (const name of KNOWN_PLUGINS) {
    let on = config.enable_plugins;
    if (on && allow) on = allow.includes(name);
    if (on && allow === undefined)
      on = !OFF_BY_DEFAULT.has(name) || pluginTables[name]?.enabled === true;
    if (deny.has(name) || pluginTables[name]?.enabled === false) on = false;
    if (flagOn.has(name)) on = true;
    if (flagOff.has(name)) on = false;
    if (!on) continue;
    if (!AVAILABLE_PLUGINS.has(name)) {
      if (flagOn.has(name) || allow?.includes(name)) {
        warnings.push(
          `Plugin "${name}" is not available in this version of ccproxy; continuing without it`,
        );
      }
      continue;
    }
    enabled.push(name);
  }
  return { enabled, warnings };
}
