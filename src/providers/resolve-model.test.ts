import { describe, expect, it } from 'vitest';
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
});
