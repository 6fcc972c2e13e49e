/**
 * Options and backend choice: checks `PersonalizerOptions`, then builds the store, bus and due-set
 * on Redis (single node or cluster) or, without `redis`, in process, and hands them to the
 * `PersonalizerEngine` facade (engine/personalizer.ts).
 */
import { MemoryBus } from './bus/memory-bus';
import { RedisBus } from './bus/redis-bus';
import { DEFAULT_EVENT_LIMITS } from './events/limits';
import { PersonalizerEngine } from './personalizer';
import { resolveProfileLimits, type ProfileLimits } from './store/limits';
import { DEFAULT_MAX_PROFILES, MemoryProfileStore } from './store/memory/memory-store';
import { connectRedis, type RedisTarget } from './store/redis/connection';
import { RedisProfileStore } from './store/redis/redis-store';
import { ClockSkewMonitor, redisTimeMs } from './time/clock-skew';
import type { DueRetryPolicy } from './time/due-set';
import { MemoryDueSet } from './time/memory-due-set';
import { RedisDueSet } from './time/redis-due-set';
import type { Clock, CompiledRuleSet, EngineObserver, RuleSetSource } from './types';
import { systemClock } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long `createPersonalizer` waits for Redis to answer before failing. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Failing due re-evaluations: retried after 1 s, 2 s, 4 s... (at most 5 min apart), 10 attempts in all. */
const DEFAULT_DUE_RETRY: Readonly<DueRetryPolicy> = Object.freeze({
  firstDelayMs: 1000,
  maxDelayMs: 5 * 60 * 1000,
  maxAttempts: 10,
});

/** How to build a Personalizer (see `createPersonalizer` in engine/index.ts). */
export interface PersonalizerOptions {
  /** The segments (and scores) to evaluate; compiled at once (a bad rule throws `RuleCompileError`). */
  rules: RuleSetSource;
  /** Redis URL, an ioredis Redis/Cluster instance, or cluster nodes; omitted = the embedded in-process store (logged). */
  redis?: RedisTarget;
  /** Prefix of every Redis key and channel; default `pz`. Tests pass a unique one. */
  keyPrefix?: string;
  /** Source of time; default the system clock. */
  clock?: Clock;
  /** Lifetime of an anonymous profile with no activity (ms); default 30 days, refreshed on activity. */
  anonymousTtlMs?: number;
  /** Lifetime of a user's profile with no activity (ms); default 0 = kept until `forget`. */
  userTtlMs?: number;
  /** Longest pause between due-set polls (ms), default 100. Polls also happen at the next due time. */
  pollIntervalMs?: number;
  /** How long a due-set claim is held before another process may take it over (ms); default 5000. */
  leaseMs?: number;
  /**
   * How a due profile whose time-based re-evaluation fails is retried: after `firstDelayMs`
   * (default 1000), doubled after each further failure up to `maxDelayMs` (default 300,000), and
   * dropped from the due-set after `maxAttempts` failures in a row (default 10; the profile is
   * re-evaluated on its next event or read). Counted by `observer.onDueFailure`.
   */
  dueRetry?: Partial<DueRetryPolicy>;
  /**
   * With Redis: the offset between this process's clock and Redis `TIME` above which a warning
   * is logged (ms, default 500); the offset itself goes to `observer.onClockSkew`.
   */
  clockSkewWarnMs?: number;
  /** With Redis: how often the clock is compared with Redis `TIME` (ms, default 60,000), and once at start. */
  clockCheckIntervalMs?: number;
  /**
   * How long event ids are remembered to drop duplicates (ms); default the oldest event age that
   * validation accepts (`DEFAULT_EVENT_LIMITS.maxPastSkewMs`, 24 h), never less than the longest window.
   */
  dedupeWindowMs?: number;
  /**
   * Most entries kept per event stream and profile (default 10,000); beyond it the oldest are
   * dropped, so a flood of events on one profile cannot make every ingest read back more.
   */
  maxEntriesPerStream?: number;
  /**
   * Per-profile bounds (`engine/store/limits.ts`, "Bounds" in `engine/store/README.md`), each
   * defaulting to `DEFAULT_PROFILE_LIMITS`: `maxTraits` (100) and `maxTraitBytes` (16 KiB), past
   * which a trait write is refused with `ProfileLimitError`; `maxSeenIds` (10,000 event ids
   * remembered for de-duplication); `maxContextValueBytes` (2 KiB per stored context value) and
   * `contextAllowance` (the context paths kept besides those the rules read). An unknown name
   * or a value that is not a positive integer throws.
   */
  profileLimits?: Partial<ProfileLimits>;
  /**
   * The embedded store only (no `redis`): most profiles held in this process, default 100,000.
   * One more evicts the least recently written anonymous profile (users only when no anonymous
   * one is left).
   */
  maxEmbeddedProfiles?: number;
  /** Where to log; never receives personal data (no traits, no event payloads). Default `console`. */
  logger?: Pick<Console, 'info' | 'warn' | 'error'>;
  /** Told about evaluations, committed membership changes and Redis errors (metrics); default none. */
  observer?: EngineObserver;
  /**
   * How many of the profiles listened to in this process (open subscriptions) it keeps a copy of,
   * default 10,000 (0 = none). An event on a listened profile is evaluated before it is stored,
   * on that copy (or, with none, on a new profile), so a change it causes is stored and announced
   * in the same round trip as the event (a wrong guess or a copy made stale by another process
   * costs a second round trip, never a wrong write). A copy is used for 5 minutes at most, and
   * dropped once nobody listens, and on every process when the profile is forgotten or its
   * consent withdrawn. The copies take at most 16 MiB, outside the JavaScript heap: when that is
   * full, the copies remembered longest ago make room.
   */
  recentProfiles?: number;
}

