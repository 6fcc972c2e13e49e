/**
 * The contracts between the parts of the engine. Every part codes against these types:
 *
 *   events/   validates raw input into `VisitorEvent`s
 *   rules/    compiles segment definitions into a `CompiledRuleSet` (pure: no I/O, no clock)
 *   store/    keeps what the compiled rules need per profile (Redis or in-process) and evaluates it
 *   time/     re-evaluates profiles at their `nextChangeAt` (the due-set)
 *   bus/      announces `SegmentChange`s and broadcasts control messages across instances
 *   personalizer.ts  ties them together behind the `Personalizer` facade used by the GraphQL layer
 *
 * All times are milliseconds since the Unix epoch (`EpochMs`), taken from a `Clock` so tests can
 * control time. Nothing here imports Redis, GraphQL or Strapi.
 */

/** Milliseconds since the Unix epoch. */
export type EpochMs = number;

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Source of the current time. Production uses `Date.now`; tests pass a controllable clock. */
export interface Clock {
  now(): EpochMs;
}

export const systemClock: Clock = { now: () => Date.now() };

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/**
 * A visitor event after validation and normalization (see `engine/events`).
 * Raw input follows the Segment tracking spec (`messageId`, `type`, `event`, `properties`,
 * `context`, `timestamp`); this is the shape every other part sees.
 */
export interface VisitorEvent {
  /** Unique id (Segment `messageId`): the idempotency key. The same id is counted once, ever. */
  id: string;
  /** Event name: Segment `event` for track calls (`Article Viewed`), else the call type (`page`). */
  type: string;
  /** When it happened, by the sender's clock, within the accepted skew. */
  timestamp: EpochMs;
  /** Event properties; plain data, prototype-free, bounded in size and depth. */
  properties: JsonObject;
  /** Segment `context` (device, timezone, locale, page...); bounded like `properties`. */
  context: JsonObject;
}

// ---------------------------------------------------------------------------------------------
// Rules: what the compiler produces and what the store gives back to it
// ---------------------------------------------------------------------------------------------

/** A segment as editors define it (stored by the Strapi plugin, or given in a JSON file). */
export interface SegmentDefinition {
  /** Unique slug, e.g. `breaking-news`. */
  key: string;
  name: string;
  description?: string;
  /** Higher wins when several of a caller's segments tag variants of the same content. */
  priority: number;
  /** Disabled segments are compiled (so references resolve) but nobody is a member. */
  enabled: boolean;
  /** The rule, in the JSON rule format (`engine/rules/README.md`, `engine/rules/rule.schema.json`). */
  rule: unknown;
}

/** Everything the compiler takes: segments, plus reusable score definitions they refer to. */
export interface RuleSetSource {
  segments: SegmentDefinition[];
  /** Weighted scores with optional decay, referenced by key from segment rules. */
  scores?: unknown[];
}

/**
 * One stream of events kept per profile: the events that match one selector, with (optionally) one
 * property value each, retained for the longest window any rule applies to it. The store keeps
 * only the streams a compiled rule set declares, which is how it keeps only what rules need.
 */
export interface StreamSpec {
  /** Short stable id derived from the selector (same selector, same id, across versions). */
  id: string;
  /** Keep entries at most this old (the longest window over this stream). */
  retentionMs: number;
  /** Whether the rules need the all-time first and last timestamps (time since first/last, "ever"). */
  keepFirstLast: boolean;
  /** Whether entries carry a value (distinct counts, sums, score weights). */
  carriesValue: boolean;
  /** Human-readable selector, for explanations and debugging (`Article Viewed where category = "news"`). */
  description: string;
}

/** Where one event goes: a stream it matches, and the value it carries there (if the stream has one). */
export interface StreamEntry {
  stream: string;
  /** Encoded property value (for distinct and sum), `undefined` for streams without values. */
  value?: string;
}

/** The per-stream data a store hands to `evaluate`. */
export interface StreamFacts {
  /** Timestamps of the entries still within retention, ascending. */
  times: EpochMs[];
  /** Values of those entries, index-aligned with `times` (only for streams that carry values). */
  values?: string[];
  /** All-time first and last matching timestamps (only for streams with `keepFirstLast`). */
  firstSeen?: EpochMs;
  lastSeen?: EpochMs;
}

/** A membership as remembered between evaluations (hysteresis and `since` need it). */
export interface MembershipState {
  since: EpochMs;
}

/** Everything known about a profile at evaluation time. */
export interface ProfileFacts {
  /** Server-side traits (identity assertion, `setTraits`): what the `traits` root of a rule reads. */
  traits: JsonObject;
  /** Browser-sent traits of `identify`, read only by the `clientTraits` root; absent = none. */
  clientTraits?: JsonObject;
  /** The most recent event context (device, timezone...), merged key by key. */
  context: JsonObject;
  /** Per stream id; a missing stream means no entries. */
  streams: Record<string, StreamFacts>;
  /** Current memberships by segment key, before this evaluation. */
  previous: Record<string, MembershipState>;
  /** When the profile was first seen. */
  firstSeenAt?: EpochMs;
}

