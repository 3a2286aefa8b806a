/**
 * The configuration schema and its defaults. The layout is the one users of ccproxy-api (the
 * Python system ccproxy replaces) already have in their TOML files: `[server]`, `[logging]`,
 * `[security]`, `[plugins.<name>]`, plus `[http]`, `[capture]` and `[providers.<name>]`.
 */
import { z } from 'zod';

/** A string field that also takes a number (environment values like `SERVER__HOST=0` parse as numbers). */
const text = z.preprocess(
  (value) => (typeof value === 'number' ? String(value) : value),
  z.string(),
);

const seconds = z.number().positive();

/** Shortest access key accepted. */
export const MIN_AUTH_TOKEN_LENGTH = 16;

/** Log levels; ccproxy-api's upper-case names and `WARNING`/`CRITICAL`/`TRACE` are accepted. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Maps any accepted spelling of a level to ours, or `undefined`. */
export function normalizeLogLevel(value: string): LogLevel | undefined {
  const lower = value.trim().toLowerCase();
  if (lower === 'warning') return 'warn';
  if (lower === 'critical' || lower === 'fatal') return 'error';
  if (lower === 'trace') return 'debug';
  return (LOG_LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : undefined;
}

const logLevel = z.preprocess(
  (value) => (typeof value === 'string' ? (normalizeLogLevel(value) ?? value) : value),
  z.enum(LOG_LEVELS),
);

/** One ordered model renaming rule (ccproxy-api's `model_mappings` entries). */
export const modelMappingRuleSchema = z.object({
  match: text,
  target: text,
  kind: z.enum(['exact', 'prefix', 'suffix', 'regex']).default('exact'),
  flags: z.array(z.enum(['IGNORECASE'])).default([]),
  notes: text.optional(),
});
export type ModelMappingRule = z.infer<typeof modelMappingRuleSchema>;

/** A model card served at `/<provider>/v1/models` (ccproxy-api's `models_endpoint`). */
export const modelCardSchema = z.looseObject({
  id: text,
  object: text.optional(),
  created: z.number().optional(),
  owned_by: text.optional(),
});
export type ModelCard = z.infer<typeof modelCardSchema>;

const providerPluginFields = {
  enabled: z.boolean().optional(),
  /** Upstream API base URL. */
  base_url: text.optional(),
  model_mappings: z.array(modelMappingRuleSchema).default([]),
  models_endpoint: z.array(modelCardSchema).optional(),
};

/** Several accounts of one provider (an account pool). */
const accountFields = {
  /**
   * The accounts served, by name (`default` is the single-account file; others come from
   * `ccproxy auth login <provider> --account NAME`). Absent: `default` and every stored account.
   */
  accounts: z
    .array(
      text.refine((name) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name), 'invalid account name'),
    )
    .optional(),
  /** How a new conversation picks its account: most headroom first, or round robin. */
  account_strategy: z.enum(['headroom', 'round_robin']).default('headroom'),
};

/** `[plugins.codex]`: the ChatGPT Codex backend. */
export const codexPluginSchema = z.looseObject({
  ...providerPluginFields,
  ...accountFields,
  /**
   * Claude Code asks for `claude-*` models; the Codex backend has none, so by default its Haiku
   * (background tasks) goes to the small Codex model and the others to the default one (the
   * Codex CLI's, observed 2026-11). Setting `model_mappings` replaces these rules.
   */
  model_mappings: z.array(modelMappingRuleSchema).default([
    { match: '^claude-.*haiku', target: 'gpt-5.4-mini', kind: 'regex', flags: [] },
    { match: 'claude-', target: 'gpt-5.6-sol', kind: 'prefix', flags: [] },
  ]),
  /** OAuth token endpoint used to refresh the Codex CLI's tokens. */
  token_url: text.optional(),
  /** OAuth authorize endpoint for `ccproxy auth login codex`. */
  authorize_url: text.optional(),
  /** Port of the one-shot login callback listener (the Codex CLI's redirect URI uses 1455). */
  callback_port: z.number().int().min(0).max(65535).default(1455),
  /** Directory holding the Codex CLI's `auth.json` (default `$CODEX_HOME` or `~/.codex`). */
  codex_home: text.optional(),
  /** `instructions` sent when the client gave none (the backend requires a non-empty string). */
  default_instructions: text.optional(),
  /** Refresh the access token this many seconds before it expires. */
  refresh_skew_seconds: seconds.default(300),
  /** With no readable expiry, treat tokens older than this as expired (Codex CLI: 8 days). */
  max_token_age_seconds: seconds.default(8 * 24 * 3600),
});

/** `[plugins.claude_api]`: a Claude plan (OAuth) or an Anthropic API key. */
export const claudePluginSchema = z.looseObject({
  ...providerPluginFields,
  ...accountFields,
  /** Claude Code's credentials file (default `~/.claude/.credentials.json`). */
  credentials_file: text.optional(),
  /** OAuth token endpoint (refresh and login code exchange). */
  token_url: text.optional(),
  /** OAuth authorize page for `ccproxy auth login claude`. */
  authorize_url: text.optional(),
  /** Redirect URI registered for Claude Code's client (shows the code to paste). */
  redirect_uri: text.optional(),
  /** An Anthropic API key; used instead of OAuth when set (`ANTHROPIC_API_KEY`). */
  api_key: text.optional(),
  refresh_skew_seconds: seconds.default(300),
});