/**
 * Builds a Personalizer around an already compiled rule set, on Redis (single node or cluster)
 * or, without `redis`, on the embedded store. `createPersonalizer` (engine/index.ts) compiles the
 * rules and calls this; tests call it with hand-made rule sets.
 */
export async function assemblePersonalizer(
  rules: CompiledRuleSet,
  compile: (source: RuleSetSource) => CompiledRuleSet,
  options: Omit<PersonalizerOptions, 'rules'>,
): Promise<PersonalizerEngine> {
  const keyPrefix = options.keyPrefix ?? 'pz';
  if (!/^[\w.:-]{1,64}$/.test(keyPrefix))
    throw new TypeError('keyPrefix must be 1-64 characters of [A-Za-z0-9_.:-]');
  const anonymousTtlMs = nonNegative(options.anonymousTtlMs ?? 30 * DAY_MS, 'anonymousTtlMs');
  const userTtlMs = nonNegative(options.userTtlMs ?? 0, 'userTtlMs');
  const pollIntervalMs = positive(options.pollIntervalMs ?? 100, 'pollIntervalMs');
  const leaseMs = positive(options.leaseMs ?? 5000, 'leaseMs');
  const dueRetry = dueRetryPolicy(options.dueRetry);
  const clockSkewWarnMs = positive(options.clockSkewWarnMs ?? 500, 'clockSkewWarnMs');
  const clockCheckIntervalMs = positive(options.clockCheckIntervalMs ?? 60_000, 'clockCheckIntervalMs');
  const dedupeWindowMs = nonNegative(
    options.dedupeWindowMs ?? DEFAULT_EVENT_LIMITS.maxPastSkewMs,
    'dedupeWindowMs',
  );
  const maxEntriesPerStream = options.maxEntriesPerStream ?? 10_000;
  if (!Number.isSafeInteger(maxEntriesPerStream) || maxEntriesPerStream < 1) {
    throw new TypeError('maxEntriesPerStream must be a positive integer');
  }
  const recentProfiles = options.recentProfiles ?? 10_000;
  if (!Number.isSafeInteger(recentProfiles) || recentProfiles < 0) {
    throw new TypeError('recentProfiles must be a non-negative integer');
  }
  const profileLimits = resolveProfileLimits(options.profileLimits);
  const maxEmbeddedProfiles = options.maxEmbeddedProfiles ?? DEFAULT_MAX_PROFILES;
  if (!Number.isSafeInteger(maxEmbeddedProfiles) || maxEmbeddedProfiles < 1) {
    throw new TypeError('maxEmbeddedProfiles must be a positive integer');
  }
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? console;
  const observer = options.observer ?? {};
  const common = {
    profileLimits,
    rules,
    observer,
    compile,
    clock,
    logger,
    pollIntervalMs,
    leaseMs,
    dueRetry,
    dedupeWindowMs,
    maxEntriesPerStream,
    recentProfiles,
  };

  if (options.redis === undefined) {
    logger.info(
      'personalize: no Redis configured, using the embedded in-process profile store (single process only)',
    );
    const bus = new MemoryBus((error) => logger.error('personalize: change listener failed', error));
    const dueSet = new MemoryDueSet();
    const store = new MemoryProfileStore({
      clock,
      anonymousTtlMs,
      userTtlMs,
      publish: (change) => bus.deliver(change),
      maxProfiles: maxEmbeddedProfiles,
      // An evicted profile needs no re-evaluation: its due time would only find it gone.
      onEvict: (profileId) => void dueSet.remove(profileId),
    });
    return new PersonalizerEngine({
      ...common,
      store,
      bus,
      dueSet,
      sendTogether: undefined,
      ping: async () => {},
    });
  }

  const connection = connectRedis(options.redis, (error) => {
    observer.onRedisError?.();
    logger.warn(`personalize: Redis connection error: ${error.message}`);
  });
  try {
    await answersWithin(connection.client, CONNECT_TIMEOUT_MS);
  } catch (error) {
    await connection.close();
    throw error;
  }
  const sharded = connection.isCluster;
  const store = new RedisProfileStore({
    client: connection.client,
    sharded,
    keyPrefix,
    anonymousTtlMs,
    userTtlMs,
    clock,
  });
  const bus = new RedisBus({
    client: connection.client,
    subscriber: connection.createSubscriber(),
    sharded,
    keys: store.keys,
    logger,
  });
  try {
    await bus.ready;
  } catch (error) {
    await bus.close();
    await connection.close();
    throw error;
  }
  const dueSet = new RedisDueSet(connection.client, keyPrefix);
  return new PersonalizerEngine({
    ...common,
    store,
    bus,
    dueSet,
    sendTogether: connection.sendTogether,
    ping: async () => void (await connection.client.ping()),
    clockSkew: new ClockSkewMonitor({
      clock,
      redisTime: () => redisTimeMs(connection.client),
      warnMs: clockSkewWarnMs,
      intervalMs: clockCheckIntervalMs,
      logger,
      observer,
    }),
    onClose: () => connection.close(),
  });
}

/** `DEFAULT_DUE_RETRY` overridden by `retry`, each value checked (a typo must not switch retries off). */
function dueRetryPolicy(retry: Partial<DueRetryPolicy> | undefined): DueRetryPolicy {
  const policy = { ...DEFAULT_DUE_RETRY };
  for (const [name, value] of Object.entries(retry ?? {})) {
    if (!(name in DEFAULT_DUE_RETRY)) throw new TypeError(`unknown dueRetry option "${name}"`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
      throw new TypeError(`dueRetry.${name} must be a positive integer, got ${String(value)}`);
    policy[name as keyof DueRetryPolicy] = value;
  }
  if (policy.maxDelayMs < policy.firstDelayMs)
    throw new TypeError('dueRetry.maxDelayMs must be at least dueRetry.firstDelayMs');
  return policy;
}

/** Fails clearly when Redis does not answer, instead of queueing commands forever. */
async function answersWithin(client: { ping(): Promise<string> }, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([client.ping(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new TypeError(`${name} must be a non-negative number of milliseconds`);
  return value;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`${name} must be a positive number of milliseconds`);
  return value;
}
