/**
 * An account pool: one provider id served by several accounts. A conversation sticks to one
 * account while it can (the upstream prompt cache keeps hitting); a new one goes to the account
 * with the most headroom (or round robin). Before the first byte, a 429, credentials a refresh
 * did not cure (401/403), a 5xx or a connection failure move the request to the next account;
 * a limited account rests until the upstream's reset time, and when every account rests the
 * client gets 429 with `retry-after` set to the soonest reset.
 */

import { bodyResetMs, retryAfterMs, retryAfterSeconds } from '../accounts/limit-reset.js';
import { type AccountUsage, usedRatioOf } from '../accounts/plan-usage.js';
import type { PoolState, RestingAccount } from '../accounts/pool-state.js';
import { isProxyError, ProxyError } from '../errors.js';
import { readBodyText, type UpstreamBody, type UpstreamResponse } from '../http/upstream-fetch.js';
import type { Logger } from '../observability/logger.js';
import { getString, isRecord } from '../util/json.js';
import type { RequestSignal } from '../util/request-signal.js';
import type { CredentialStatus, Provider, UpstreamCall } from './provider.js';

/** How a new conversation picks its account. */
export type AccountStrategy = 'headroom' | 'round_robin';

/** One account of a pool: its name and the provider instance signed in as it. */
export interface PoolMember {
  name: string;
  provider: Provider;
}

/** Options of `createAccountPool`. */
export interface AccountPoolOptions {
  members: readonly PoolMember[];
  strategy: AccountStrategy;
  state: PoolState;
  /** The latest plan usage of an account (for headroom, and to rest exhausted plans). */
  usageOf?(account: string): AccountUsage | undefined;
  /** Wall-clock milliseconds. */
  now(): number;
  /** Accounts tried for one request at most (the retry budget). */
  maxAttempts: number;
  /** How long an account whose credentials were refused rests. */
  rejectedRestMs?: number;
  /** How long a 429 without any reset information rests its account. */
  defaultRestMs?: number;
  logger?: Logger;
  /** Told about each failover (for metrics). */
  onFailover?(account: string, reason: string): void;
}

/** Headers and session fields that name a conversation (the same ones the providers read). */
const SESSION_HEADERS = [
  'session_id',
  'x-session-id',
  'conversation_id',
  'x-claude-code-session-id',
];

/** The conversation a call belongs to, when the client or the provider named one. */
export function sessionKeyOf(call: Pick<UpstreamCall, 'body' | 'context'>): string | undefined {
  if (call.context.routeSessionId) return call.context.routeSessionId;
  for (const name of SESSION_HEADERS) {
    const value = call.context.clientHeaders.get(name);
    if (value) return value;
  }
  const cacheKey = getString(call.body, 'prompt_cache_key');
  if (cacheKey) return cacheKey;
  const metadata = call.body.metadata;
  return isRecord(metadata) ? getString(metadata, 'user_id') : undefined;
}

/** A body already read, served again. */
function replayBody(text: string): UpstreamBody {
  let done = false;
  return {
    async read() {
      if (done || text === '') return { done: true };
      done = true;
      return { done: false, value: new TextEncoder().encode(text) };
    },
    async cancel() {
      done = true;
    },
  };
}

/** Why a response or error moves the request to another account, or `undefined`. */
function failoverReason(status: number): string | undefined {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'rejected_credentials';
  if (status >= 500) return 'upstream_error';
  return undefined;
}

function failoverError(error: unknown): string | undefined {
  if (!isProxyError(error)) return undefined;
  if (error.code === 'upstream_unavailable' || error.code === 'upstream_timeout')
    return error.status === 499 ? undefined : 'unreachable';
  if (error.code === 'upstream_authentication') return 'rejected_credentials';
  return undefined;
}