/** `[plugins.copilot]`: GitHub Copilot. */
export const copilotPluginSchema = z.looseObject({
  ...providerPluginFields,
  ...accountFields,
  /**
   * Anthropic names versions with dashes (`claude-sonnet-4-5-20250929`, as Claude Code sends
   * them); Copilot with a dot and no date (`claude-sonnet-4.5`). Setting `model_mappings`
   * replaces this rule.
   */
  model_mappings: z.array(modelMappingRuleSchema).default([
    {
      match: '^claude-(opus|sonnet|haiku)-(\\d+)-(\\d{1,2})(-\\d{8})?$',
      target: 'claude-$1-$2.$3',
      kind: 'regex',
      flags: [],
    },
  ]),
  /** A GitHub token with Copilot access (`GH_TOKEN`); else the one `ccproxy auth login copilot` stored. */
  github_token: text.optional(),
  /** GitHub web base for the device flow (default `https://github.com`). */
  github_url: text.optional(),
  /** GitHub API base for the Copilot token exchange (default `https://api.github.com`). */
  github_api_url: text.optional(),
  /** OAuth client id of the device flow. */
  client_id: text.optional(),
  refresh_skew_seconds: seconds.default(120),
  /** Headers sent to the Copilot API (editor identity); merged over ccproxy's defaults. */
  api_headers: z.record(z.string(), text).default({}),
});

/** `[providers.NAME]`: any OpenAI-compatible (or Anthropic-compatible) API reached with a key. */
export const compatibleProviderSchema = z.looseObject({
  enabled: z.boolean().optional(),
  /** The base URL you would give that format's official SDK (`https://openrouter.ai/api/v1`). */
  base_url: text,
  /** Name of the environment variable holding the API key (keys do not belong in config files). */
  api_key_env: text.optional(),
  /** The key itself; accepted with a warning, prefer `api_key_env`. */
  api_key: text.optional(),
  /** The format the API speaks. */
  format: z.enum(['openai-chat', 'openai-responses', 'anthropic-messages']).default('openai-chat'),
  /** Model ids for `/NAME/v1/models`; absent: the API's own `/models` list. */
  models: z.array(text).optional(),
  /** Top-level request fields this API rejects, dropped before sending. */
  exclude_params: z.array(text).default([]),
  model_mappings: z.array(modelMappingRuleSchema).default([]),
  /** Extra static headers (an `HTTP-Referer` for OpenRouter, ...). */
  headers: z.record(z.string(), text).default({}),
});
export type CompatibleProviderSettings = z.infer<typeof compatibleProviderSchema>;

/** `[plugins.access_log]`. */
export const accessLogPluginSchema = z.looseObject({
  enabled: z.boolean().optional(),
  /** Also append each access-log record to this file, as JSON lines. */
  file: text.optional(),
});

/** `[plugins.metrics]`. */
export const metricsPluginSchema = z.looseObject({
  enabled: z.boolean().optional(),
});

/** A plugin whose settings ccproxy does not read yet (kept, so old config files load). */
const genericPluginSchema = z.looseObject({ enabled: z.boolean().optional() });

