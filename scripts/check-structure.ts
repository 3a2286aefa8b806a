/**
 * `npm run check:structure`: fails when an import in `src/` breaks the layering of
 * `scripts/structure/rules.ts`, when modules import each other in a cycle, when a package only
 * one layer may use is imported elsewhere, when a format folder lacks a file of its set, or when
 * code other than the edges reads `process.env`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { scanImports, tokenize } from './structure/import-scan.js';
import { ENV_READERS, FORMAT_FILE_SET, MODULE_RULES, type ModuleRules } from './structure/rules.js';

/** One import between two files of `src/` (paths relative to `src/`, with `/`). */
export interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
  line: number;
}

/** One package import from a file of `src/`. */
export interface PackageImport {
  from: string;
  name: string;
  line: number;
}

/** The import graph of a source tree. */
export interface ImportGraph {
  edges: ImportEdge[];
  packages: PackageImport[];
}

/** Packages only some modules may import, and which. */
export const PACKAGE_RULES: Readonly<Record<string, readonly string[]>> = {
  // Only the server speaks HTTP through Hono; the pipeline takes a Request, returns a Response.
  hono: ['server'],
  '@hono/node-server': ['server'],
};

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function listTsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === '__fixtures__') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listTsFiles(path));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The module a file of `src/` belongs to (see `ModuleRules`). */
export function moduleOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 1) return (parts[0] as string).replace(/\.ts$/, '');
  if (parts[0] === 'formats') {
    if (parts.length > 2) return 'formats/*';
    return parts[1] === 'index.ts' ? 'formats/registry' : 'formats';
  }
  return parts[0] as string;
}

/** The format folder a file belongs to (`formats/openai-chat`), if any. */
function formatFolderOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'formats' && parts.length > 2 ? `formats/${parts[1]}` : undefined;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

/** Reads every `.ts` file under `srcDir` and resolves its relative imports. */
export function buildGraph(srcDir: string): ImportGraph {
  const root = resolve(srcDir);
  const graph: ImportGraph = { edges: [], packages: [] };
  for (const path of listTsFiles(root)) {
    const from = toPosix(relative(root, path));
    for (const found of scanImports(readFileSync(path, 'utf8'))) {
      if (!found.specifier.startsWith('.')) {
        if (found.specifier.startsWith('node:')) continue;
        graph.packages.push({ from, name: packageName(found.specifier), line: found.line });
        continue;
      }
      const target = toPosix(relative(root, resolve(dirname(path), found.specifier)));
      // Tests beside the code may use the shared helpers in test/; those are not layered.
      if (target.startsWith('../')) continue;
      graph.edges.push({
        from,
        to: target.replace(/\.js$/, '.ts'),
        typeOnly: found.typeOnly,
        line: found.line,
      });
    }
  }
  return graph;
}

/** Imports that break the module rules, one message each. */
export function checkImports(graph: ImportGraph, rules: ModuleRules = MODULE_RULES): string[] {
  const problems: string[] = [];
  for (const edge of graph.edges) {
    const where = `src/${edge.from}:${edge.line}`;
    const fromModule = moduleOf(edge.from);
    const toModule = moduleOf(edge.to);
    const fromFormat = formatFolderOf(edge.from);
    const toFormat = formatFolderOf(edge.to);
    if (fromFormat !== undefined && toFormat !== undefined) {
      if (fromFormat !== toFormat) {
        problems.push(`${where}: ${fromFormat} imports another format (${edge.to})`);
      }
      continue;
    }
    if (fromModule === toModule) continue;
    // Outside its folder a format is reached through its index.ts only.
    if (toFormat !== undefined && !edge.to.endsWith('/index.ts') && edge.to.split('/').length > 2) {
      if (!edge.from.endsWith('.test.ts')) {
        problems.push(`${where}: imports ${edge.to}, an internal file of ${toFormat}`);
        continue;
      }
    }
    const allowed = rules[fromModule];
    if (allowed === undefined) {
      problems.push(`${where}: module "${fromModule}" has no rules in scripts/structure/rules.ts`);
      continue;
    }
    const access = allowed[toModule];
    if (access === undefined) {
      problems.push(`${where}: ${fromModule} may not import ${toModule} (${edge.to})`);
    } else if (access === 'type' && !edge.typeOnly) {
      problems.push(`${where}: ${fromModule} may import only types from ${toModule} (${edge.to})`);
    }
  }
  for (const found of graph.packages) {
    const owners = PACKAGE_RULES[found.name];
    if (owners !== undefined && !owners.includes(moduleOf(found.from))) {
      problems.push(
        `src/${found.from}:${found.line}: only ${owners.join(', ')} may import ${found.name}`,
      );
    }
  }
  return problems;
}

