/** The structure check: it passes on this tree and fails on each kind of breach. */
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildGraph,
  checkImports,
  checkStructure,
  findCycles,
  type ImportEdge,
  type ImportGraph,
  readsProcessEnv,
} from './check-structure.js';
import { scanImports } from './structure/import-scan.js';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

function graphOf(...edges: Array<Partial<ImportEdge> & { from: string; to: string }>): ImportGraph {
  return { edges: edges.map((edge) => ({ typeOnly: false, line: 1, ...edge })), packages: [] };
}

describe('scanImports', () => {
  it('finds imports, re-exports and import() types, and tells type-only ones apart', () => {
    const source = [
      "import { a } from './a.js';",
      "import type { B } from './b.js';",
      "import { type C, type D } from './c.js';",
      "import { type E, f } from './e.js';",
      "import g, { type H } from './g.js';",
      'import {',
      '  i,',
      '  j,',
      "} from './i.js';",
      "export { k } from './k.js';",
      "export type { L } from './l.js';",
      "export * from './m.js';",
      "import './side-effect.js';",
      "let n: import('./n.js').N;",
      "const o = await import('./o.js');",
      'export const p = 1;',
      'export function q() {}',
    ].join('\n');
    expect(scanImports(source).map(({ specifier, typeOnly }) => [specifier, typeOnly])).toEqual([
      ['./a.js', false],
      ['./b.js', true],
      ['./c.js', true],
      ['./e.js', false],
      ['./g.js', false],
      ['./i.js', false],
      ['./k.js', false],
      ['./l.js', true],
      ['./m.js', false],
      ['./side-effect.js', false],
      ['./n.js', true],
      ['./o.js', false],
    ]);
  });

  it('ignores import-like text in comments, strings, templates and regex literals', () => {
    const source = [
      "// import { x } from './comment.js';",
      "/* import { y } from './block.js'; */",
      'const s = "import { z } from \'./string.js\'";',
      // A template with a placeholder, spelt in two pieces so it is not one in this file.
      "const t = `import { w } from './template.js' $" + "{1 + 1} import('./t2.js')`;",
      "const r = /import '.\\/regex.js'/;",
      "import { real } from './real.js';",
    ].join('\n');
    expect(scanImports(source).map((found) => found.specifier)).toEqual(['./real.js']);
  });
});

describe('checkImports', () => {
  it('rejects a format importing another format, and one reaching into pipeline', () => {
    const problems = checkImports(
      graphOf(
        { from: 'formats/openai-chat/usage.ts', to: 'formats/anthropic-messages/usage.ts' },
        { from: 'formats/openai-chat/usage.ts', to: 'pipeline/conversion.ts' },
        { from: 'formats/openai-chat/usage.ts', to: 'formats/format.ts' },
      ),
    );
    expect(problems).toEqual([
      expect.stringContaining('formats/openai-chat imports another format'),
      expect.stringContaining('formats/* may not import pipeline'),
    ]);
  });

  it('rejects upward imports and value imports where only types may go', () => {
    const problems = checkImports(
      graphOf(
        { from: 'ir/accumulate.ts', to: 'formats/format.ts', typeOnly: true },
        { from: 'ir/response.ts', to: 'errors.ts', typeOnly: true },
        { from: 'ir/response.ts', to: 'errors.ts' },
        { from: 'providers/provider.ts', to: 'pipeline/context.ts' },
        { from: 'sse/parse.ts', to: 'streams/step.ts' },
        { from: 'util/json.ts', to: 'ir/request.ts' },
      ),
    );
    expect(problems).toEqual([
      expect.stringContaining('ir may not import formats'),
      expect.stringContaining('ir may import only types from errors'),
      expect.stringContaining('providers may not import pipeline'),
      expect.stringContaining('sse may import only types from streams'),
      expect.stringContaining('util may not import ir'),
    ]);
  });

  it('lets code outside formats/ reach a format through its index.ts only', () => {
    const problems = checkImports(
      graphOf(
        { from: 'server/app.ts', to: 'formats/anthropic-messages/index.ts' },
        { from: 'server/app.ts', to: 'formats/anthropic-messages/count-tokens.ts' },
      ),
    );
    expect(problems).toEqual([
      expect.stringContaining('an internal file of formats/anthropic-messages'),
    ]);
  });

  it('rejects a module without rules and Hono outside the server', () => {
    const graph = graphOf({ from: 'newthing/x.ts', to: 'util/json.ts' });
    graph.packages.push({ from: 'pipeline/handle-request.ts', name: 'hono', line: 3 });
    expect(checkImports(graph)).toEqual([
      expect.stringContaining('module "newthing" has no rules'),
      'src/pipeline/handle-request.ts:3: only server may import hono',
    ]);
  });
});

describe('readsProcessEnv', () => {
  it('sees process.env in code, not in comments or strings', () => {
    expect(readsProcessEnv('const port = process.env.PORT;')).toBe(true);
    expect(readsProcessEnv('const { HOME } = process\n  .env;')).toBe(true);
    expect(readsProcessEnv("// process.env.PORT\nconst s = 'process.env';")).toBe(false);
  });
});

describe('findCycles', () => {
  it('reports modules that import each other, however long the loop', () => {
    const cycles = findCycles(
      graphOf(
        { from: 'pipeline/a.ts', to: 'providers/b.ts' },
        { from: 'providers/b.ts', to: 'http/c.ts' },
        { from: 'http/c.ts', to: 'pipeline/d.ts' },
        { from: 'server/e.ts', to: 'pipeline/a.ts' },
      ),
    );
    expect(cycles).toEqual(['import cycle between modules: http -> pipeline -> providers -> http']);
  });

  it('finds none in this tree', () => {
    expect(findCycles(buildGraph(SRC))).toEqual([]);
  });
});

describe('check-structure over a tree', () => {
  let copy: string | undefined;
  afterEach(() => {
    if (copy !== undefined) rmSync(copy, { recursive: true, force: true });
    copy = undefined;
  });

  it('passes on this tree', () => {
    expect(checkStructure(SRC)).toEqual([]);
  });

  it('fails, as the npm script, on a copy with a deliberate bad import and a missing file', async () => {
    copy = mkdtempSync(join(tmpdir(), 'ccproxy-structure-'));
    cpSync(SRC, copy, { recursive: true, filter: (path) => !path.includes('__fixtures__') });
    // __fixtures__ is part of the file set: restore one folder's, leave the others missing.
    cpSync(
      join(SRC, 'formats/openai-chat/__fixtures__'),
      join(copy, 'formats/openai-chat/__fixtures__'),
      { recursive: true },
    );
    appendFileSync(
      join(copy, 'formats/openai-chat/usage.ts'),
      "import { openaiResponses } from '../openai-responses/index.js';\nvoid openaiResponses;\n",
    );
    rmSync(join(copy, 'formats/openai-chat/finish-reason.ts'));
    appendFileSync(join(copy, 'pipeline/context.ts'), 'export const home = process.env.HOME;\n');

    const run = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts/check-structure.ts'), copy],
      { cwd: ROOT },
    );
    const failure = await run.then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    const lines = failure?.stderr.trim().split('\n') ?? [];
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^src\/formats\/openai-chat\/usage\.ts:\d+: formats\/openai-chat imports another format/,
        ),
        'src/formats/openai-chat/ lacks finish-reason.ts (every format has them)',
        'src/formats/anthropic-messages/ lacks __fixtures__ (every format has them)',
        'src/pipeline/context.ts: reads process.env (take the environment as a parameter)',
      ]),
    );
  });
});
