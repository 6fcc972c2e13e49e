/**
 * The embedded profile store: the same semantics as the Redis store, in this process's memory,
 * for running without Redis (a demo, a single small instance, tests of the layers above).
 * Nothing survives a restart and nothing is shared between processes.
 *
 * Each method body runs synchronously, so every operation is atomic like a Lua script; the
 * methods are `async` only to keep the `ProfileStore` contract.
 *
 * Bounded: at most `maxProfiles` profiles (and as many aliases). Creating one more evicts the
 * least recently written anonymous profile, or, when only users are left, the least recently
 * written user (the embedded store keeps nothing across a restart anyway: an evicted profile is
 * what every profile is after one). An eviction is like an expiry: nothing is announced, and
 * `onEvict` lets the caller drop what it keeps about the profile (its due-set entry).
 */
import type { Clock, Consent, EpochMs, JsonObject, MembershipState, SegmentChange } from '../../types';
import { assertProfileId, refuseReplacedWrite } from '../profile-id';
import { traitLimitExceeded, traitsSize, type ContextPolicy } from '../limits';
import { assertEventId, emptyRecord, streamFactsFromPairs, streamMember } from '../record';
import type {
  CommitRequest,
  EraseResult,
  IngestProposal,
  IngestResult,
  ProfileExport,
  ProfileRecord,
  ProfileStore,
  RoutedEvent,
  StoreContext,
} from '../types';

const MAX_ALIAS_HOPS = 8;
const SWEEP_INTERVAL_MS = 60_000;
/**
 * Most single-use nonces remembered at once (`useOnce`). Identity assertions live at most minutes,
 * so this is over a hundred sign-ins a second for ten minutes; beyond it new nonces are refused.
 */
export const MAX_NONCES = 100_000;

interface StoredProfile {
  id: string;
  version: number;
  rulesVersion: string | null;
  memberships: Map<string, MembershipState>;
  dueAt: EpochMs | null;
  traits: JsonObject;
  context: JsonObject;
  contextAt: EpochMs | null;
  /** The `ContextPolicy.fingerprint` the context was last pruned with. */
  contextFingerprint: string | null;
  behavioral: boolean;
  userId: string | null;
  firstSeenAt: EpochMs;
  seen: Map<string, EpochMs>;
  /** Per stream id: member (`<eventId>` or `<eventId>\x1f<value>`) -> timestamp. */
  streams: Map<string, Map<string, EpochMs>>;
  firstLast: Map<string, [EpochMs, EpochMs]>;
  aliases: Set<string>;
  expiresAt: EpochMs | null;
}

interface AliasEntry {
  target: string;
  expiresAt: EpochMs | null;
}

export interface MemoryProfileStoreOptions {
  clock: Clock;
  anonymousTtlMs: number;
  userTtlMs: number;
  /** Receives each committed change (the in-process change bus). */
  publish(change: SegmentChange): void;
  /** Most profiles held, and most aliases (default `DEFAULT_MAX_PROFILES`). */
  maxProfiles?: number;
  /** Told the id of each profile evicted to make room (not of expired or erased ones). */
  onEvict?(profileId: string): void;
}

/** Profiles the embedded store holds at most, by default. */
export const DEFAULT_MAX_PROFILES = 100_000;

export class MemoryProfileStore implements ProfileStore {
  readonly kind = 'memory';
  private readonly profiles = new Map<string, StoredProfile>();
  private readonly aliasOf = new Map<string, AliasEntry>();
  /** Anonymous and user profile ids, least recently written first (the eviction order). */
  private readonly anonymousByWrite = new Set<string>();
  private readonly usersByWrite = new Set<string>();
  private readonly maxProfiles: number;
  /** Used nonces -> until when they are remembered (at most `MAX_NONCES`). */
  private readonly nonces = new Map<string, EpochMs>();