/** Creates the pooled provider (with one member it behaves exactly as that member). */
export function createAccountPool(options: AccountPoolOptions): Provider & {
  accounts: readonly string[];
} {
  const members = options.members;
  const first = members[0];
  if (!first) throw new TypeError('An account pool needs at least one account');
  const id = first.provider.id;
  const byName = new Map(members.map((member) => [member.name, member]));
  const rejectedRestMs = options.rejectedRestMs ?? 5 * 60_000;
  const defaultRestMs = options.defaultRestMs ?? 60_000;
  let nextRobin = 0;

  /** Accounts whose plan window says 100 % used until a reset still ahead. */
  function exhaustedUntil(account: string, nowMs: number): number | undefined {
    const usage = options.usageOf?.(account);
    if (!usage) return undefined;
    const resets = usage.windows
      .filter((window) => window.usedRatio >= 1 && (window.resetsAt ?? 0) > nowMs)
      .map((window) => window.resetsAt as number);
    return resets.length > 0 ? Math.max(...resets) : undefined;
  }

  async function restingMap(nowMs: number): Promise<Map<string, RestingAccount>> {
    const resting = await options.state.resting(id, nowMs);
    for (const member of members) {
      if (resting.has(member.name)) continue;
      const until = exhaustedUntil(member.name, nowMs);
      if (until !== undefined)
        resting.set(member.name, {
          provider: id,
          account: member.name,
          until,
          reason: 'plan_exhausted',
        });
    }
    return resting;
  }

  /** The order in which accounts are tried for this call. */
  async function order(sessionKey: string | undefined, nowMs: number) {
    const resting = await restingMap(nowMs);
    const available = members.map((member) => member.name).filter((name) => !resting.has(name));
    let ordered: string[];
    if (options.strategy === 'round_robin') {
      const start = available.length > 0 ? nextRobin++ % available.length : 0;
      ordered = [...available.slice(start), ...available.slice(0, start)];
    } else {
      // Most headroom first; ties keep the configured order.
      ordered = available
        .map((name, index) => ({ name, index, used: usedRatioOf(options.usageOf?.(name), nowMs) }))
        .sort((a, b) => a.used - b.used || a.index - b.index)
        .map((entry) => entry.name);
    }
    if (sessionKey !== undefined) {
      const sticky = await options.state.stickyAccount(id, sessionKey);
      if (sticky !== undefined && available.includes(sticky))
        ordered = [sticky, ...ordered.filter((name) => name !== sticky)];
    }
    return { ordered, resting };
  }

  function allRestingError(resting: Map<string, RestingAccount>, nowMs: number): ProxyError {
    const soonest = Math.min(...[...resting.values()].map((entry) => entry.until));
    return new ProxyError(
      'upstream_rate_limited',
      `Every ${id} account is resting until its usage limit resets; retry in ${retryAfterSeconds(soonest, nowMs)}s`,
      { retryAfter: retryAfterSeconds(soonest, nowMs), upstream: { status: 429 } },
    );
  }

  async function restFor(
    account: string,
    response: { status: number; headers: Headers; text: string },
    reason: string,
  ): Promise<void> {
    const nowMs = options.now();
    const member = byName.get(account);
    let until: number;
    if (reason === 'rate_limited') {
      until =
        member?.provider.limitResetAt?.(response.status, response.headers, nowMs) ??
        retryAfterMs(response.headers.get('retry-after'), nowMs) ??
        bodyResetMs(response.text, nowMs) ??
        nowMs + defaultRestMs;
    } else if (reason === 'rejected_credentials') {
      until = nowMs + rejectedRestMs;
    } else {
      return;
    }
    if (until <= nowMs) return;
    // Failing to record the rest must not stop the failover.
    await options.state.rest({ provider: id, account, until, reason }).catch(() => {});
    options.logger?.warn(
      { provider: id, account, reason, until: new Date(until).toISOString() },
      'account resting',
    );
  }

  /** Runs `attempt` on accounts in order until one answers without a failover reason. */
  async function withFailover(
    sessionKey: string | undefined,
    signal: RequestSignal,
    attempt: (member: PoolMember) => Promise<UpstreamResponse>,
  ): Promise<UpstreamResponse> {
    const { ordered, resting } = await order(sessionKey, options.now());
    if (ordered.length === 0) throw allRestingError(resting, options.now());
    const tries = ordered.slice(0, Math.max(1, options.maxAttempts));
    let last: UpstreamResponse | undefined;
    let lastError: unknown;
    for (const [index, name] of tries.entries()) {
      const member = byName.get(name) as PoolMember;
      const isLast = index === tries.length - 1;
      let response: UpstreamResponse;
      try {
        response = await attempt(member);
      } catch (error) {
        const reason = failoverError(error);
        if (reason === undefined || signal.aborted || isLast) {
          if (reason === 'rejected_credentials' && members.length > 1)
            await restFor(name, { status: 401, headers: new Headers(), text: '' }, reason);
          throw error;
        }
        if (reason === 'rejected_credentials')
          await restFor(name, { status: 401, headers: new Headers(), text: '' }, reason);
        options.onFailover?.(name, reason);
        lastError = error;
        continue;
      }
      const reason = failoverReason(response.status);
      if (reason === undefined) {
        // Not awaited: losing a sticky mark costs a cache miss at most, never the answer's time.
        if (sessionKey !== undefined)
          void options.state.stick(id, sessionKey, name).catch(() => {});
        return { ...response, account: name };
      }
      // Read the refusal (it is small) so it can be shown if no other account answers.
      const text = await readBodyText(response.body, 64 * 1024).catch(() => '');
      last = { ...response, account: name, body: replayBody(text) };
      if (members.length > 1) await restFor(name, { ...response, text }, reason);
      if (signal.aborted) break;
      if (!isLast) options.onFailover?.(name, reason);
    }
    const nowMs = options.now();
    if (last?.status === 429 && members.length > 1) {
      // Shared state away: the upstream's own 429 is still the right answer.
      const after = await restingMap(nowMs).catch(() => undefined);
      if (after && members.every((member) => after.has(member.name)))
        throw allRestingError(after, nowMs);
    }
    if (last) return last;
    throw lastError;
  }

  // Everything but sending and status is the same for every account: the first one's (new
  // Provider members reach the pool without a change here).
  const { limitResetAt: _perAccount, ...shared } = first.provider;
  return {
    ...shared,
    accounts: members.map((member) => member.name),
    send: (call) =>
      withFailover(sessionKeyOf(call), call.signal, (member) => member.provider.send(call)),
    ...(first.provider.countTokens
      ? {
          countTokens: (body, context) =>
            withFailover(undefined, context.signal, (member) => {
              const count = member.provider.countTokens;
              if (!count) throw new ProxyError('internal', 'Account cannot count tokens');
              return count(body, context);
            }),
        }
      : {}),
    listModels: () => first.provider.listModels(),
    async credentialStatus(): Promise<CredentialStatus> {
      const statuses = await Promise.all(
        members.map((member) => member.provider.credentialStatus()),
      );
      if (members.length === 1) return statuses[0] as CredentialStatus;
      const resting = await restingMap(options.now()).catch(
        () => new Map<string, RestingAccount>(),
      );
      const accounts: Record<string, CredentialStatus> = {};
      for (const [index, member] of members.entries()) {
        const rest = resting.get(member.name);
        accounts[member.name] = {
          ...(statuses[index] as CredentialStatus),
          ...(rest ? { restingUntil: new Date(rest.until).toISOString() } : {}),
        };
      }
      const usable = statuses.find((status) => status.state === 'present') ?? statuses[0];
      return { ...(usable as CredentialStatus), accounts };
    },
  };
}
