/**
 * The `Personalizer` facade: ties the profile store, the rules, the due-set poller and the change
 * bus together. Every path ends in `settle`: evaluate the rules on what the store returned,
 * write memberships back if they changed (atomically announcing the change), and make sure the
 * due-set will look at the profile again no later than its `nextChangeAt`.
 *
 * Concurrency: nothing here does read-modify-write across round trips except through the
 * store's version check. A commit that loses to a newer write is dropped: the newer writer read
 * strictly more data and decides (see `engine/store/types.ts`).
 */
import { MemoryBus } from './bus/memory-bus';
import { RedisBus } from './bus/redis-bus';
import type { ChangeBus, Unsubscribe } from './bus/types';
import { decide, profileView, type Decision } from './store/decide';
import { predictIngest } from './store/predict';
import { assertServerTraits, CLIENT_TRAITS_KEY } from './store/traits';
import { assertProfileId, isUserProfileId, userProfileId } from './store/profile-id';
import { RecentProfiles } from './store/recent-profiles';
import { emptyRecord, withFields } from './store/record';
import { ContextPolicy, resolveProfileLimits, type ProfileLimits } from './store/limits';
import { DEFAULT_MAX_PROFILES, MemoryProfileStore } from './store/memory/memory-store';
import { connectRedis, type RedisTarget } from './store/redis/connection';
import { RedisProfileStore } from './store/redis/redis-store';
import type {
  CommitRequest,
  IngestProposal,
  ProfileExport,
  ProfileRecord,
  ProfileStore,
  RoutedEvent,
  StoreContext,
} from './store/types';
import { ClockSkewMonitor, redisTimeMs } from './time/clock-skew';
import type { DueRetryPolicy, DueSet } from './time/due-set';
import { MemoryDueSet } from './time/memory-due-set';
import { DuePoller } from './time/poller';
import { DEFAULT_EVENT_LIMITS } from './events/limits';
import { RedisDueSet } from './time/redis-due-set';
import type {
  ChangeCause,
  Clock,
  CompiledRuleSet,
  Consent,
  EngineObserver,
  EpochMs,
  Identification,
  JsonObject,
  JsonValue,
  Personalizer,
  ProfileView,
  RuleSetSource,
  SegmentChange,
  TrackOutcome,
  VisitorEvent,
} from './types';
import { systemClock } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long `createPersonalizer` waits for Redis to answer before failing. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How many listened profiles are re-evaluated at once after a rules change. */
const RULES_REEVALUATION_BATCH = 100;

/** Failing due re-evaluations: retried after 1 s, 2 s, 4 s... (at most 5 min apart), 10 attempts in all. */
const DEFAULT_DUE_RETRY: Readonly<DueRetryPolicy> = Object.freeze({
  firstDelayMs: 1000,
  maxDelayMs: 5 * 60 * 1000,
  maxAttempts: 10,
});

/** How often a merge is retried when events keep arriving on the anonymous profile meanwhile. */
const MAX_MERGE_ATTEMPTS = 5;

/** How often the time path retries an evaluation that lost to a concurrent write. */
const MAX_TIME_ATTEMPTS = 5;

/** How often a read re-reads a profile whose evaluation lost to a concurrent write. */
const MAX_READ_ATTEMPTS = 5;

/** How long a profile's copy in `RecentProfiles` is used to predict its next event's outcome. */
const RECENT_PROFILE_MAX_AGE_MS = 5 * 60 * 1000;
/** Memory the copies in `RecentProfiles` may take, outside the JavaScript heap (16 MiB). */
const RECENT_PROFILES_BYTES = 16 * 1024 * 1024;
/** Profiles with more stream entries than this are not copied (see `RecentProfiles`). */
const RECENT_PROFILE_MAX_ENTRIES = 1000;
/** How often copies that are too old or nobody listens to any more are dropped. */
const RECENT_PROFILE_SWEEP_MS = 60 * 1000;

