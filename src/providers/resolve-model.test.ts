import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve.js';
import type { ModelMappingRule } from '../config/schema.js';
import { checkModelRules, resolveModel } from './resolve-model.js';

const rule = (
  match: string,
  target: string,
  kind: ModelMappingRule['kind'],
  flags: ModelMappingRule['flags'] = [],
) => ({
  match,
  target,
  kind,
  flags,
});

describe('resolveModel', () => {
  const rules = [
    rule('gpt-4o', 'gpt-5.1', 'exact'),
    rule('claude-', 'gpt-5.3-codex', 'prefix'),
    rule('-mini', 'gpt-5.1-codex-mini', 'suffix'),
    rule('^O\\d', 'gpt-5.2', 'regex', ['IGNORECASE']),
  ];

  it('applies the first matching rule of each kind', () => {
    expect(resolveModel(rules, 'gpt-4o')).toBe('gpt-5.1');
    expect(resolveModel(rules, 'gpt-4o-2024')).toBe('gpt-4o-2024');
    expect(resolveModel(rules, 'claude-sonnet-4-6')).toBe('gpt-5.3-codex');
    expect(resolveModel(rules, 'o4-mini')).toBe('gpt-5.1-codex-mini');
    expect(resolveModel(rules, 'o3')).toBe('gpt-5.2');
    expect(resolveModel(rules, 'gpt-5.1-codex')).toBe('gpt-5.1-codex');
  });

  it('rejects a regex that does not compile, naming the rule', () => {
    expect(() => checkModelRules([rule('(', 'x', 'regex')], 'plugins.codex')).toThrow(
      /"plugins\.codex\.model_mappings\.0\.match" is not a valid regex/,
    );
  });

  it('rewrites with regex groups when the target names them', () => {
    const rewrite = [rule('^(\\w+)-(\\d+)$', '$1:$2', 'regex')];
    expect(resolveModel(rewrite, 'model-7')).toBe('model:7');
    expect(resolveModel(rewrite, 'model-x')).toBe('model-x');
  });
});

describe('the default rules', () => {
  const { config } = resolveConfig({});
  const codex = config.plugins.codex.model_mappings;
  const copilot = config.plugins.copilot.model_mappings;

  it('send Claude Code models to Codex models (Haiku to the small one)', () => {
    for (const model of ['claude-opus-5-5', 'claude-sonnet-4-5-20250929', 'claude-opus-4-1']) {
      expect(resolveModel(codex, model)).toBe('gpt-5.6-sol');
    }
    expect(resolveModel(codex, 'claude-haiku-5-5')).toBe('gpt-5.4-mini');
    expect(resolveModel(codex, 'claude-3-5-haiku-20241022')).toBe('gpt-5.4-mini');
    expect(resolveModel(codex, 'gpt-5.5')).toBe('gpt-5.5');
  });

  it('give Copilot its dotted Claude names', () => {
    expect(resolveModel(copilot, 'claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4.5');
    expect(resolveModel(copilot, 'claude-opus-5-5')).toBe('claude-opus-5.5');
    expect(resolveModel(copilot, 'claude-haiku-4-5')).toBe('claude-haiku-4.5');
    expect(resolveModel(copilot, 'claude-sonnet-4-20250514')).toBe('claude-sonnet-4-20250514');
    expect(resolveModel(copilot, 'claude-sonnet-4.5')).toBe('claude-sonnet-4.5');
    expect(resolveModel(copilot, 'gpt-5.1')).toBe('gpt-5.1');
  });
});