/** Why a segment decision came out as it did: which conditions, which observed values. */
export interface Reason {
  /** One line for people: `4 × Article Viewed where category = "news" in 10m (> 3)`. */
  text: string;
  /** The conditions that decided, each with its path in the rule and what was observed. */
  conditions: Array<{ path: string; text: string; observed: JsonValue }>;
}

export interface SegmentResult {
  member: boolean;
  reason: Reason;
  /** The earliest time this result can flip with no new event; `null` if it cannot. Never late. */
  nextChangeAt: EpochMs | null;
}

export interface Evaluation {
  /** Every enabled segment's result, members and non-members alike (explanations of every decision). */
  segments: Record<string, SegmentResult>;
  /** Minimum over `segments[*].nextChangeAt`; when the due-set should re-evaluate this profile. */
  nextChangeAt: EpochMs | null;
}

/** A compiled, immutable rule set. Compile once, evaluate many times; replace as a whole. */
export interface CompiledRuleSet {
  /** Content hash of the source: equal sources give equal versions. */
  readonly version: string;
  /** Segments in evaluation order (references first). */
  readonly segments: ReadonlyArray<Pick<SegmentDefinition, 'key' | 'name' | 'priority' | 'enabled'>>;
  /** Exactly the streams the rules need. */
  readonly streams: ReadonlyArray<StreamSpec>;
  /** The oldest event age any rule can still use; older events need not be stored. */
  readonly maxRetentionMs: number;
  /**
   * Every `context` dot path a rule reads (`device.type`; `timezone` for `localTime` and
   * `weekday`), sorted. The stores keep only these of an event's context, plus a small
   * allowance (`engine/store/limits.ts`): a visitor cannot grow a profile by sending new keys.
   */
  readonly contextPaths: ReadonlyArray<string>;
  /** The streams an event enters (with values). Pure and fast: called for every ingested event. */
  route(event: VisitorEvent): StreamEntry[];
  /** Evaluates every segment at `now`. Pure: same facts and time, same result. */
  evaluate(facts: ProfileFacts, now: EpochMs): Evaluation;
}

// ---------------------------------------------------------------------------------------------
// The facade the GraphQL layer uses
// ---------------------------------------------------------------------------------------------

/** One current membership, as shown to callers and editors. */
export interface MembershipView {
  key: string;
  name: string;
  priority: number;
  since: EpochMs;
  /** When the membership will lapse with no new event, if known. */
  expiresAt: EpochMs | null;
  reason: Reason;
}

export interface Consent {
  /** Behavioural data (events, windows, scores) may be stored. Off = nothing stored, existing dropped. */
  behavioral: boolean;
}

/** What `identify` did. */
export interface Identification {
  /** The user's profile, as stored after. */
  profile: ProfileView;
  /** True when the caller's anonymous profile (or its never-used id) was folded into the user's. */
  merged: boolean;
  /** The canonical profile the caller's id resolved to before (itself when nothing was stored). */
  resolvedFrom: string;
}

export interface ProfileView {
  /** The canonical profile id (after a merge, the user's profile). */
  id: string;
  userId: string | null;
  /** Server-side traits (the ones rules trust). */
  traits: JsonObject;
  /** Browser-sent traits (`identity.clientTraits: separate`), read by rules only as `clientTraits`. */
  clientTraits: JsonObject;
  consent: Consent;
  /** Current memberships, highest priority first. */
  segments: MembershipView[];
  rulesVersion: string;
}

export type ChangeCause = 'event' | 'time' | 'rules' | 'merge' | 'consent' | 'traits' | 'forget';

/** Announced on the change bus whenever a profile's memberships change. */
export interface SegmentChange {
  profileId: string;
  entered: string[];
  exited: string[];
  /** All memberships after the change, highest priority first. */
  segments: MembershipView[];
  /** Reason for each entered and exited segment. */
  reasons: Record<string, Reason>;
  cause: ChangeCause;
  at: EpochMs;
  /** Set when this profile was merged into another: listeners should follow `mergedInto`. */
  mergedInto?: string;
}

export interface TrackOutcome {
  /** The canonical profile id the events were stored on. */
  profileId: string;
  accepted: number;
  /** Events whose id was already stored: acknowledged, not counted again. */
  duplicates: number;
  /** The membership change these events caused, if any. */
  change: SegmentChange | null;
  /** Events not stored because the profile's behavioural consent is off (absent when none). */
  withheld?: number;
}