  /** Drops expired profiles nobody touches any more (reads drop them lazily too). */
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: MemoryProfileStoreOptions) {
    this.maxProfiles = options.maxProfiles ?? DEFAULT_MAX_PROFILES;
    if (!Number.isSafeInteger(this.maxProfiles) || this.maxProfiles < 1)
      throw new TypeError('maxProfiles must be a positive integer');
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  async ingest(
    profileId: string,
    events: RoutedEvent[],
    context: StoreContext,
    proposal?: IngestProposal,
  ): Promise<IngestResult> {
    const streamIds = new Set(context.streams.map((stream) => stream.id));
    // Every event is checked before any is stored: a bad batch stores nothing.
    for (const { event, entries } of events) {
      assertEventId(event.id);
      for (const entry of entries) {
        if (!streamIds.has(entry.stream)) throw new Error(`event routed to unknown stream '${entry.stream}'`);
      }
    }
    const id = this.resolve(profileId);
    refuseReplacedWrite(profileId, id);
    const { now } = context;
    let profile = this.get(id);
    const result = { accepted: 0, duplicates: 0, withheld: 0, proposalCommitted: false };
    if (profile && !profile.behavioral) {
      result.withheld = events.length;
      return { ...result, profile: this.record(id, profile, context) };
    }
    const asExpected = proposal !== undefined && id === profileId && this.isAsExpected(profile, proposal);
    const dedupe = Math.max(context.dedupeWindowMs, ...context.streams.map((s) => s.retentionMs));
    if (profile) trim(profile.seen, now - dedupe);
    const policy = context.contextPolicy;
    for (const { event, entries } of events) {
      profile ??= this.create(id, now, context.rulesVersion);
      if (profile.seen.has(event.id)) {
        result.duplicates += 1;
        continue;
      }
      result.accepted += 1;
      profile.seen.set(event.id, event.timestamp);
      for (const entry of entries) {
        let stream = profile.streams.get(entry.stream);
        if (!stream) profile.streams.set(entry.stream, (stream = new Map()));
        stream.set(streamMember(event.id, entry.value), event.timestamp);
        const known = profile.firstLast.get(entry.stream);
        profile.firstLast.set(
          entry.stream,
          known
            ? [Math.min(known[0], event.timestamp), Math.max(known[1], event.timestamp)]
            : [event.timestamp, event.timestamp],
        );
      }
      if (event.timestamp >= (profile.contextAt ?? -1)) {
        policy.apply(profile.context, event.context);
        profile.contextAt = event.timestamp;
      }
    }
    if (profile && result.accepted > 0) {
      pruneContext(profile, policy);
      keepNewest(profile.seen, context.limits.maxSeenIds);
      profile.version += 1;
      for (const spec of context.streams) {
        const stream = profile.streams.get(spec.id);
        if (stream) {
          trim(stream, now - spec.retentionMs);
          keepNewest(stream, context.maxEntriesPerStream);
        }
      }
      this.touch(profile, now);
      if (asExpected && result.accepted === events.length) {
        result.proposalCommitted = this.writeOutcome(profile, proposal.outcome);
      }
    }
    return { ...result, profile: profile ? this.record(id, profile, context) : emptyRecord(id) };
  }

  async load(profileId: string, context: StoreContext): Promise<ProfileRecord> {
    const id = this.resolve(profileId);
    const profile = this.get(id);
    return profile ? this.record(id, profile, context) : emptyRecord(id);
  }

  async commit(profileId: string, request: CommitRequest): Promise<boolean> {
    assertProfileId(profileId);
    const profile = this.get(profileId);
    if (!profile || profile.version !== request.expectedVersion) return false;
    return this.writeOutcome(profile, request);
  }

  /** Whether a proposal's expected profile is the one stored (see `IngestProposal.expected`). */
  private isAsExpected(profile: StoredProfile | undefined, proposal: IngestProposal): boolean {
    const { expected } = proposal;
    if (expected === 'new') return profile === undefined;
    return profile?.firstSeenAt === expected.firstSeenAt && profile.version === expected.version;
  }

  /** Writes an evaluation's outcome on a profile whose version the caller checked. */
  private writeOutcome(profile: StoredProfile, outcome: IngestProposal['outcome']): true {
    profile.version += 1;
    profile.rulesVersion = outcome.rulesVersion;
    profile.dueAt = outcome.dueAt;
    profile.memberships = new Map(Object.entries(outcome.memberships));
    this.touch(profile, this.options.clock.now());
    const change = outcome.change;
    if (change) queueMicrotask(() => this.options.publish(change));
    return true;
  }

  async setTraits(profileId: string, traits: JsonObject, context: StoreContext): Promise<ProfileRecord> {
    const id = this.resolve(profileId);
    const existing = this.get(id);
    const updated = applyTraits(existing?.traits ?? {}, traits);
    const refused = traitLimitExceeded(
      traitsSize(existing?.traits ?? {}),
      traitsSize(updated),
      context.limits,
    );
    if (refused) throw refused;
    const profile = existing ?? this.create(id, context.now);
    profile.traits = updated;
    profile.version += 1;
    this.touch(profile, context.now);
    return this.record(id, profile, context);
  }

  async setConsent(profileId: string, consent: Consent, context: StoreContext): Promise<ProfileRecord> {
    const id = this.resolve(profileId);
    const profile = this.get(id) ?? this.create(id, context.now);
    profile.behavioral = consent.behavioral;
    if (!consent.behavioral) {
      profile.seen.clear();
      profile.streams.clear();
      profile.firstLast.clear();
      profile.context = {};
      profile.contextAt = null;
    }
    profile.version += 1;
    this.touch(profile, context.now);
    return this.record(id, profile, context);
  }

  async exportProfile(profileId: string, context: StoreContext): Promise<ProfileExport | null> {
    const id = this.resolve(profileId);
    const profile = this.get(id);
    if (!profile) return null;
    return {
      id,
      record: this.record(id, profile, context),
      seen: [...profile.seen],
      entries: Object.fromEntries([...profile.streams].map(([stream, members]) => [stream, [...members]])),
      firstLast: Object.fromEntries(profile.firstLast),
      aliases: [...profile.aliases],
      contextAt: profile.contextAt,
    };
  }

  async absorb(
    userProfileId: string,
    userId: string,
    source: ProfileExport | null,
    traits: JsonObject,
    context: StoreContext,
  ): Promise<ProfileRecord> {
    assertProfileId(userProfileId);
    const existing = this.get(userProfileId);
    // Checked before anything is written: the call's own traits must fit beside the user's.
    const before = existing?.traits ?? {};
    const own = applyTraits(before, traits);
    const refused = traitLimitExceeded(traitsSize(before), traitsSize(own), context.limits);
    if (refused) throw refused;
    const profile = existing ?? this.create(userProfileId, context.now);
    if (source) {
      const from = source.record;
      if (!existing) profile.behavioral = from.consent.behavioral;
      if (profile.behavioral) {
        for (const [eventId, at] of source.seen)
          if (!profile.seen.has(eventId)) profile.seen.set(eventId, at);
        keepNewest(profile.seen, context.limits.maxSeenIds);
        for (const [streamId, list] of Object.entries(source.entries)) {
          let stream = profile.streams.get(streamId);
          if (!stream) profile.streams.set(streamId, (stream = new Map()));
          for (const [member, at] of list) stream.set(member, at);
        }
        for (const [streamId, [first, last]] of Object.entries(source.firstLast)) {
          const known = profile.firstLast.get(streamId);
          profile.firstLast.set(
            streamId,
            known ? [Math.min(known[0], first), Math.max(known[1], last)] : [first, last],
          );
        }
        if (source.contextAt !== null && source.contextAt > (profile.contextAt ?? -1)) {
          for (const [key, value] of Object.entries(from.context))
            if (context.contextPolicy.keeps(key)) profile.context[key] = structuredClone(value);
          profile.contextAt = source.contextAt;
        }
      }
      // The merged profile's traits come along only if they all fit beside the user's own.
      const merged = { ...own };
      for (const [key, value] of Object.entries(from.traits))
        if (!Object.hasOwn(before, key) && !Object.hasOwn(traits, key)) merged[key] = structuredClone(value);
      if (!traitLimitExceeded(traitsSize(own), traitsSize(merged), context.limits)) profile.traits = merged;
      else profile.traits = own;
      for (const [key, state] of Object.entries(from.memberships)) {
        const mine = profile.memberships.get(key);
        if (!mine || state.since < mine.since) profile.memberships.set(key, { since: state.since });
      }
      if (from.firstSeenAt !== undefined)
        profile.firstSeenAt = Math.min(profile.firstSeenAt, from.firstSeenAt);
      for (const alias of [...source.aliases, source.id]) profile.aliases.add(alias);
    } else {
      profile.traits = own;
    }
    profile.userId = userId;
    profile.version += 1;
    this.touch(profile, context.now);
    return this.record(userProfileId, profile, context);
  }

  async retire(profileId: string, intoId: string, expectedVersion: number): Promise<boolean> {
    assertProfileId(profileId);
    if ((this.get(profileId)?.version ?? 0) !== expectedVersion) return false;
    this.drop(profileId);
    // Erasing the target must delete this alias too, even when this id never stored anything.
    this.get(intoId)?.aliases.add(profileId);
    const ttl = this.options.anonymousTtlMs;
    // Aliases are bounded like profiles: the oldest (the first to expire) makes room. Its device
    // then starts a new anonymous profile, as after the alias's expiry.
    this.aliasOf.delete(profileId);
    if (this.aliasOf.size >= this.maxProfiles) {
      const oldest = this.aliasOf.keys().next();
      if (!oldest.done) this.aliasOf.delete(oldest.value);
    }
    this.aliasOf.set(profileId, {
      target: intoId,
      expiresAt: ttl > 0 ? this.options.clock.now() + ttl : null,
    });
    return true;
  }

  async erase(profileId: string): Promise<EraseResult> {
    const id = this.resolve(profileId);
    const profile = this.get(id);
    this.drop(id);
    const aliases = profile ? [...profile.aliases] : [];
    for (const alias of aliases) this.aliasOf.delete(alias);
    return {
      id,
      existed: profile !== undefined,
      memberships: profile ? Object.fromEntries(profile.memberships) : {},
      aliases,
    };
  }

  /**
   * Counts the stored memberships of the live profiles. A scan rather than an index: the
   * embedded store is for small sites, and a scan is exact by construction.
   */
  async countMembers(segmentKeys: readonly string[], now: EpochMs): Promise<Record<string, number>> {
    const counts = new Map(segmentKeys.map((key) => [key, 0]));
    for (const profile of this.profiles.values()) {
      if (profile.expiresAt !== null && profile.expiresAt <= now) continue;
      for (const key of profile.memberships.keys()) {
        const count = counts.get(key);
        if (count !== undefined) counts.set(key, count + 1);
      }
    }
    return Object.fromEntries(counts);
  }

  async useOnce(nonce: string, until: EpochMs): Promise<boolean> {
    const now = this.options.clock.now();
    const remembered = this.nonces.get(nonce);
    if (remembered !== undefined && remembered > now) return false;
    if (this.nonces.size >= MAX_NONCES) {
      for (const [key, expiry] of this.nonces) if (expiry <= now) this.nonces.delete(key);
      // Still full of live nonces: refuse rather than forget one, which would allow its replay.
      if (this.nonces.size >= MAX_NONCES) return false;
    }
    this.nonces.set(nonce, until);
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.nonces.clear();
    this.profiles.clear();
    this.aliasOf.clear();
    this.anonymousByWrite.clear();
    this.usersByWrite.clear();
  }

  /** Deletes every expired profile, alias and nonce (what Redis does with TTLs). */
  sweep(): void {
    for (const [nonce, until] of this.nonces)
      if (until <= this.options.clock.now()) this.nonces.delete(nonce);
    const now = this.options.clock.now();
    for (const [id, profile] of this.profiles) {
      if (profile.expiresAt !== null && profile.expiresAt <= now) this.drop(id);
    }
    for (const [id, alias] of this.aliasOf) {
      if (alias.expiresAt !== null && alias.expiresAt <= now) this.aliasOf.delete(id);
    }
  }

  /** The ids of held profiles and aliases (expired ones included until swept), for tests and tools. */
  heldIds(): string[] {
    return [...this.profiles.keys(), ...this.aliasOf.keys()];
  }

  private resolve(profileId: string): string {
    assertProfileId(profileId);
    let id = profileId;
    for (let hop = 0; hop <= MAX_ALIAS_HOPS; hop += 1) {
      const alias = this.aliasOf.get(id);
      if (!alias) return id;
      if (alias.expiresAt !== null && alias.expiresAt <= this.options.clock.now()) {
        this.aliasOf.delete(id);
        return id;
      }
      id = alias.target;
    }
    throw new Error(`profile aliases form a chain longer than ${MAX_ALIAS_HOPS} hops`);
  }

  /** The live profile, or `undefined` (an expired one is dropped on the way, like a Redis TTL). */
  private get(id: string): StoredProfile | undefined {
    const profile = this.profiles.get(id);
    if (profile && profile.expiresAt !== null && profile.expiresAt <= this.options.clock.now()) {
      this.drop(id);
      return undefined;
    }
    return profile;
  }

  /** The number of profiles held (expired ones included until swept or read), for tests and tools. */
  get size(): number {
    return this.profiles.size;
  }

  private create(id: string, now: EpochMs, rulesVersion: string | null = null): StoredProfile {
    if (this.profiles.size >= this.maxProfiles) this.evictOne();
    const profile: StoredProfile = {
      id,
      version: 0,
      rulesVersion,
      memberships: new Map(),
      dueAt: null,
      traits: {},
      context: {},
      contextAt: null,
      contextFingerprint: null,
      behavioral: true,
      userId: null,
      firstSeenAt: now,
      seen: new Map(),
      streams: new Map(),
      firstLast: new Map(),
      aliases: new Set(),
      expiresAt: null,
    };
    this.profiles.set(id, profile);
    this.touch(profile, now);
    return profile;
  }

  /** After a write: refreshes the TTL and makes the profile the most recently written. */
  private touch(profile: StoredProfile, now: EpochMs): void {
    const ttl = profile.userId === null ? this.options.anonymousTtlMs : this.options.userTtlMs;
    profile.expiresAt = ttl > 0 ? now + ttl : null;
    this.anonymousByWrite.delete(profile.id);
    this.usersByWrite.delete(profile.id);
    (profile.userId === null ? this.anonymousByWrite : this.usersByWrite).add(profile.id);
  }

  /** Forgets a profile (expired, erased, retired or evicted). */
  private drop(id: string): void {
    this.profiles.delete(id);
    this.anonymousByWrite.delete(id);
    this.usersByWrite.delete(id);
  }

  /** Makes room for one profile: the least recently written anonymous one, else user. */
  private evictOne(): void {
    const now = this.options.clock.now();
    for (const order of [this.anonymousByWrite, this.usersByWrite]) {
      for (const id of order) {
        const profile = this.profiles.get(id);
        const expired = profile !== undefined && profile.expiresAt !== null && profile.expiresAt <= now;
        this.drop(id);
        if (profile && !expired) this.options.onEvict?.(id);
        return;
      }
    }
  }

  private record(id: string, profile: StoredProfile, context: StoreContext): ProfileRecord {
    const record: ProfileRecord = {
      id,
      exists: true,
      version: profile.version,
      rulesVersion: profile.rulesVersion,
      memberships: Object.fromEntries([...profile.memberships].map(([key, state]) => [key, { ...state }])),
      dueAt: profile.dueAt,
      traits: structuredClone(profile.traits),
      context: structuredClone(profile.context),
      consent: { behavioral: profile.behavioral },
      userId: profile.userId,
      firstSeenAt: profile.firstSeenAt,
      streams: {},
    };
    if (profile.contextAt !== null) record.contextAt = profile.contextAt;
    for (const spec of context.streams) {
      const since = context.now - spec.retentionMs;
      const entries = [...(profile.streams.get(spec.id) ?? [])]
        .filter(([, at]) => at > since)
        .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const known = profile.firstLast.get(spec.id);
      if (entries.length === 0 && !known) continue;
      const facts = streamFactsFromPairs(
        entries.flatMap(([member, at]) => [member, String(at)]),
        spec.carriesValue,
      );
      if (known) [facts.firstSeen, facts.lastSeen] = known;
      record.streams[spec.id] = facts;
    }
    return record;
  }
}

