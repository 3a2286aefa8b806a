/** Applies ordered model renaming rules (exact, prefix, suffix, regex), first match wins. */
import { ConfigError } from '../config/resolve.js';
import type { ModelMappingRule } from '../config/schema.js';

function matches(rule: ModelMappingRule, model: string): boolean {
  const ignoreCase = rule.flags.includes('IGNORECASE');
  const subject = ignoreCase ? model.toLowerCase() : model;
  const pattern = ignoreCase ? rule.match.toLowerCase() : rule.match;
  switch (rule.kind) {
    case 'exact':
      return subject === pattern;
    case 'prefix':
      return subject.startsWith(pattern);
    case 'suffix':
      return subject.endsWith(pattern);
    case 'regex':
      try {
        return new RegExp(rule.match, ignoreCase ? 'i' : '').test(model);
      } catch {
        return false;
      }
  }
}

/**
 * The upstream model for a client's model name (unchanged when no rule matches). A `regex` rule
 * whose target holds `$1`-style groups rewrites the matched part (`claude-sonnet-4-5` with
 * `^claude-(\w+)-(\d+)-(\d)$` → `claude-$1-$2.$3` gives `claude-sonnet-4.5`).
 */
export function resolveModel(rules: readonly ModelMappingRule[], model: string): string {
  for (const rule of rules) {
    if (!matches(rule, model)) continue;
    if (rule.kind === 'regex' && /\$\d/.test(rule.target)) {
      const flags = rule.flags.includes('IGNORECASE') ? 'i' : '';
      return model.replace(new RegExp(rule.match, flags), rule.target);
    }
    return rule.target;
  }
  return model;
}

/** Throws a readable error for a regex rule that does not compile (checked at start-up). */
export function checkModelRules(rules: readonly ModelMappingRule[], where: string): void {
  rules.forEach((rule, index) => {
    if (rule.kind !== 'regex') return;
    try {
      new RegExp(rule.match);
    } catch (error) {
      throw new ConfigError(
        `Invalid configuration:\n  "${where}.model_mappings.${index}.match" is not a valid regex: ${(error as Error).message}`,
      );
    }
  });
}