/**
 * The bus topic on which a `forget` tells every process to drop its copy of the erased profile
 * (its `RecentProfiles`). Payload: `{ profileId }`.
 */
const FORGOTTEN_TOPIC = 'personalize:forgotten';

/**
 * How often a started Personalizer counts segment members even if nobody asks: counting re-checks
 * the membership index entries whose time has come, so those of expired profiles leave it.
 */
const MEMBER_INDEX_SWEEP_MS = 60 * 60 * 1000;

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

export interface PersonalizerParts {
  rules: CompiledRuleSet;
  /** Compiles a replacement rule set (throws `RuleCompileError` on a bad rule). */
  compile(source: RuleSetSource): CompiledRuleSet;
  store: ProfileStore;
  dueSet: DueSet;
  bus: ChangeBus;
  clock: Clock;
  logger: Pick<Console, 'info' | 'warn' | 'error'>;
  pollIntervalMs: number;
  /** How long a due-set claim is held (ms). */
  leaseMs: number;
  /** How failing due re-evaluations are retried. */
  dueRetry: DueRetryPolicy;
  /** How long event ids are remembered for de-duplication (ms). */
  dedupeWindowMs: number;
  /** Most entries kept per stream and profile. */
  maxEntriesPerStream: number;
  /** Per-profile bounds (resolved). */
  profileLimits: Readonly<ProfileLimits>;
  /** How many profiles' copies are kept to predict events' outcomes (`RecentProfiles`); 0 = none. */
  recentProfiles: number;
  /**
   * Present when the store and the due-set send their commands over one single-node connection:
   * runs `send` and flushes the commands it issued in one write, in order. A schedule sent
   * before a write is then executed before it without waiting for its reply.
   */
  sendTogether: (<T>(send: () => T) => T) | undefined;
  /** Called once by `close` (connections to release). */
  onClose?: () => Promise<void>;
  /** Told about evaluations and committed changes (metrics). */
  observer: EngineObserver;
  /** Asks the remote store whether it answers (absent: nothing remote to ask). */
  ping?: () => Promise<void>;
  /** Compares this process's clock with the shared store's (absent: one process, one clock). */
  clockSkew?: ClockSkewMonitor;
}

/** What an evaluation asks to write, before it is written. */
interface Plan {
  decision: Decision;
  /** The outcome to commit, or `null` when nothing changed that needs writing. */
  outcome: Omit<CommitRequest, 'expectedVersion'> | null;
  /** The time to put on the due-set first (earlier than the one scheduled), or `null`. */
  scheduleAt: EpochMs | null;
}

interface Settled {
  decision: Decision;
  change: SegmentChange | null;
  /** True when a concurrent write won the commit: the profile holds that writer's outcome, not `decision`. */
  raced: boolean;
}

export class PersonalizerEngine implements Personalizer {
  private current: CompiledRuleSet;
  private context: Omit<StoreContext, 'now'>;
  private readonly rulesListeners = new Set<(rules: CompiledRuleSet) => void>();
  private readonly poller: DuePoller;
  private closed = false;
  private memberIndexSweep: NodeJS.Timeout | undefined;
  private recentSweep: NodeJS.Timeout | undefined;
  private readonly recent: RecentProfiles;
  private readonly stopHearingForgets: () => void;
  private readonly stopHearingResubscribes: () => void;

  constructor(private readonly parts: PersonalizerParts) {
    this.current = parts.rules;
    this.context = this.contextOf(parts.rules);
    this.recent = new RecentProfiles({
      maxProfiles: parts.recentProfiles,
      maxBytes: RECENT_PROFILES_BYTES,
      maxAgeMs: RECENT_PROFILE_MAX_AGE_MS,
      maxEntries: RECENT_PROFILE_MAX_ENTRIES,
      isListened: (profileId) => parts.bus.isSubscribed(profileId),
    });
    this.stopHearingForgets = parts.bus.onBroadcast(FORGOTTEN_TOPIC, (payload) => {
      const profileId = (payload as { profileId?: unknown } | null)?.profileId;
      if (typeof profileId === 'string') this.recent.forget(profileId);
    });
    // A forget announced while the bus was away was missed: every copy goes (they are only hints).
    this.stopHearingResubscribes = parts.bus.onResubscribed(() => this.recent.clear());
    this.poller = new DuePoller({
      dueSet: parts.dueSet,
      clock: parts.clock,
      pollIntervalMs: parts.pollIntervalMs,
      leaseMs: parts.leaseMs,
      claimLimit: 100,
      retry: parts.dueRetry,
      reevaluate: (profileId) => this.reevaluateDue(profileId),
      logger: parts.logger,
      observer: parts.observer,
    });
  }

