import { describe, expect, it } from 'vitest';
import { selectPlugins } from './plugins.js';
import { resolveConfig } from './resolve.js';

describe('selectPlugins', () => {
  it('turns the available plugins on by default', () => {
    expect(selectPlugins(resolveConfig({}).config).enabled).toEqual([
      'codex',
      'claude_api',
      'copilot',
      'access_log',
      'metrics',
      'dashboard',
    ]);
  });

  it('accepts the command line of the original report as written', () => {
    const selection = selectPlugins(resolveConfig({}).config, {
      enable: ['codex', 'access_log'],
      disable: ['claude_sdk', 'claude_api', 'copilot'],
    });
    expect(selection.enabled).toEqual(['codex', 'access_log', 'metrics', 'dashboard']);
    expect(selection.warnings).toEqual([]);
  });

  it('warns and goes on for unknown and unavailable plugins', () => {
    const selection = selectPlugins(resolveConfig({}).config, {
      enable: ['codex', 'no_such_plugin', 'claude_sdk'],
    });
    expect(selection.enabled).toContain('codex');
    expect(selection.warnings).toEqual([
      expect.stringContaining('Unknown plugin "no_such_plugin"'),
      expect.stringContaining('Plugin "claude_sdk" is not available'),
    ]);
  });

  it('warns about a plugin named like an Object property, as about any unknown name', () => {
    const selection = selectPlugins(resolveConfig({}).config, {
      enable: ['constructor'],
      disable: ['toString'],
    });
    expect(selection.enabled).toEqual(selectPlugins(resolveConfig({}).config, {}).enabled);
    expect(selection.warnings).toEqual([
      expect.stringContaining('Unknown plugin "constructor"'),
      expect.stringContaining('Unknown plugin "toString"'),
    ]);
  });

  it('treats enabled_plugins in a config file as an allow-list, as ccproxy-api did', () => {
    const { config } = resolveConfig({
      file: { path: 'c.toml', data: { enabled_plugins: ['oauth_codex', 'codex'] } },
    });
    expect(selectPlugins(config).enabled).toEqual(['codex']);
  });

  it('lets disabled_plugins, [plugins.X] enabled = false and flags turn plugins off', () => {
    const { config } = resolveConfig({
      file: {
        path: 'c.toml',
        data: { disabled_plugins: ['metrics'], plugins: { access_log: { enabled: false } } },
      },
    });
    expect(selectPlugins(config).enabled).toEqual(['codex', 'claude_api', 'copilot', 'dashboard']);
    expect(
      selectPlugins(config, {
        enable: ['metrics'],
        disable: ['codex', 'claude_api', 'copilot', 'dashboard'],
      }).enabled,
    ).toEqual(['metrics']);
  });
});