/**
 * The engine as the outside world sees it. One per process; backed by a profile store (Redis or
 * in-process), a due-set poller and a change bus. Profile ids are opaque strings that callers get
 * from verified tokens: the facade trusts them, the GraphQL layer must not pass unverified ids.
 */
export interface Personalizer {
  /** The rule set in force. */
  readonly rules: CompiledRuleSet;
  /** Replaces the rule set (throws `RuleCompileError` and keeps the old one on a bad rule). */
  setRules(source: RuleSetSource): CompiledRuleSet;
  /** Validated events in, memberships out. Idempotent by event id. */
  track(profileId: string, events: VisitorEvent[]): Promise<TrackOutcome>;
  /** Current view; re-evaluates first when a stored membership is due or the rules changed. */
  getProfile(profileId: string): Promise<ProfileView>;
  /**
   * Folds an anonymous profile into the user's; the anonymous id becomes an alias of it. Never
   * merges a user's profile: when `anonymousId` is (or resolves to) a user's profile, the
   * `userId`'s own profile is only given `traits`, and the other user's stays as it is.
   */
  identify(
    callerId: string,
    userId: string,
    traits?: JsonObject,
    clientTraits?: JsonObject,
  ): Promise<Identification>;
  setTraits(profileId: string, traits: JsonObject): Promise<ProfileView>;
  /**
   * Sets server-side traits of a known user (`user:<userId>`), creating the profile as that
   * user's if needed (so it has the user lifetime, not the anonymous one). Merges nothing.
   */
  setUserTraits(userId: string, traits: JsonObject): Promise<ProfileView>;
  setConsent(profileId: string, consent: Consent): Promise<ProfileView>;
  /** Erases every key of the profile (and its aliases). */
  forget(profileId: string): Promise<void>;
  /**
   * `true` the first time `nonce` is presented, `false` while it is remembered (until `until`,
   * epoch ms): what makes an identity assertion single use, across every process on Redis.
   */
  useOnce(nonce: string, until: EpochMs): Promise<boolean>;
  /** Listens to one profile's changes; one bus subscription per profile per process, however many listeners. */
  subscribe(profileId: string, listener: (change: SegmentChange) => void): () => void;
  /** Called after every rule set replacement on this instance (live queries recompute). */
  onRulesChanged(listener: (rules: CompiledRuleSet) => void): () => void;
  /**
   * Cross-instance control messages over the same bus (e.g. `content` invalidations, `rules` reloads):
   * every instance's listeners of `topic` receive `payload`, this instance's included.
   */
  broadcast(topic: string, payload: JsonValue): Promise<void>;
  onBroadcast(topic: string, listener: (payload: JsonValue) => void): () => void;
  /**
   * Called when this instance's change listening resumed after a drop (Redis restarted, the link
   * broke): changes and broadcasts announced meanwhile were missed, so whatever follows them
   * re-reads the current state (live queries their visitor, the GraphQL layer its content, the
   * Strapi plugin its rules).
   */
  onResubscribed(listener: () => void): () => void;
  /**
   * How many profiles are currently members of each segment (by key), for the editors' Segments
   * page: every segment of the rules in force (a disabled one counts 0; a removed one is absent),
   * counting the stored memberships of live profiles (expired, erased and merged-away ones are
   * not counted; a merged user counts once). A profile not re-evaluated since a rules change counts
   * as it stored until its next touch. Both built-in stores implement it (Redis from an index,
   * never by scanning profiles: see `engine/store/README.md`).
   */
  countMembers(): Promise<Record<string, number>>;
  /**
   * Resolves when the profile store answers (Redis PING), rejects when it does not: for readiness
   * probes. Without a remote store (the embedded one) it resolves at once.
   */
  ping(): Promise<void>;
  /** Starts polling the due-set (exits and deadlines on time). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What the engine reports to operators (metrics), so that it never depends on a metrics library.
 * Every callback is optional, called synchronously on the hot path: keep it cheap, never throw.
 */
export interface EngineObserver {
  /** The rules were evaluated for one profile, in `ms` milliseconds. */
  onEvaluate?(ms: number): void;
  /**
   * A membership change was committed. Reported by the instance that committed it, once per change
   * in a cluster of instances (listeners on other instances do not report it again).
   */
  onMembershipChange?(change: { entered: readonly string[]; exited: readonly string[] }): void;
  /** The Redis client reported an error (connection refused, lost, timed out). */
  onRedisError?(): void;
  /**
   * A due profile's time-based re-evaluation failed; `gaveUp` when that was the last attempt
   * (`dueRetry.maxAttempts` in a row) and the profile waits for its next event or read.
   */
  onDueFailure?(gaveUp: boolean): void;
  /**
   * This process's clock was compared with Redis `TIME`: `seconds` ahead of it (negative:
   * behind), at start and every `clockCheckIntervalMs`.
   */
  onClockSkew?(seconds: number): void;
}