  /** The profile store behind this facade (for tools and tests; callers use the facade). */
  get store(): ProfileStore {
    return this.parts.store;
  }

  get rules(): CompiledRuleSet {
    return this.current;
  }

  setRules(source: RuleSetSource): CompiledRuleSet {
    const rules = this.parts.compile(source);
    if (rules.version === this.current.version) return this.current;
    this.current = rules;
    this.context = this.contextOf(rules);
    this.recent.clear();
    for (const listener of [...this.rulesListeners]) {
      try {
        listener(rules);
      } catch (error) {
        this.parts.logger.error('personalize: rules listener failed', error);
      }
    }
    // Profiles someone here listens to are re-evaluated now; every other one on its next touch.
    void this.reevaluateListened();
    return rules;
  }

  async track(profileId: string, events: VisitorEvent[]): Promise<TrackOutcome> {
    assertProfileId(profileId);
    if (!Array.isArray(events)) throw new TypeError('events must be an array');
    events.forEach(assertEvent);
    const rules = this.current;
    const routed = events.map((event) => ({ event, entries: rules.route(event) }));
    const context = this.storeContext();
    const { proposal, scheduleAt } = this.propose(profileId, routed, context);
    const result = await this.afterSchedule(profileId, scheduleAt, () =>
      this.parts.store.ingest(profileId, routed, context, proposal),
    );
    const outcome: TrackOutcome = {
      profileId: result.profile.id,
      accepted: result.accepted,
      duplicates: result.duplicates,
      change: null,
    };
    if (result.withheld > 0) outcome.withheld = result.withheld;
    if (result.proposalCommitted && proposal?.outcome.change) {
      outcome.change = proposal.outcome.change;
      this.parts.observer.onMembershipChange?.(outcome.change);
    }
    if (result.accepted > 0 || (result.profile.exists && result.profile.rulesVersion !== rules.version)) {
      // After a committed proposal this finds nothing to write, unless time moved a window meanwhile.
      outcome.change = (await this.settle(result.profile, 'event')).change ?? outcome.change;
    } else {
      this.recent.remember(result.profile, context.now);
    }
    return outcome;
  }

  /**
   * The outcome of `events` evaluated on the profile they are expected to produce (from this
   * process's copy of it, or a new profile when there is none), for `ingest` to write in the same
   * round trip, with the due time to schedule first (as `settle` does; a schedule whose proposal
   * is not written only makes the poller look early). None when the outcome cannot be predicted
   * or announces nothing, and for a profile nobody listens to here: no push waits on its round
   * trips, and most such events come from returning visitors, whom a guess of "new" would miss.
   */
  private propose(
    profileId: string,
    events: RoutedEvent[],
    context: StoreContext,
  ): { proposal?: IngestProposal; scheduleAt: EpochMs | null } {
    const none = { scheduleAt: null };
    if (!this.parts.bus.isSubscribed(profileId)) return none;
    const base = this.recent.get(profileId, context.now) ?? emptyRecord(profileId);
    if (base.exists && base.rulesVersion !== this.current.version) return none;
    const predicted = predictIngest(base, events, context);
    if (!predicted) return none;
    const { outcome, scheduleAt } = this.plan(predicted, 'event', false);
    if (!outcome?.change) return none;
    const expected = base.exists ? { firstSeenAt: base.firstSeenAt!, version: base.version } : 'new';
    return { proposal: { expected, outcome }, scheduleAt };
  }