export const configSchema = z
  .object({
    server: z
      .looseObject({
        host: text.default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8000),
        /** ccproxy-api kept the log level here too; `[logging] level` wins when both are set. */
        log_level: logLevel.optional(),
        log_file: text.optional(),
        /** Seconds in-flight requests get to finish on SIGINT/SIGTERM. */
        shutdown_timeout: seconds.default(30),
        /** Largest request body accepted, in bytes. */
        max_body_bytes: z
          .number()
          .int()
          .positive()
          .default(32 * 1024 * 1024),
        /**
         * Extra `Host` names accepted besides loopback ones (a reverse proxy's or a container
         * network's name, optionally with `:port`). On a loopback bind any other Host is refused
         * (DNS rebinding); beyond loopback the list applies when it is set.
         */
        allowed_hosts: z.array(text).default([]),
        /**
         * Seconds a connection has to send its first request's headers, and a request its whole
         * header block (slow-header and silent sockets are closed after it).
         */
        headers_timeout: seconds.default(30),
        /** Seconds a client has to send its whole request (headers and body); never the answer. */
        request_timeout: seconds.default(300),
        /** Seconds an idle keep-alive connection stays open after an answer. */
        keep_alive_timeout: seconds.default(5),
        /** Most client connections open at once; more are closed as they arrive. */
        max_connections: z.number().int().positive().default(1024),
        /**
         * How far, in percent, the V8 heap may grow past what survived its last full collection
         * before the next one (`ccproxy serve` only; see src/server/v8-heap.ts): 75 keeps
         * the peak near 1.75 times the live heap; 0 leaves it to V8 (up to 300% under load).
         */
        heap_growth_percent: z.number().int().min(0).max(1000).default(75),
        /**
         * V8's allocation-site pretenuring (`ccproxy serve` only; see src/server/v8-heap.ts): off,
         * since it mistakes a proxy's per-request objects for long-lived ones; true restores V8's
         * default.
         */
        allocation_site_pretenuring: z.boolean().default(false),
      })
      .prefault({}),
    logging: z
      .looseObject({
        level: logLevel.optional(),
        /** `auto`: readable lines on a terminal, JSON lines otherwise. */
        format: z.enum(['auto', 'json', 'pretty']).default('auto'),
        file: text.optional(),
      })
      .prefault({}),
    security: z
      .looseObject({
        /**
         * Access key clients must present (`authorization: Bearer` or `x-api-key`); at least 16
         * characters (`ccproxy config generate-token` makes one).
         */
        auth_token: text
          .refine((value) => value.trim().length >= MIN_AUTH_TOKEN_LENGTH, {
            message: `the access key must be at least ${MIN_AUTH_TOKEN_LENGTH} characters (an empty or short key is refused); make one with \`ccproxy config generate-token\``,
          })
          .optional(),
        /**
         * Web origins (`https://app.example.com`) whose pages may call the proxy, besides loopback
         * ones; `*` allows any origin and needs an access key.
         */
        allowed_origins: z.array(text).default([]),
        /** Serve a non-loopback address without an access key (behind a network policy). */
        allow_unauthenticated: z.boolean().default(false),
      })
      .prefault({}),
    http: z
      .looseObject({
        /** Seconds to wait for the upstream connection. */
        connect_timeout: seconds.default(10),
        /** Seconds to wait for the upstream's first byte. */
        first_byte_timeout: seconds.default(300),
        /** Seconds a stream may stay silent before it is ended. */
        idle_timeout: seconds.default(300),
        /** Retries before the first byte, on connection errors and 502/503/529 only. */
        max_retries: z.number().int().min(0).max(10).default(2),
      })
      .prefault({}),
    capture: z
      .looseObject({
        /** Where to write a `.sse` + `.json` pair per request; capture is off without it. */
        dir: text.optional(),
        /** Keep at most this many requests (the oldest are removed). */
        max_files: z.number().int().positive().default(500),
        /** Keep at most this many bytes in all (the oldest are removed). */
        max_bytes: z
          .number()
          .int()
          .positive()
          .default(200 * 1024 * 1024),
        /** Largest part of one response (the stream text a client got) kept in the `.json`. */
        max_response_bytes: z
          .number()
          .int()
          .positive()
          .default(1024 * 1024),
      })
      .prefault({}),
    responses_store: z
      .looseObject({
        /**
         * Keep the Responses answers the proxy serves, so that `previous_response_id` and
         * `item_reference` work over upstreams that keep nothing (the Codex backend).
         */
        enabled: z.boolean().default(true),
        /** Memory budget for kept responses, in bytes (least recently used go first). */
        max_bytes: z
          .number()
          .int()
          .positive()
          .default(256 * 1024 * 1024),
        /** Seconds a kept response lives after it was served. */
        ttl_seconds: seconds.default(24 * 3600),
      })
      .prefault({}),
    models: z
      .looseObject({
        /** Seconds an upstream's model list is reused before `/v1/models` asks it again. */
        cache_ttl_seconds: z.number().min(0).default(600),
      })
      .prefault({}),
    state: z
      .looseObject({
        /**
         * Where credentials, refresh locks, account cooldowns, sticky sessions, plan usage and
         * the Responses store live: `memory` (files and this process; one replica) or `redis`
         * (shared by every replica).
         */
        backend: z.enum(['memory', 'redis']).default('memory'),
        /** The Redis URL (`redis://[:password@]host:6379/0`, `rediss://` for TLS), `STATE__URL`. */
        url: text.optional(),
        /** Prefix of every key ccproxy writes, so several deployments can share one Redis. */
        key_prefix: text.default('ccproxy:'),
      })
      .prefault({}),
    providers: z.record(z.string(), compatibleProviderSchema).default({}),
    enable_plugins: z.boolean().default(true),
    enabled_plugins: z.array(text).optional(),
    disabled_plugins: z.array(text).optional(),
    plugins: z
      .looseObject({
        codex: codexPluginSchema.prefault({}),
        access_log: accessLogPluginSchema.prefault({}),
        metrics: metricsPluginSchema.prefault({}),
        claude_api: claudePluginSchema.prefault({}),
        claude_sdk: genericPluginSchema.prefault({}),
        copilot: copilotPluginSchema.prefault({}),
        dashboard: genericPluginSchema.prefault({}),
      })
      .prefault({}),
  })
  .superRefine((config, context) => {
    if (config.security.allowed_origins.includes('*') && config.security.auth_token === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['security', 'allowed_origins'],
        message:
          '"*" lets any web page call the proxy, so it needs an access key (security.auth_token)',
      });
    }
  });

/** The resolved configuration. */
export type Config = z.infer<typeof configSchema>;
