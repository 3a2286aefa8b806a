/**
 * Request validation without zod's copy. zod's `safeParse` builds a new value as it checks one:
 * every object and array of a request, on every request. A converted request spent much of its
 * decoding there (issue 13): 208 µs of 667 for a 149 KB Claude Code request, 611 µs of 1,239 for
 * a 143 KB Chat request. `compileAccept` reads a schema's definition once and writes a test that
 * walks a value without copying it (47 µs for that Chat request); `fastSafeParse` hands back the
 * input itself when it passes, and asks zod only about a value that fails (for the issue that
 * names the bad field).
 *
 * Only the kinds and checks the request schemas use are compiled, and only where zod's output is
 * the input again: loose objects (unknown keys kept), no transforms, defaults or coercion. A
 * refinement (a check zod runs as a function) cannot be read from the schema: the schema that has
 * one gives its own test (`withAccept`). Any other schema throws when it is compiled, so a schema
 * change cannot fall outside this silently. A differential test checks the tests against
 * `safeParse`.
 */
import type { z } from 'zod';

/** A compiled test: true exactly when `safeParse` succeeds with a value equal to the input. */
export type Accept = (value: unknown) => boolean;

/** The internals of a zod 4 schema read here (`schema._zod`). */
interface SchemaInternals {
  def: {
    type: string;
    checks?: ReadonlyArray<{ _zod: { def: CheckDef } }>;
    shape?: Record<string, z.ZodType>;
    catchall?: z.ZodType;
    innerType?: z.ZodType;
    options?: readonly z.ZodType[];
    element?: z.ZodType;
    entries?: Record<string, unknown>;
    values?: readonly unknown[];
    keyType?: z.ZodType;
    valueType?: z.ZodType;
    coerce?: boolean;
  };
  optin?: string;
}

interface CheckDef {
  check: string;
  minimum?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
}

/** Tests given by refined schemas (`withAccept`), made when first compiled. */
const given = new WeakMap<z.ZodType, () => Accept>();

/** The given tests made so far (a schema used in several places is made once). */
const made = new WeakMap<z.ZodType, Accept>();

/** The test `withAccept` gave `schema`, made once; `undefined` for a schema without one. */
function givenTest(schema: z.ZodType): Accept | undefined {
  let test = made.get(schema);
  if (test === undefined) {
    test = given.get(schema)?.();
    if (test !== undefined) made.set(schema, test);
  }
  return test;
}

/**
 * Gives a refined schema its compiled test: `make` returns a test true exactly when `safeParse`
 * succeeds (its refinements included), built from `compileAccept` of the schemas it uses.
 */
export function withAccept<T extends z.ZodType>(schema: T, make: () => Accept): T {
  given.set(schema, make);
  return schema;
}

function internals(schema: z.ZodType): SchemaInternals {
  return (schema as unknown as { _zod: SchemaInternals })._zod;
}

function unsupported(what: string): never {
  throw new Error(
    `compileAccept: ${what} is not supported (zod's output may differ from its input)`,
  );
}

/**
 * Writes a schema's test as JavaScript: one function per object, array and record schema, with
 * each field read by its name and tested in place. Generated code keeps every call site on one
 * target; a tree of closures shared one body between all objects, whose reads and calls V8 then
 * could not specialise (a 143 KB Chat request: 273 µs that way). The code is made from the
 * schema's own definitions only (keys and literals are written with `JSON.stringify`), never from
 * a request.
 */
class TestWriter {
  readonly refs: unknown[] = [];
  private readonly functions: string[] = [];
  private readonly names = new Map<z.ZodType, string>();

  /** The function source: every container's function, then the root's test. */
  source(root: z.ZodType): string {
    const test = this.test(root, 'v');
    return `"use strict";\n${this.functions.join('\n')}\nreturn function accept(v) { return ${test}; };`;
  }

  /** A reference to a value the code reads (`r[i]`). */
  private ref(value: unknown): string {
    this.refs.push(value);
    return `r[${this.refs.length - 1}]`;
  }

  /** A JavaScript expression true when the value in variable `v` passes `schema`. */
  test(schema: z.ZodType, v: string): string {
    const own = givenTest(schema);
    if (own !== undefined) return `${this.ref(own)}(${v})`;
    const { def } = internals(schema);
    if (def.coerce) unsupported('coercion');
    const checks = this.checks(def.checks, v);
    switch (def.type) {
      case 'unknown':
      case 'any':
        return 'true';
      case 'string':
        return `(typeof ${v} === "string"${checks})`;
      case 'number':
        return `(typeof ${v} === "number" && Number.isFinite(${v})${checks})`;
      case 'boolean':
        return `typeof ${v} === "boolean"`;
      case 'enum':
        return this.oneOf(Object.values(def.entries ?? {}), v);
      case 'literal':
        return this.oneOf(def.values ?? [], v);
      case 'optional':
        return `(${v} === undefined || ${this.test(def.innerType as z.ZodType, v)})`;
      case 'nullable':
        return `(${v} === null || ${this.test(def.innerType as z.ZodType, v)})`;
      case 'union':
        return `(${(def.options ?? []).map((option) => this.test(option, v)).join(' || ')})`;
      case 'array':
      case 'record':
      case 'object':
        return `${this.container(schema, def)}(${v})`;
      default:
        return unsupported(`a ${def.type} schema`);
    }
  }