function trim(entries: Map<string, EpochMs>, olderThan: EpochMs): void {
  for (const [key, at] of entries) if (at < olderThan) entries.delete(key);
}

/** Drops the oldest entries beyond `limit` (ties broken by member, like a sorted set). */
function keepNewest(entries: Map<string, EpochMs>, limit: number): void {
  if (entries.size <= limit) return;
  const excess = entries.size - limit;
  // One event at a time over a full set (the common case at the bound): a scan per entry, no sort.
  if (excess <= 4) {
    for (let n = 0; n < excess; n++) {
      let oldestKey: string | undefined;
      let oldestAt = Infinity;
      for (const [key, at] of entries)
        if (at < oldestAt || (at === oldestAt && oldestKey !== undefined && key < oldestKey)) {
          oldestKey = key;
          oldestAt = at;
        }
      if (oldestKey !== undefined) entries.delete(oldestKey);
    }
    return;
  }
  const oldest = [...entries].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [key] of oldest.slice(0, entries.size - limit)) entries.delete(key);
}

/** `traits` applied key by key to a copy of `base` (`null` removes a trait). */
function applyTraits(base: JsonObject, traits: JsonObject): JsonObject {
  const target = { ...base };
  for (const [key, value] of Object.entries(traits)) {
    if (value === null) delete target[key];
    else target[key] = structuredClone(value);
  }
  return target;
}

/** Deletes the context keys a policy other than the one in force kept (after a rules change). */
function pruneContext(profile: StoredProfile, policy: ContextPolicy): void {
  if (profile.contextFingerprint === policy.fingerprint) return;
  policy.prune(profile.context);
  profile.contextFingerprint = policy.fingerprint;
}
