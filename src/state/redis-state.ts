/**
 * The Redis state backend: what several replicas share. Credentials (compare-and-set writes, so a
 * refresh one replica did is used by all and a single-use refresh token is spent once), the
 * refresh lock (a TTL and a fencing token: one refresh for every request of every replica),
 * account cooldowns and sticky sessions, and plan usage. Redis unreachable: operations fail at
 * once with 503 and the client reconnects by itself. Credential values are never logged.
 */
import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';
import type { AccountUsage, PlanUsageStore } from '../accounts/plan-usage.js';
import type { PoolState, RestingAccount } from '../accounts/pool-state.js';
import type { CredentialStore, RefreshLock } from '../auth/credential-store.js';
import { ProxyError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { ResponsesStore } from '../responses-store/store.js';
import { isRecord, tryParseJson } from '../util/json.js';
import { registerSecretsIn } from '../util/secrets.js';
import { createRedisResponsesStore } from './redis-responses-store.js';

/**
 * The Redis client class, loaded when a Redis state is first made: ioredis adds about 20 MiB to
 * the resident memory of a process that loads it, and most servers never configure Redis. (It is
 * a CommonJS package, so it loads synchronously here.)
 */
function loadRedis(): typeof RedisClient {
  const require = createRequire(import.meta.url);
  return (require('ioredis') as { Redis: typeof RedisClient }).Redis;
}

/** Options of `createRedisState`. */
export interface RedisStateOptions {
  url: string;
  keyPrefix: string;
  logger: Logger;
  /** How long a refresh lock lives if its holder dies (ms); longer than a refresh may take. */
  lockTtlMs?: number;
  /** How long a replica waits for another one's refresh (ms). */
  lockWaitMs?: number;
  /** Waits between lock attempts (injectable). */
  sleep?(ms: number): Promise<void>;
}

/** One account's shared credentials and its refresh lock. */
export interface SharedCredentials {
  store: CredentialStore;
  lock: RefreshLock;
}

/** The shared state of every replica. */
export interface RedisState {
  /** `ok` while connected, else `unreachable`. */
  status(): 'ok' | 'unreachable';
  /** Resolves once connected (or after `timeoutMs`, whichever is first). */
  ready(timeoutMs: number): Promise<boolean>;
  shared(provider: string, account: string): SharedCredentials;
  /**
   * Stores an account's credentials (`ccproxy state import`); an account already in Redis is
   * kept (its tokens may be newer than the file's) unless `replace`. Resolves whether it wrote.
   */
  importCredentials(
    provider: string,
    account: string,
    data: unknown,
    replace: boolean,
  ): Promise<boolean>;
  /** Every stored account's credentials (`ccproxy state export`). */
  exportCredentials(): Promise<Array<{ provider: string; account: string; data: unknown }>>;
  poolState: PoolState;
  /** The Responses store, shared by every replica. */
  responsesStore(settings: {
    ttlMs: number;
    maxBytes: number;
    onTooLarge?(responseId: string, bytes: number): void;
  }): ResponsesStore;
  /** Mirrors a usage store: its reports go to Redis; `sync` takes the other replicas'. */
  mirrorUsage(store: PlanUsageStore): { sync(): Promise<void> };
  close(): Promise<void>;
}

const UNREACHABLE = 'Shared state (Redis) is unreachable; retry shortly';

/** Compare-and-set of credentials: only the lock holder (fence) over the version it read. */
const WRITE_SCRIPT = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local version = redis.call('HGET', KEYS[1], 'version') or '0'
if version ~= ARGV[2] then return -2 end
local next = tonumber(version) + 1
redis.call('HSET', KEYS[1], 'data', ARGV[3], 'version', tostring(next))
return next`;

/** Releases a lock only if it is still ours (its value is our fencing token). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Creates the backend; the connection is made in the background and remade when lost. */
export function createRedisState(options: RedisStateOptions): RedisState {
  const prefix = options.keyPrefix;
  const lockTtlMs = options.lockTtlMs ?? 60_000;
  const lockWaitMs = options.lockWaitMs ?? 70_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const Redis = loadRedis();
  const client = new Redis(options.url, {
    // Fail fast while disconnected instead of queueing requests behind a dead connection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  let reportedDown = false;
  client.on('error', (error: NodeJS.ErrnoException) => {
    if (reportedDown) return;
    reportedDown = true;
    // The code only: the error's text could carry the URL (and its password).
    options.logger.warn({ code: error.code ?? error.name }, 'shared state (Redis) unreachable');
  });
  client.on('ready', () => {
    if (reportedDown) options.logger.info('shared state (Redis) reachable again');
    reportedDown = false;
  });

  async function guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ProxyError) throw error;
      throw new ProxyError('unavailable', UNREACHABLE, { status: 503 });
    }
  }

  function shared(provider: string, account: string): SharedCredentials {
    const key = `${prefix}cred:${provider}:${account}`;
    const lockKey = `${prefix}lock:${provider}:${account}`;
    const fenceKey = `${prefix}fence:${provider}:${account}`;
    let readVersion = '0';
    let heldFence = '';
    const store: CredentialStore = {
      location: `redis:${key}`,
      read: () =>
        guard(async () => {
          const [data, version] = await client.hmget(key, 'data', 'version');
          readVersion = version ?? '0';
          if (data === null || data === undefined) return undefined;
          const parsed = tryParseJson(data);
          // Every token read is known to the redactor by value, as from a credential file.
          registerSecretsIn(parsed);
          return { data: parsed, mtimeMs: 0, insecure: false };
        }),
      write: (data) =>
        guard(async () => {
          registerSecretsIn(data);
          const result = await client.eval(
            WRITE_SCRIPT,
            2,
            key,
            lockKey,
            heldFence,
            readVersion,
            JSON.stringify(data),
          );
          if (result === -1)
            throw new ProxyError(
              'unavailable',
              `The refresh lock of ${provider} account "${account}" expired before the refresh finished; retry`,
              { status: 503 },
            );
          if (result === -2)
            throw new ProxyError(
              'unavailable',
              `The ${provider} account "${account}" credentials changed during the refresh; retry`,
              { status: 503 },
            );
          readVersion = String(result);
        }),
    };
    const lock: RefreshLock = {
      async run(action) {
        const deadline = Date.now() + lockWaitMs;
        for (;;) {
          const fence = String(await guard(() => client.incr(fenceKey)));
          const taken = await guard(() => client.set(lockKey, fence, 'PX', lockTtlMs, 'NX'));
          if (taken === 'OK') {
            heldFence = fence;
            try {
              return await action();
            } finally {
              heldFence = '';
              await client.eval(RELEASE_SCRIPT, 1, lockKey, fence).catch(() => {});
            }
          }
          if (Date.now() >= deadline)
            throw new ProxyError(
              'unavailable',
              `Another replica is still refreshing the ${provider} account "${account}"; retry`,
              { status: 503 },
            );
          await sleep(50);
        }
      },
    };
    return { store, lock };
  }

  const restsKey = `${prefix}rests`;
  const field = (provider: string, account: string) => `${provider}\u0000${account}`;
  function readRests(raw: Record<string, string>, nowMs: number): RestingAccount[] {
    return Object.values(raw)
      .map((text) => tryParseJson(text))
      .filter(
        (entry): entry is RestingAccount =>
          isRecord(entry) && typeof entry.until === 'number' && entry.until > nowMs,
      );
  }
  const poolState: PoolState = {
    stickyAccount: (provider, sessionKey) =>
      guard(
        async () => (await client.get(`${prefix}sticky:${provider}:${sessionKey}`)) ?? undefined,
      ),
    stick: (provider, sessionKey, account) =>
      guard(async () => {
        await client.set(`${prefix}sticky:${provider}:${sessionKey}`, account, 'PX', 24 * 3600_000);
      }),
    resting: (provider, nowMs) =>
      guard(async () => {
        const entries = readRests(await client.hgetall(restsKey), nowMs);
        return new Map(
          entries
            .filter((entry) => entry.provider === provider)
            .map((entry) => [entry.account, entry]),
        );
      }),
    rest: (entry) =>
      guard(async () => {
        const previous = tryParseJson(
          (await client.hget(restsKey, field(entry.provider, entry.account))) ?? '',
        );
        if (
          isRecord(previous) &&
          typeof previous.until === 'number' &&
          previous.until >= entry.until
        )
          return;
        await client.hset(restsKey, field(entry.provider, entry.account), JSON.stringify(entry));
      }),
    allResting: (nowMs) => guard(async () => readRests(await client.hgetall(restsKey), nowMs)),
  };

  const usageKey = `${prefix}usage`;
  function mirrorUsage(store: PlanUsageStore) {
    store.onRecord = (usage) => {
      client
        .hset(usageKey, field(usage.provider, usage.account), JSON.stringify(usage))
        .catch(() => {
          // Usage is best effort: the next answer reports it again.
        });
    };
    return {
      async sync() {
        const raw = await client.hgetall(usageKey).catch(() => ({}) as Record<string, string>);
        for (const text of Object.values(raw)) {
          const usage = tryParseJson(text);
          if (isRecord(usage) && typeof usage.provider === 'string' && Array.isArray(usage.windows))
            store.absorb(usage as unknown as AccountUsage);
        }
      },
    };
  }

  return {
    status: () => (client.status === 'ready' ? 'ok' : 'unreachable'),
    ready(timeoutMs) {
      if (client.status === 'ready') return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          resolve(false);
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        client.once('ready', onReady);
      });
    },
    shared,
    importCredentials: (provider, account, data, replace) =>
      guard(async () => {
        const key = `${prefix}cred:${provider}:${account}`;
        if (!replace && (await client.hexists(key, 'data')) === 1) return false;
        await client.hset(key, 'data', JSON.stringify(data));
        await client.hincrby(key, 'version', 1);
        return true;
      }),
    exportCredentials: () =>
      guard(async () => {
        const found: Array<{ provider: string; account: string; data: unknown }> = [];
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}cred:*`, 'COUNT', 100);
          cursor = next;
          for (const key of keys) {
            const [provider, account] = key.slice(`${prefix}cred:`.length).split(':');
            const data = await client.hget(key, 'data');
            if (provider && account && data)
              found.push({ provider, account, data: tryParseJson(data) });
          }
        } while (cursor !== '0');
        return found.sort(
          (a, b) => a.provider.localeCompare(b.provider) || a.account.localeCompare(b.account),
        );
      }),
    poolState,
    responsesStore: (settings) =>
      createRedisResponsesStore({ client, keyPrefix: prefix, guard, ...settings }),
    mirrorUsage,
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