/** Cycles between modules (folders), each as `a -> b -> a`. */
export function findCycles(graph: ImportGraph): string[] {
  const next = new Map<string, Set<string>>();
  for (const edge of graph.edges) {
    const from = formatFolderOf(edge.from) ?? moduleOf(edge.from);
    const to = formatFolderOf(edge.to) ?? moduleOf(edge.to);
    if (from === to) continue;
    if (!next.has(from)) next.set(from, new Set());
    next.get(from)?.add(to);
  }
  // Tarjan's strongly connected components: every component of two or more modules is a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) as number, index.get(target) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) {
        const sorted = component.sort();
        cycles.push(`import cycle between modules: ${[...sorted, sorted[0]].join(' -> ')}`);
      }
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

/** Format folders that lack a file of `FORMAT_FILE_SET`. */
export function checkFormatFolders(srcDir: string, fileSet = FORMAT_FILE_SET): string[] {
  const formatsDir = join(srcDir, 'formats');
  if (!existsSync(formatsDir)) return [];
  const problems: string[] = [];
  for (const entry of readdirSync(formatsDir).sort()) {
    const folder = join(formatsDir, entry);
    if (!statSync(folder).isDirectory()) continue;
    const missing = fileSet.filter((file) => !existsSync(join(folder, file)));
    if (missing.length > 0) {
      problems.push(`src/formats/${entry}/ lacks ${missing.join(', ')} (every format has them)`);
    }
  }
  return problems;
}

/** Whether a source reads `process.env` (comments and strings do not count). */
export function readsProcessEnv(source: string): boolean {
  const tokens = tokenize(source);
  return tokens.some(
    (token, i) =>
      token.kind === 'word' &&
      token.value === 'process' &&
      tokens[i + 1]?.value === '.' &&
      tokens[i + 2]?.value === 'env',
  );
}

/** Files outside `ENV_READERS` that read `process.env` (tests may). */
export function checkEnvReaders(srcDir: string, readers = ENV_READERS): string[] {
  const root = resolve(srcDir);
  const problems: string[] = [];
  for (const path of listTsFiles(root)) {
    const file = toPosix(relative(root, path));
    if (file.endsWith('.test.ts') || readers.some((allowed) => file.startsWith(allowed))) continue;
    if (readsProcessEnv(readFileSync(path, 'utf8'))) {
      problems.push(`src/${file}: reads process.env (take the environment as a parameter)`);
    }
  }
  return problems;
}

/** Every structure problem of a source tree. */
export function checkStructure(srcDir: string): string[] {
  const graph = buildGraph(srcDir);
  return [
    ...checkImports(graph),
    ...findCycles(graph),
    ...checkFormatFolders(srcDir),
    ...checkEnvReaders(srcDir),
  ];
}

function main(): void {
  const srcDir = process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), '..', 'src');
  const problems = checkStructure(srcDir);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`check-structure: ${problems.length} problem(s)`);
    process.exitCode = 1;
  } else {
    console.log(
      'check-structure: layering, cycles, format file sets and environment readers are in order',
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
