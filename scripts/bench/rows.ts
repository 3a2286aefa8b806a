/**
 * The rows of issue 13's table: what the client sends to ccproxy, which upstream endpoint that
 * reaches, and how the row is judged. The baselines get the very body ccproxy sent upstream.
 */
import type { RowKind } from './analysis.js';

/** One measured route. */
export interface Row {
  /** Short name, for `--profile`. */
  id: string;
  title: string;
  /** ccproxy's path and the client's body. */
  path: string;
  body: string;
  /** The upstream endpoint ccproxy calls for it (the baselines call the same). */
  upstreamPath: string;
  kind: RowKind;
  latencyTarget: boolean;
  /** Text only a complete answer holds (its terminal event or finish); without it the row is not measured. */
  complete: string;
}

/** The OpenAI-compatible provider the bench configures, pointing at the fake upstream. */
export const COMPAT_PROVIDER = 'bench';

const chat = (stream: boolean) =>
  JSON.stringify({
    model: 'gpt-4.1-mini',
    messages: [{ role: 'user', content: 'Why does bread rise?' }],
    ...(stream ? { stream: true } : {}),
  });
const messages = (model: string, stream: boolean) =>
  JSON.stringify({
    model,
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'Why does bread rise?' }],
    ...(stream ? { stream: true } : {}),
  });
const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';
const CODEX = '/backend-api/codex/responses';

/** The rows, in the order. */
export const ROWS: Row[] = [
  {
    id: 'chat',
    title: 'chat non-stream, OpenAI-compatible pass-through',
    path: `/${COMPAT_PROVIDER}/v1/chat/completions`,
    body: chat(false),
    upstreamPath: CHAT,
    kind: 'non-stream',
    latencyTarget: true,
    complete: '"finish_reason":"stop"',
  },
  {
    id: 'messages-to-chat',
    title: 'messages non-stream to a chat upstream',
    path: `/${COMPAT_PROVIDER}/v1/messages`,
    body: messages('gpt-4.1-mini', false),
    upstreamPath: CHAT,
    kind: 'non-stream',
    latencyTarget: true,
    complete: '"stop_reason":"end_turn"',
  },
  {
    id: 'claude',
    title: '`/claude/v1/messages` pass-through',
    path: '/claude/v1/messages',
    body: messages('claude-sonnet-4-6', false),
    upstreamPath: MESSAGES,
    kind: 'non-stream',
    latencyTarget: true,
    complete: '"stop_reason":"end_turn"',
  },
  {
    id: 'chat-stream',
    title: 'chat stream pass-through, 200 chunks',
    path: `/${COMPAT_PROVIDER}/v1/chat/completions`,
    body: chat(true),
    upstreamPath: CHAT,
    kind: 'pass-through stream',
    latencyTarget: false,
    complete: 'data: [DONE]',
  },
  {
    id: 'messages-to-chat-stream',
    title: 'messages stream to a chat upstream',
    path: `/${COMPAT_PROVIDER}/v1/messages`,
    body: messages('gpt-4.1-mini', true),
    upstreamPath: CHAT,
    kind: 'converted stream',
    latencyTarget: false,
    complete: 'event: message_stop',
  },
  {
    id: 'claude-stream',
    title: '`/claude` messages stream pass-through',
    path: '/claude/v1/messages',
    body: messages('claude-sonnet-4-6', true),
    upstreamPath: MESSAGES,
    kind: 'pass-through stream',
    latencyTarget: false,
    complete: 'event: message_stop',
  },
  {
    id: 'responses-stream',
    title: 'Responses stream pass-through, 315 KB (`/codex/v1/responses`)',
    path: '/codex/v1/responses',
    body: JSON.stringify({
      model: 'gpt-5.1-codex',
      instructions: 'x',
      input: [{ role: 'user', content: 'Why does bread rise?' }],
      stream: true,
      store: false,
    }),
    upstreamPath: CODEX,
    kind: 'pass-through stream',
    latencyTarget: false,
    complete: 'event: response.completed',
  },
  {
    id: 'codex-chat',
    title: "the report's route: `/codex/v1/chat/completions` non-stream over the 315 KB stream",
    path: '/codex/v1/chat/completions',
    body: chat(false).replace('gpt-4.1-mini', 'gpt-5.1-codex'),
    upstreamPath: CODEX,
    kind: 'report route',
    latencyTarget: false,
    complete: '"finish_reason":',
  },
];

/**
 * ccproxy variants measured on some rows in the same run, each against a counterpart process:
 * the default ccproxy (all default plugins on, in-memory state, one Codex account) unless
 * `against` names another variant.
 */
export interface Variant {
  id: string;
  title: string;
  /** Extra `ccproxy serve` arguments and environment. */
  serveArgs: string[];
  env: Record<string, string>;
  rows: string[];
  /** The variant whose process is this one's counterpart; absent: the default ccproxy process. */
  against?: string;
  /** Serve a pool of two Codex accounts (`default` and `work`, same token) instead of one. */
  pool?: boolean;
  /**
   * Needs Redis: the bench starts Debian's `redis-server` on loopback, sets `STATE__URL` (and
   * `STATE__KEY_PREFIX`), and runs `ccproxy state import` with the variant's environment first.
   */
  redis?: boolean;
  /** Why the variant cannot run here (reported as not measured), if it cannot. */
  unavailable?: string;
}

/** The id of the Redis state backend variant. */
export const REDIS_VARIANT = 'redis-state';

/** The id of its counterpart: the same two-account pool on the memory backend. */
export const MEMORY_POOL_VARIANT = 'memory-pool';

/**
 * The Codex rows: with a pool of two accounts, every request reads the pool's state (the resting
 * accounts and the conversation's account) before the upstream call and writes the sticky mark
 * after it, so these are the rows where the state backend is on the request path.
 */
const STATE_ROWS = ['responses-stream', 'codex-chat'];

export const VARIANTS: Variant[] = [
  {
    id: 'dashboard-off',
    title:
      'dashboard plugin off (`--disable-plugin dashboard`) against on (the default; no dashboard page open)',
    serveArgs: ['--disable-plugin', 'dashboard'],
    env: {},
    rows: ['chat', 'messages-to-chat-stream'],
  },
  {
    id: MEMORY_POOL_VARIANT,
    title:
      'a pool of two Codex accounts on the memory state backend (the default) against one account',
    serveArgs: [],
    env: {},
    rows: STATE_ROWS,
    pool: true,
  },
  {
    id: REDIS_VARIANT,
    title:
      'Redis state backend (`STATE__BACKEND=redis`, loopback `redis-server`) against memory, both a pool of two Codex accounts',
    serveArgs: [],
    env: { STATE__BACKEND: 'redis' },
    rows: STATE_ROWS,
    against: MEMORY_POOL_VARIANT,
    pool: true,
    redis: true,
  },
];

/** The variants as they can run here: one that needs Redis is not measured without `redis-server`. */
export function availableVariants(variants: Variant[], redisInstalled: boolean): Variant[] {
  return variants.map((variant) =>
    variant.redis && !redisInstalled && !variant.unavailable
      ? { ...variant, unavailable: 'redis-server is not installed' }
      : variant,
  );
}
