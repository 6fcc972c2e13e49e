/**
 * The `Personalizer` facade: ties the profile store, the rules, the due-set poller and the change
 * bus together, checks its arguments (checks.ts) and hands each call to the part that does it:
 * the write protocol (write-protocol.ts: every path ends in `settle`), identify (merge.ts), the
 * recent-profile fast path (fast-path.ts), the timers (the due-set poller, the clock-skew check,
 * member-index-sweep.ts). Built by `assemblePersonalizer` (assemble.ts).
 */
import type { ChangeBus, Unsubscribe } from './bus/types';
import { assertEvent, assertJsonObject, assertNonce, assertTopic } from './checks';
import { RecentProfileFastPath } from './fast-path';
import { startMemberIndexSweep } from './member-index-sweep';
import { identify } from './merge';
import { assertServerTraits } from './store/traits';
import { assertProfileId, userProfileId } from './store/profile-id';
import { ContextPolicy, type ProfileLimits } from './store/limits';
import type { ProfileRecord, ProfileStore, StoreContext } from './store/types';
import type { ClockSkewMonitor } from './time/clock-skew';
import type { DueRetryPolicy, DueSet } from './time/due-set';
import { DuePoller } from './time/poller';
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
import { WriteProtocol, type Settled } from './write-protocol';

/** How many listened profiles are re-evaluated at once after a rules change. */
const RULES_REEVALUATION_BATCH = 100;

/** How often the time path retries an evaluation that lost to a concurrent write. */
const MAX_TIME_ATTEMPTS = 5;

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
  /** Asks the remote store whether it answers (the embedded store: nothing remote, resolves at once). */
  ping: () => Promise<void>;
  /** Compares this process's clock with the shared store's (absent: one process, one clock). */
  clockSkew?: ClockSkewMonitor;
}

export class PersonalizerEngine implements Personalizer {
  private current: CompiledRuleSet;
  private storeContextBase: Omit<StoreContext, 'now'>;
  private readonly rulesListeners = new Set<(rules: CompiledRuleSet) => void>();
  private readonly poller: DuePoller;
  private closed = false;
  private memberIndexSweep: NodeJS.Timeout | undefined;
  private readonly fastPath: RecentProfileFastPath;
  private readonly protocol: WriteProtocol;

  constructor(private readonly parts: PersonalizerParts) {
    this.current = parts.rules;
    this.storeContextBase = this.contextOf(parts.rules);
    this.fastPath = new RecentProfileFastPath({
      bus: parts.bus,
      clock: parts.clock,
      maxProfiles: parts.recentProfiles,
      rules: () => this.current,
      plan: (record, cause, force) => this.protocol.plan(record, cause, force),
    });
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
    this.protocol = new WriteProtocol({
      store: parts.store,
      dueSet: parts.dueSet,
      sendTogether: parts.sendTogether,
      clock: parts.clock,
      observer: parts.observer,
      rules: () => this.current,
      storeContext: () => this.storeContext(),
      wake: (at) => this.poller.wake(at),
      copies: this.fastPath,
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
    this.storeContextBase = this.contextOf(rules);
    this.fastPath.clear();
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
    const { proposal, scheduleAt } = this.fastPath.propose(profileId, routed, context);
    const result = await this.protocol.afterSchedule(profileId, scheduleAt, () =>
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
      outcome.change = (await this.protocol.settle(result.profile, 'event')).change ?? outcome.change;
    } else {
      this.fastPath.remember(result.profile, context.now);
    }
    return outcome;
  }

  async getProfile(profileId: string): Promise<ProfileView> {
    const record = await this.parts.store.load(profileId, this.storeContext());
    return this.protocol.storedView(record, (read) => this.causeFor(read, 'time'));
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
    const merging = {
      store: this.parts.store,
      dueSet: this.parts.dueSet,
      bus: this.parts.bus,
      storedView: this.protocol.storedView.bind(this.protocol),
      dropCopies: this.fastPath.dropCopies.bind(this.fastPath),
    };
    return identify(merging, this.storeContext(), callerId, userId, serverTraits, clientTraits);
  }

  async setTraits(profileId: string, traits: JsonObject): Promise<ProfileView> {
    assertJsonObject(traits, 'traits');
    assertServerTraits(traits);
    const record = await this.parts.store.setTraits(profileId, traits, this.storeContext());
    return this.protocol.storedView(record, () => 'traits');
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
    return this.protocol.storedView(record, () => 'traits');
  }

  async setConsent(profileId: string, consent: Consent): Promise<ProfileView> {
    if (typeof consent?.behavioral !== 'boolean') throw new TypeError('consent.behavioral must be a boolean');
    const record = await this.parts.store.setConsent(profileId, consent, this.storeContext());
    // The events were dropped: so are the copies other processes keep of them.
    if (!consent.behavioral) await this.fastPath.dropCopies(record.id);
    return this.protocol.storedView(record, () => 'consent');
  }

  async forget(profileId: string): Promise<void> {
    const erased = await this.parts.store.erase(profileId);
    await this.fastPath.dropCopies(profileId, erased.id);
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
    assertNonce(nonce, until);
    return this.parts.store.useOnce(nonce, until);
  }

  /**
   * Members of each segment of the rules in force, from the stored memberships of live profiles.
   * A disabled segment has none (whatever profiles not re-evaluated since still store); a
   * segment the rules no longer have is not reported. Counting also sweeps the membership index
   * (see member-index-sweep.ts).
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
    await this.parts.ping();
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('personalizer is closed');
    this.poller.start();
    await this.parts.clockSkew?.start();
    this.memberIndexSweep ??= startMemberIndexSweep(() => this.countMembers(), this.parts.logger);
    this.fastPath.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.memberIndexSweep);
    this.parts.clockSkew?.stop();
    this.fastPath.close();
    await this.poller.stop();
    await this.parts.bus.close();
    await this.parts.store.close();
    await this.parts.onClose?.();
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
    return this.protocol.settle(record, this.causeFor(record, cause));
  }

  /** The due-set poller's step: returns the profile's next due time. */
  private async reevaluateDue(profileId: string): Promise<EpochMs | null> {
    for (let attempt = 0; attempt < MAX_TIME_ATTEMPTS; attempt += 1) {
      const record = await this.parts.store.load(profileId, this.storeContext());
      // Gone (expired, erased) or merged into another profile, which has its own entry.
      if (!record.exists || record.id !== profileId) return null;
      const settled = await this.protocol.settle(record, this.causeFor(record, 'time'), true);
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
    return { ...this.storeContextBase, now: this.parts.clock.now() };
  }
}