  async getProfile(profileId: string): Promise<ProfileView> {
    const record = await this.parts.store.load(profileId, this.storeContext());
    return this.storedView(record, (read) => this.causeFor(read, 'time'));
  }

  async identify(
    callerId: string,
    userId: string,
    serverTraits: JsonObject = {},
    clientTraits?: JsonObject,
  ): Promise<Identification> {
    assertProfileId(callerId, 'caller id');
    assertJsonObject(serverTraits, 'traits');
    assertServerTraits(serverTraits);
    if (clientTraits !== undefined) assertJsonObject(clientTraits, 'clientTraits');
    // Each identify's browser-sent traits replace the previous ones, as one reserved trait.
    const traits =
      clientTraits === undefined ? serverTraits : { ...serverTraits, [CLIENT_TRAITS_KEY]: clientTraits };
    const userProfile = userProfileId(userId);
    const context = this.storeContext();
    // Only an anonymous profile is ever merged. A caller whose id already is (or, through an
    // alias, resolves to) a user's profile is that user's device: identifying as another user
    // (a shared computer) leaves the first user's profile, aliases and devices untouched, and
    // only the second user's profile is read and given the traits.
    const anonymous = !isUserProfileId(callerId);
    // Order matters for crash safety: absorb (idempotent), then retire (alias + delete, only if
    // no event arrived since the export), then announce. A retry after a crash, or after events
    // raced the merge, repeats harmless steps and counts nothing twice.
    let source: ProfileExport | null = null;
    let resolvedFrom = callerId;
    let merged = false;
    let record: ProfileRecord | undefined;
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS && !record; attempt += 1) {
      source = anonymous ? await this.parts.store.exportProfile(callerId, context) : null;
      resolvedFrom = source?.id ?? callerId;
      const mergeable = anonymous && !(source && ownedByUser(source));
      merged = mergeable;
      if (!mergeable) source = null; // identify only sets traits
      const absorbed = await this.parts.store.absorb(userProfile, userId, source, traits, context);
      // Even an id with nothing stored becomes an alias: its later events go to the user.
      const retired = mergeable ? (source?.id ?? callerId) : null;
      if (
        retired === null ||
        (await this.parts.store.retire(retired, userProfile, source?.record.version ?? 0))
      ) {
        if (retired !== null)
          await Promise.all([this.parts.dueSet.remove(retired), this.dropCopies(retired)]);
        record = absorbed;
      }
    }
    if (!record) throw new Error('the anonymous profile kept receiving events during the merge; try again');
    const view = await this.storedView(record, () => 'merge');
    if (source) {
      await this.parts.bus.publishChange({
        profileId: source.id,
        entered: [],
        exited: [],
        segments: view.segments,
        reasons: {},
        cause: 'merge',
        at: context.now,
        mergedInto: userProfile,
      });
    }
    return { profile: view, merged, resolvedFrom };
  }

  async setTraits(profileId: string, traits: JsonObject): Promise<ProfileView> {
    assertJsonObject(traits, 'traits');
    assertServerTraits(traits);
    const record = await this.parts.store.setTraits(profileId, traits, this.storeContext());
    return this.storedView(record, () => 'traits');
  }

  async setUserTraits(userId: string, traits: JsonObject): Promise<ProfileView> {
    assertJsonObject(traits, 'traits');
    assertServerTraits(traits);
    const record = await this.parts.store.absorb(
      userProfileId(userId),
      userId,
      null,
      traits,
      this.storeContext(),
    );
    return this.storedView(record, () => 'traits');
  }

  async setConsent(profileId: string, consent: Consent): Promise<ProfileView> {
    if (typeof consent?.behavioral !== 'boolean') throw new TypeError('consent.behavioral must be a boolean');
    const record = await this.parts.store.setConsent(profileId, consent, this.storeContext());
    // The events were dropped: so are the copies other processes keep of them.
    if (!consent.behavioral) await this.dropCopies(record.id);
    return this.storedView(record, () => 'consent');
  }

  async forget(profileId: string): Promise<void> {
    const erased = await this.parts.store.erase(profileId);
    await this.dropCopies(profileId, erased.id);
    await this.parts.dueSet.remove(erased.id);
    const exited = Object.keys(erased.memberships);
    if (exited.length === 0) return;
    this.parts.observer.onMembershipChange?.({ entered: [], exited });
    await this.parts.bus.publishChange({
      profileId: erased.id,
      entered: [],
      exited,
      segments: [],
      reasons: {},
      cause: 'forget',
      at: this.parts.clock.now(),
    });
  }

  async useOnce(nonce: string, until: EpochMs): Promise<boolean> {
    if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > 256 || /[\s{}]/.test(nonce))
      throw new TypeError('nonce must be 1-256 characters without whitespace or braces');
    if (!Number.isFinite(until)) throw new TypeError('until must be a time (epoch ms)');
    return this.parts.store.useOnce(nonce, until);
  }

  /**
   * Members of each segment of the rules in force, from the stored memberships of live profiles.
   * A disabled segment has none (whatever profiles not re-evaluated since still store); a
   * segment the rules no longer have is not reported.
   */
  async countMembers(): Promise<Record<string, number>> {
    const segments = this.current.segments;
    const enabled = segments.filter((segment) => segment.enabled).map((segment) => segment.key);
    const counted = await this.parts.store.countMembers(enabled, this.parts.clock.now());
    return Object.fromEntries(
      segments.map((segment) => [segment.key, segment.enabled ? (counted[segment.key] ?? 0) : 0]),
    );
  }

  subscribe(profileId: string, listener: (change: SegmentChange) => void): Unsubscribe {
    assertProfileId(profileId);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    return this.parts.bus.subscribe(profileId, listener);
  }

  onRulesChanged(listener: (rules: CompiledRuleSet) => void): () => void {
    this.rulesListeners.add(listener);
    return () => void this.rulesListeners.delete(listener);
  }

  async broadcast(topic: string, payload: JsonValue): Promise<void> {
    assertTopic(topic);
    await this.parts.bus.broadcast(topic, payload);
  }

  onBroadcast(topic: string, listener: (payload: JsonValue) => void): () => void {
    assertTopic(topic);
    return this.parts.bus.onBroadcast(topic, listener);
  }

  onResubscribed(listener: () => void): () => void {
    return this.parts.bus.onResubscribed(listener);
  }

  async ping(): Promise<void> {
    await this.parts.ping?.();
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('personalizer is closed');
    this.poller.start();
    await this.parts.clockSkew?.start();
    this.memberIndexSweep ??= setInterval(() => {
      this.countMembers().catch((error: unknown) =>
        this.parts.logger.warn(`personalize: sweeping the membership index failed: ${String(error)}`),
      );
    }, MEMBER_INDEX_SWEEP_MS).unref();
    this.recentSweep ??= setInterval(
      () => this.recent.sweep(this.parts.clock.now()),
      RECENT_PROFILE_SWEEP_MS,
    ).unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.memberIndexSweep);
    clearInterval(this.recentSweep);
    this.parts.clockSkew?.stop();
    this.stopHearingForgets();
    this.stopHearingResubscribes();
    this.recent.clear();
    await this.poller.stop();
    await this.parts.bus.close();
    await this.parts.store.close();
    await this.parts.onClose?.();
  }

  /**
   * Evaluates a record and writes what changed (see `plan`), announcing the change in the same
   * atomic step; remembers what is then stored as this process's copy of the profile.
   */
  private async settle(record: ProfileRecord, cause: ChangeCause, force = false): Promise<Settled> {
    const { decision, outcome, scheduleAt } = this.plan(record, cause, force);
    const now = this.parts.clock.now();
    if (!outcome) {
      this.recent.remember(record, now);
      return { decision, change: null, raced: false };
    }
    const written = await this.afterSchedule(record.id, scheduleAt, () =>
      this.parts.store.commit(record.id, { expectedVersion: record.version, ...outcome }),
    );
    const { change } = outcome;
    if (!written) {
      this.recent.forget(record.id);
      return { decision, change: null, raced: true };
    }
    // Counted here, where the change is committed: once per cluster, not once per listener.
    if (change) this.parts.observer.onMembershipChange?.(change);
    const { rulesVersion, memberships, dueAt } = outcome;
    this.recent.remember(
      withFields(record, { version: record.version + 1, rulesVersion, memberships, dueAt }),
      now,
    );
    return { decision, change, raced: false };
  }

  /**
   * Evaluates a record and says what to write: memberships (with the change to announce), the
   * rules version, and the due time when it moves earlier. Nothing when none of these changed,
   * unless `force`: the due-set poller needs its claim's outcome recorded under the version check
   * (see `engine/time/due-set.ts`).
   */
  private plan(record: ProfileRecord, cause: ChangeCause, force: boolean): Plan {
    const rules = this.current;
    const now = this.parts.clock.now();
    const started = performance.now();
    const decision = decide(record, rules, now);
    this.parts.observer.onEvaluate?.(performance.now() - started);
    const changed = decision.entered.length > 0 || decision.exited.length > 0;
    const next = decision.nextChangeAt;
    // A stored due time already past is no promise of a re-check any more: the poller may have
    // given up on the profile (`dueRetry`), so a touch schedules its next change again.
    const earlier = next !== null && (record.dueAt === null || record.dueAt <= now || next < record.dueAt);
    if (!record.exists || (!changed && !earlier && !force && record.rulesVersion === rules.version)) {
      return { decision, outcome: null, scheduleAt: null };
    }
    const change: SegmentChange | null = changed
      ? {
          profileId: record.id,
          entered: decision.entered,
          exited: decision.exited,
          segments: decision.segments,
          reasons: decision.reasons,
          cause,
          at: now,
        }
      : null;
    return {
      decision,
      outcome: {
        rulesVersion: rules.version,
        memberships: decision.memberships,
        dueAt: earlier || force ? next : record.dueAt,
        change,
      },
      scheduleAt: earlier ? next : null,
    };
  }

  /**
   * Runs `write` after putting `at` (if any) on the due-set, so that if this process dies in
   * between the entry still fires. On one connection Redis runs commands in the order sent, so
   * there both go out together without waiting for the schedule's reply.
   */
  private async afterSchedule<T>(profileId: string, at: EpochMs | null, write: () => Promise<T>): Promise<T> {
    if (at === null) return write();
    this.poller.wake(at);
    const { dueSet, sendTogether } = this.parts;
    if (!sendTogether) {
      await dueSet.schedule(profileId, at);
      return write();
    }
    const [scheduled, written] = sendTogether(() => [dueSet.schedule(profileId, at), write()] as const);
    // Awaited together: if the write fails (Redis gone), the schedule's failure is handled too,
    // not left as an unhandled rejection that would end the process.
    return (await Promise.all([written, scheduled]))[0];
  }

  /** Drops this and every other process's copy of these profiles (`RecentProfiles`). */
  private async dropCopies(...profileIds: string[]): Promise<void> {
    for (const profileId of new Set(profileIds)) {
      this.recent.forget(profileId);
      await this.parts.bus.broadcast(FORGOTTEN_TOPIC, { profileId });
    }
  }

  /**
   * Settles a record just read or written and returns the profile as stored. When a concurrent
   * write wins the commit, this evaluation's outcome was not stored (its entry times in
   * particular differ from the winner's), so the profile is read and settled again: a caller
   * holding the view (a subscription's catch-up) must recognise the winner's change as the state
   * it already has, not as a new one.
   */
  private async storedView(
    record: ProfileRecord,
    causeOf: (record: ProfileRecord) => ChangeCause,
  ): Promise<ProfileView> {
    let current = record;
    for (let attempt = 1; ; attempt += 1) {
      const settled = await this.settle(current, causeOf(current));
      if (!settled.raced || attempt >= MAX_READ_ATTEMPTS) {
        return profileView(current, settled.decision, this.current);
      }
      current = await this.parts.store.load(current.id, this.storeContext());
    }
  }

  /** Re-evaluates every profile with a listener here, a bounded number at a time. */
  private async reevaluateListened(): Promise<void> {
    const profiles = this.parts.bus.subscribedProfiles();
    for (let start = 0; start < profiles.length && !this.closed; start += RULES_REEVALUATION_BATCH) {
      const batch = profiles.slice(start, start + RULES_REEVALUATION_BATCH);
      const results = await Promise.allSettled(batch.map((profileId) => this.reevaluate(profileId, 'rules')));
      if (results.some((result) => result.status === 'rejected')) {
        this.parts.logger.error('personalize: re-evaluation after a rules change failed for some profiles');
      }
    }
  }

  /** Loads and settles a profile (rules changes, due times). */
  private async reevaluate(profileId: string, cause: ChangeCause): Promise<Settled> {
    const record = await this.parts.store.load(profileId, this.storeContext());
    return this.settle(record, this.causeFor(record, cause));
  }

  /** The due-set poller's step: returns the profile's next due time. */
  private async reevaluateDue(profileId: string): Promise<EpochMs | null> {
    for (let attempt = 0; attempt < MAX_TIME_ATTEMPTS; attempt += 1) {
      const record = await this.parts.store.load(profileId, this.storeContext());
      // Gone (expired, erased) or merged into another profile, which has its own entry.
      if (!record.exists || record.id !== profileId) return null;
      const settled = await this.settle(record, this.causeFor(record, 'time'), true);
      // Forced: anything but a lost race was written.
      if (!settled.raced) return settled.decision.nextChangeAt;
    }
    // Busy profile: every attempt lost to a fresher write. Look again shortly.
    return this.parts.clock.now() + this.parts.pollIntervalMs;
  }

  private causeFor(record: ProfileRecord, otherwise: ChangeCause): ChangeCause {
    return record.exists && record.rulesVersion !== this.current.version ? 'rules' : otherwise;
  }

  private contextOf(rules: CompiledRuleSet): Omit<StoreContext, 'now'> {
    const limits = this.parts.profileLimits;
    return {
      rulesVersion: rules.version,
      streams: rules.streams,
      dedupeWindowMs: Math.max(this.parts.dedupeWindowMs, rules.maxRetentionMs),
      maxEntriesPerStream: this.parts.maxEntriesPerStream,
      contextPolicy: new ContextPolicy(
        [...rules.contextPaths, ...limits.contextAllowance],
        limits.maxContextValueBytes,
      ),
      limits,
    };
  }

  private storeContext(): StoreContext {
    return { ...this.context, now: this.parts.clock.now() };
  }
}

function assertEvent(event: VisitorEvent, index: number): void {
  const where = `events[${index}]`;
  if (typeof event !== 'object' || event === null) throw new TypeError(`${where} must be an object`);
  if (typeof event.id !== 'string' || event.id.length === 0)
    throw new TypeError(`${where}.id must be a non-empty string`);
  if (typeof event.type !== 'string' || event.type.length === 0)
    throw new TypeError(`${where}.type must be a non-empty string`);
  if (!Number.isSafeInteger(event.timestamp) || event.timestamp < 0) {
    throw new TypeError(`${where}.timestamp must be a non-negative integer (epoch ms)`);
  }
  assertJsonObject(event.properties, `${where}.properties`);
  assertJsonObject(event.context, `${where}.context`);
}

/** Whether an exported profile is (or an alias led to) a user's profile rather than an anonymous one. */
function ownedByUser(source: ProfileExport): boolean {
  return isUserProfileId(source.id) || source.record.userId !== null;
}

function assertJsonObject(value: unknown, what: string): asserts value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${what} must be an object`);
}

function assertTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0)
    throw new TypeError('topic must be a non-empty string');
}
