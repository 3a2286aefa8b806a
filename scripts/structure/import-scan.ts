/**
 * Finds the module specifiers a TypeScript file imports (`import`, `export ... from`,
 * `import('...')`), and whether each import is type-only, with a small tokenizer.
 *
 * Why a tokenizer and not a library: dependency-cruiser needs Node 22 (we support Node 20) and
 * TypeScript 7 ships no compiler API to ask for the import graph; a regex over the raw text would
 * also read `import` in comments, strings and template literals. Skipping those four (plus regex
 * literals) is all the precision an import graph needs.
 */

/** One import or re-export found in a file. */
export interface ScannedImport {
  specifier: string;
  /** `import type {...}`, `export type {...} from`, an inline `import('...')` type, or all-`type` names. */
  typeOnly: boolean;
  /** 1-based line of the specifier, for messages. */
  line: number;
}

type Token =
  | { kind: 'word'; value: string; line: number }
  | { kind: 'string'; value: string; line: number }
  | { kind: 'punct'; value: string; line: number };

/** Tokens after which a `/` starts a regex literal rather than a division. */
const REGEX_AFTER_PUNCT = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'void']);

function isWordChar(char: string): boolean {
  return /[\w$]/.test(char);
}

/** Splits source into words, string literals and punctuation; comments and template text vanish. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // Each entry is the brace depth at which a `${` of a template literal was opened.
  const templateDepths: number[] = [];
  let braceDepth = 0;
  let line = 1;
  let index = 0;

  const readTemplate = (): void => {
    // Positioned just after "`" or after the "}" that closes a `${...}`.
    while (index < source.length) {
      const char = source[index];
      if (char === '\\') {
        index += 2;
        continue;
      }
      if (char === '\n') line++;
      if (char === '`') {
        index++;
        tokens.push({ kind: 'string', value: '', line });
        return;
      }
      if (char === '$' && source[index + 1] === '{') {
        index += 2;
        templateDepths.push(braceDepth);
        braceDepth++;
        tokens.push({ kind: 'punct', value: '(', line });
        return;
      }
      index++;
    }
  };

  while (index < source.length) {
    const char = source[index] as string;
    const next = source[index + 1];
    if (char === '\n') {
      line++;
      index++;
    } else if (/\s/.test(char)) {
      index++;
    } else if (char === '/' && next === '/') {
      while (index < source.length && source[index] !== '\n') index++;
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', index + 2);
      const stop = end === -1 ? source.length : end + 2;
      for (let i = index; i < stop; i++) if (source[i] === '\n') line++;
      index = stop;
    } else if (char === '"' || char === "'") {
      const startLine = line;
      let value = '';
      index++;
      while (index < source.length && source[index] !== char && source[index] !== '\n') {
        if (source[index] === '\\') {
          value += source[index + 1] ?? '';
          index += 2;
        } else {
          value += source[index];
          index++;
        }
      }
      index++;
      tokens.push({ kind: 'string', value, line: startLine });
    } else if (char === '`') {
      index++;
      readTemplate();
    } else if (char === '/' && startsRegex(tokens.at(-1))) {
      index++;
      let inClass = false;
      while (index < source.length && source[index] !== '\n') {
        const current = source[index];
        if (current === '\\') index++;
        else if (current === '[') inClass = true;
        else if (current === ']') inClass = false;
        else if (current === '/' && !inClass) break;
        index++;
      }
      index++;
      while (index < source.length && isWordChar(source[index] as string)) index++;
      tokens.push({ kind: 'string', value: '', line });
    } else if (isWordChar(char)) {
      let value = '';
      while (index < source.length && isWordChar(source[index] as string)) {
        value += source[index];
        index++;
      }
      tokens.push({ kind: 'word', value, line });
    } else {
      index++;
      if (char === '{') braceDepth++;
      if (char === '}') {
        braceDepth--;
        if (templateDepths.at(-1) === braceDepth) {
          templateDepths.pop();
          tokens.push({ kind: 'punct', value: ')', line });
          readTemplate();
          continue;
        }
      }
      tokens.push({ kind: 'punct', value: char, line });
    }
  }
  return tokens;
}

function startsRegex(previous: Token | undefined): boolean {
  if (previous === undefined) return true;
  if (previous.kind === 'punct') return REGEX_AFTER_PUNCT.has(previous.value);
  if (previous.kind === 'word') return REGEX_AFTER_WORD.has(previous.value);
  return false;
}

/** Whether every name in a `{ ... }` list (tokens between the braces) is marked `type`. */
function allNamesTypeOnly(names: Token[]): boolean {
  const groups: Token[][] = [[]];
  for (const token of names) {
    if (token.kind === 'punct' && token.value === ',') groups.push([]);
    else groups.at(-1)?.push(token);
  }
  const filled = groups.filter((group) => group.length > 0);
  return filled.length > 0 && filled.every((group) => group[0]?.value === 'type');
}

/** Every import and re-export specifier of one TypeScript source. */
export function scanImports(source: string): ScannedImport[] {
  const tokens = tokenize(source);
  const found: ScannedImport[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const previous = tokens[i - 1];
    if (token.kind !== 'word' || (token.value !== 'import' && token.value !== 'export')) continue;
    // `x.import` or `{ import: ... }` are not statements.
    if (previous?.kind === 'punct' && previous.value === '.') continue;
    const next = tokens[i + 1];
    if (token.value === 'import' && next?.kind === 'punct' && next.value === '(') {
      const argument = tokens[i + 2];
      if (argument?.kind === 'string') {
        // `import('x')` in a type position (after `:`, `<`, `|`, `typeof`) names a type only.
        const typePosition =
          previous !== undefined &&
          ((previous.kind === 'punct' && [':', '<', '|', '&', ','].includes(previous.value)) ||
            (previous.kind === 'word' && previous.value === 'typeof'));
        found.push({ specifier: argument.value, typeOnly: typePosition, line: argument.line });
      }
      continue;
    }
    if (token.value === 'import' && next?.kind === 'string') {
      found.push({ specifier: next.value, typeOnly: false, line: next.line });
      continue;
    }
    // Walk the statement to its `from '...'` (or to `;`/a new statement: a local export).
    let typeOnly = next?.kind === 'word' && next.value === 'type';
    let braceNames: Token[] | undefined;
    // Names outside the braces: a default or namespace import (`x`, `* as x`) is a value import.
    let outsideBraces = false;
    for (let j = i + 1; j < tokens.length; j++) {
      const current = tokens[j] as Token;
      if (current.kind === 'punct' && current.value === ';') break;
      if (current.kind === 'punct' && current.value === '{') {
        const close = tokens.findIndex((t, k) => k > j && t.kind === 'punct' && t.value === '}');
        if (close === -1) break;
        braceNames = tokens.slice(j + 1, close);
        j = close;
        continue;
      }
      if (current.kind === 'word' && current.value === 'from') {
        const specifier = tokens[j + 1];
        if (specifier?.kind === 'string') {
          if (!typeOnly && braceNames !== undefined && !outsideBraces) {
            typeOnly = allNamesTypeOnly(braceNames);
          }
          found.push({ specifier: specifier.value, typeOnly, line: specifier.line });
        }
        break;
      }
      if (current.kind === 'word' || (current.kind === 'punct' && current.value === '*')) {
        outsideBraces = true;
      }
      // A local `export function f` / `export const x = ...` has no `from`.
      if (
        current.kind === 'word' &&
        ['function', 'const', 'let', 'var', 'class', 'interface', 'enum', 'default'].includes(
          current.value,
        )
      ) {
        break;
      }
    }
  }
  return found;
}