  /** ` && …` for a value's checks (`.min(1)`, `.int()`, `.nonnegative()`), or nothing. */
  private checks(checks: SchemaInternals['def']['checks'], v: string): string {
    let text = '';
    for (const { _zod: check } of checks ?? []) {
      const def = check.def;
      switch (def.check) {
        case 'min_length':
          text += ` && ${v}.length >= ${Number(def.minimum ?? 0)}`;
          break;
        case 'number_format':
          if (def.format === 'safeint') text += ` && Number.isSafeInteger(${v})`;
          else if (def.format !== 'float64' && def.format !== undefined) {
            unsupported(`number format ${def.format}`);
          }
          break;
        case 'greater_than':
        case 'less_than': {
          const bound = def.value;
          if (typeof bound !== 'number' || !Number.isFinite(bound)) unsupported('a bound');
          const sign = def.check === 'greater_than' ? '>' : '<';
          text += ` && ${v} ${sign}${def.inclusive ? '=' : ''} ${bound}`;
          break;
        }
        case 'custom':
          return unsupported('a refinement without its own test (see withAccept)');
        default:
          return unsupported(`check ${def.check}`);
      }
    }
    return text;
  }

  /** Equality with one of a few JSON values. */
  private oneOf(values: readonly unknown[], v: string): string {
    const tests = values.map((value) => {
      if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
        unsupported(`a literal ${typeof value}`);
      }
      return `${v} === ${JSON.stringify(value)}`;
    });
    return tests.length === 0 ? 'false' : `(${tests.join(' || ')})`;
  }

  /** The function testing an array, record or object schema. */
  private container(schema: z.ZodType, def: SchemaInternals['def']): string {
    const known = this.names.get(schema);
    if (known !== undefined) return known;
    const name = `t${this.names.size}`;
    this.names.set(schema, name);
    const notObject = 'typeof v !== "object" || v === null || Array.isArray(v)';
    let body: string;
    if (def.type === 'array') {
      body =
        'if (!Array.isArray(v)) return false;\n' +
        `for (let i = 0; i < v.length; i++) { const e = v[i]; if (!(${this.test(def.element as z.ZodType, 'e')})) return false; }\n` +
        `return true${this.checks(def.checks, 'v')};`;
    } else if (def.type === 'record') {
      const keyType = internals(def.keyType as z.ZodType).def;
      if (keyType.type !== 'string' || keyType.checks?.length) unsupported('a record key check');
      body =
        `if (${notObject}) return false;\n` +
        `for (const k of Object.keys(v)) { const e = v[k]; if (!(${this.test(def.valueType as z.ZodType, 'e')})) return false; }\n` +
        'return true;';
    } else {
      // Only loose objects give their unknown keys back; a stripping one would drop them.
      if (def.catchall === undefined || internals(def.catchall).def.type !== 'unknown') {
        unsupported('an object that is not loose');
      }
      body = `if (${notObject}) return false;\nlet x;\n`;
      for (const [key, field] of Object.entries(def.shape ?? {})) {
        const quoted = JSON.stringify(key);
        // zod lets a key be absent only when its schema is optional (`z.unknown()` is not).
        const absent = internals(field).optin === 'optional' ? '' : 'return false;';
        body +=
          `x = v[${quoted}];\n` +
          `if (x === undefined && !(${quoted} in v)) { ${absent} } else if (!(${this.test(field, 'x')})) return false;\n`;
      }
      body += 'return true;';
    }
    this.functions.push(`function ${name}(v) {\n${body}\n}`);
    return name;
  }
}

/** Compiles `schema` (see the module's comment); throws for a kind it does not support. */
export function compileAccept(schema: z.ZodType): Accept {
  const writer = new TestWriter();
  const source = writer.source(schema);
  return new Function('r', source)(writer.refs) as Accept;
}

/**
 * `schema.safeParse`, with the input itself as the data when the compiled test passes it (zod's
 * output would equal it); anything else goes to zod, which names the issue.
 */
export function fastSafeParse<T extends z.ZodType>(
  schema: T,
): (value: unknown) => z.ZodSafeParseResult<z.output<T>> {
  const accept = compileAccept(schema);
  return (value) =>
    accept(value)
      ? ({ success: true, data: value as z.output<T> } as z.ZodSafeParseResult<z.output<T>>)
      : schema.safeParse(value);
}
