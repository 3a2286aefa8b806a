/**
 * The layering of `src/` (ARCHITECTURE.md §7 "Dependency rules", adapted to this tree) as data:
 * which module may import which, which of those imports may carry types only, and the file set
 * every `src/formats/<format>/` folder has.
 */

/** How much of a module another may import: anything, or `import type` only. */
export type Access = 'value' | 'type';

/**
 * A module is a folder of `src/` (`pipeline`, `providers`, ...), a root file (`errors`,
 * `version`, `index`), `formats` (the shared contract: `format.ts`, `openai-error.ts`),
 * `formats/registry` (`formats/index.ts`) or `formats/*` (any one format folder).
 */
export type ModuleRules = Readonly<Record<string, Readonly<Record<string, Access>>>>;

/** Leaves every layer may use: helpers, the error type, the version string. */
const BASE = { util: 'value', errors: 'value' } as const;

/** The conversion core: the format contract and registry, the IR, SSE and stream steps. */
const CONVERSION = {
  formats: 'value',
  'formats/registry': 'value',
  ir: 'value',
  sse: 'value',
  streams: 'value',
} as const;

/** What the server and the CLI both build on: the conversion core and every layer below them. */
const APPLICATION = {
  ...CONVERSION,
  version: 'value',
  config: 'value',
  observability: 'value',
  http: 'value',
  providers: 'value',
  pipeline: 'value',
  auth: 'value',
  accounts: 'value',
  state: 'value',
} as const;

/**
 * Who may import whom. A module not listed as a key has no rules (a new folder fails the check
 * until it is given a place here). Importing within the same module is always allowed.
 */
export const MODULE_RULES: ModuleRules = {
  util: {},
  errors: {},
  version: {},
  // Leaves: stream plumbing, the SSE codec (its steps implement `StreamStep`), the upstream HTTP
  // client (which reports failures as ProxyError and takes a Logger, a type).
  streams: { util: 'value' },
  sse: { util: 'value', streams: 'type' },
  http: { ...BASE, observability: 'type' },
  // The IR knows nobody; an IrError carries a ProxyErrorCode, a type from errors.ts.
  ir: { util: 'value', errors: 'type' },
  config: { util: 'value' },
  // Kept Responses answers: a store interface, its in-memory backend and reference expansion.
  'responses-store': { ...BASE },
  // The logger and request record name a few types of config, formats and the IR.
  observability: { ...BASE, config: 'type', formats: 'type', ir: 'type', accounts: 'type' },
  auth: { ...BASE },
  demo: { ...BASE },
  // Accounts: names and files, plan usage, pool state (sticky sessions, cooldowns): leaves the
  // providers report into and the pools read.
  accounts: { ...BASE },
  // Shared state on Redis: credentials, refresh locks, pool state, usage, the Responses store.
  state: {
    ...BASE,
    accounts: 'type',
    auth: 'type',
    observability: 'type',
    'responses-store': 'value',
  },
  // Formats: the shared contract, the IR, SSE and stream steps; never another format, never
  // providers, pipeline or server.
  formats: { ...BASE, ir: 'value', sse: 'value', streams: 'value' },
  'formats/*': { ...BASE, formats: 'value', ir: 'value', sse: 'value', streams: 'value' },
  'formats/registry': { formats: 'value', 'formats/*': 'value' },
  // Providers know accounts, not formats: format ids and body types only; they log through a
  // Logger they are given.
  providers: {
    ...BASE,
    version: 'value',
    auth: 'value',
    config: 'value',
    http: 'value',
    observability: 'type',
    ir: 'value',
    formats: 'type',
    accounts: 'value',
  },
  pipeline: {
    ...BASE,
    ...CONVERSION,
    http: 'value',
    observability: 'value',
    providers: 'value',
    'responses-store': 'value',
  },
  server: {
    ...BASE,
    ...APPLICATION,
    'formats/*': 'value',
    'responses-store': 'value',
  },
  cli: {
    ...BASE,
    ...APPLICATION,
    server: 'value',
    demo: 'value',
  },
  // The library API (conversion and startProxy) sits beside the CLI, on the same layers.
  library: {
    ...BASE,
    ...CONVERSION,
    config: 'value',
    observability: 'value',
    server: 'value',
  },
  // The package entry (src/index.ts) re-exports the public API; nothing imports it.
  index: {
    ...BASE,
    version: 'value',
    config: 'value',
    observability: 'value',
    formats: 'type',
    ir: 'value',
    library: 'value',
  },
};

/** Files every `src/formats/<format>/` folder has (besides tests and `__fixtures__/`). */
export const FORMAT_FILE_SET: readonly string[] = [
  'index.ts',
  'types.ts',
  'schema.ts',
  'meta.ts',
  'decode-request.ts',
  'encode-request.ts',
  'decode-response.ts',
  'encode-response.ts',
  'decode-stream.ts',
  'encode-stream.ts',
  'decode-error.ts',
  'encode-error.ts',
  'accumulate-stream.ts',
  'passthrough-stream.ts',
  'finish-reason.ts',
  'usage.ts',
  '__fixtures__',
];

/**
 * The only places that read `process.env` (prefixes of paths under `src/`): the CLI and the
 * library are the program's edges and pass the environment down; `auth/open-url.ts` falls back
 * to it when a caller passes none (the CLI passes its own).
 */
export const ENV_READERS: readonly string[] = [
  'cli/',
  'library/',
  'config/load.ts',
  'auth/open-url.ts',
];
