/**
 * The profile store contract. Two implementations keep the same semantics and pass the same
 * contract suite (`test/store/contract.ts`): `RedisProfileStore` (ioredis, single node or cluster)
 * and `MemoryProfileStore` (embedded, in-process).
 *
 * The store keeps facts and decides nothing: the Personalizer evaluates the compiled rules in Node
 * and writes memberships back with `commit`, which only succeeds if nothing changed the profile in
 * between (optimistic concurrency on the profile `version`). Every id a method takes may be an
 * alias left by a merge; the store follows it and reports the canonical id it worked on.
 */
import type { ContextPolicy, ProfileLimits } from './limits';
import type {
  Consent,
  EpochMs,
  JsonObject,
  MembershipState,
  SegmentChange,
  StreamEntry,
  StreamFacts,
  StreamSpec,
  VisitorEvent,
} from '../types';

/** What a store operation needs to know about the rules and the time it runs at. */
export interface StoreContext {
  now: EpochMs;
  /** The version of the rule set in force (a new profile starts as evaluated by it, with no membership). */
  rulesVersion: string;
  /** Every stream the rule set in force keeps (entries older than `retentionMs` are trimmed). */
  streams: ReadonlyArray<Pick<StreamSpec, 'id' | 'retentionMs' | 'carriesValue'>>;
  /** How long event ids are remembered for de-duplication (at least the longest stream retention). */
  dedupeWindowMs: number;
  /**
   * Most entries kept per stream and profile; beyond it the oldest are dropped. Bounds what one
   * profile (a bot, a replay) can make every later ingest read back.
   */
  maxEntriesPerStream: number;
  /** What is kept of event contexts: the rules' paths and the allowance (see limits.ts). */
  contextPolicy: ContextPolicy;
  /** Per-profile bounds on traits and remembered event ids (see limits.ts). */
  limits: Pick<ProfileLimits, 'maxTraits' | 'maxTraitBytes' | 'maxSeenIds'>;
}

/** One validated event and the streams it enters (from `CompiledRuleSet.route`). */
export interface RoutedEvent {
  event: VisitorEvent;
  entries: StreamEntry[];
}

/** Everything stored about one profile, as read in one round trip. */
export interface ProfileRecord {
  /** The canonical id (aliases followed). */
  id: string;
  /** False when nothing is stored for this id (never seen, expired or erased). */
  exists: boolean;
  /** Bumped by every write; `commit` succeeds only if it is unchanged since the read. */
  version: number;
  /** The rules version the stored memberships were computed with. */
  rulesVersion: string | null;
  /** Stored memberships (the `previous` of the next evaluation). */
  memberships: Record<string, MembershipState>;
  /** The time the due-set was last asked to re-evaluate this profile at (a hint, see `engine/time`). */
  dueAt: EpochMs | null;
  traits: JsonObject;
  context: JsonObject;
  consent: Consent;
  userId: string | null;
  firstSeenAt?: EpochMs;
  /** Timestamp of the event the stored context came from (absent before the first stored event). */
  contextAt?: EpochMs;
  /** The facts of every requested stream (a stream without entries is absent). */
  streams: Record<string, StreamFacts>;
}

export interface IngestResult {
  profile: ProfileRecord;
  /** Events stored for the first time. */
  accepted: number;
  /** Events whose id was already stored (acknowledged, not counted again). */
  duplicates: number;
  /** Events not stored because behavioural consent is off. */
  withheld: number;
  /**
   * True when the proposal passed to `ingest` was written (and its change announced) with the
   * events; `profile` is then the profile after it. False without a proposal.
   */
  proposalCommitted: boolean;
}

/**
 * An evaluation made before the events are stored, of the profile the caller expects them to
 * produce (`predictIngest` in predict.ts): `ingest` writes it in the same atomic step, so a change
 * caused by an event is stored and announced in one round trip instead of two. It is written only
 * if the profile was exactly the one expected and every event was stored (none a duplicate, none
 * withheld); otherwise the caller evaluates the profile `ingest` returns, as without a proposal.
 */
export interface IngestProposal {
  /**
   * The profile the prediction started from: `'new'` = nothing stored for the id, else its
   * first-seen time and version (every write bumps the version; a profile erased or expired and
   * created again has another first-seen time, so the pair names one exact state).
   */
  expected: 'new' | { firstSeenAt: EpochMs; version: number };
  /** The outcome to write, as `commit` takes it (its `expectedVersion` is not used). */
  outcome: Omit<CommitRequest, 'expectedVersion'>;
}

/** The write that follows an evaluation. */
export interface CommitRequest {
  /** The `version` of the record the evaluation read; the write is dropped if it moved. */
  expectedVersion: number;
  rulesVersion: string;
  memberships: Record<string, MembershipState>;
  /** When the due-set will re-evaluate the profile, or `null` for never. */
  dueAt: EpochMs | null;
  /** Announced on the profile's channel in the same atomic step, when the memberships changed. */
  change: SegmentChange | null;
}

/** Raw data of a profile being merged into another (see `ProfileStore.exportProfile`). */
export interface ProfileExport {
  id: string;
  record: ProfileRecord;
  /** Event ids with their timestamps (the de-duplication set). */
  seen: Array<[eventId: string, timestamp: EpochMs]>;
  /** Raw stream members (`<eventId>` or `<eventId>\x1f<value>`) with their timestamps, per stream id. */
  entries: Record<string, Array<[member: string, timestamp: EpochMs]>>;
  /** All-time first and last timestamps per stream id. */
  firstLast: Record<string, [first: EpochMs, last: EpochMs]>;
  /** Ids that are aliases of this profile (earlier merges into it). */
  aliases: string[];
  /** Timestamp of the event the stored context came from. */
  contextAt: EpochMs | null;
}

export interface EraseResult {
  /** The canonical id that was erased. */
  id: string;
  existed: boolean;
  /** Memberships the profile had (so an exit can be announced). */
  memberships: Record<string, MembershipState>;
  /** Alias ids that were removed with it. */
  aliases: string[];
}

export interface ProfileStore {
  /** `'redis'` or `'memory'`, for logs. */
  readonly kind: string;
  /**
   * Stores events (de-duplicated by id, only the routed stream entries), writes `proposal` with
   * them when it holds (see `IngestProposal`), and reads the profile back. A proposal is dropped
   * when the id turns out to be an alias (it was made for the id, not for the profile it names).
   * An anonymous id that is an alias of a user's profile (merged by `identify`) stores nothing:
   * `ReplacedProfileError` (profile-id.ts).
   */
  ingest(
    profileId: string,
    events: RoutedEvent[],
    context: StoreContext,
    proposal?: IngestProposal,
  ): Promise<IngestResult>;
  /** Reads the profile (one round trip). Writes nothing. */
  load(profileId: string, context: StoreContext): Promise<ProfileRecord>;
  /** Writes an evaluation's outcome if `expectedVersion` still holds; `false` if a newer write won. */
  commit(profileId: string, request: CommitRequest): Promise<boolean>;
  /**
   * Sets traits key by key (`null` removes a trait) and reads the profile back. Throws
   * `ProfileLimitError` and stores nothing when the traits would pass `limits.maxTraits` or
   * `limits.maxTraitBytes`.
   */
  setTraits(profileId: string, traits: JsonObject, context: StoreContext): Promise<ProfileRecord>;
  /**
   * Sets consent; behavioural consent off drops every stored event and the stored context now
   * and refuses new events.
   */
  setConsent(profileId: string, consent: Consent, context: StoreContext): Promise<ProfileRecord>;
  /** Reads everything needed to merge the profile into another one, or `null` if it does not exist. */
  exportProfile(profileId: string, context: StoreContext): Promise<ProfileExport | null>;
  /**
   * Folds an exported profile into `userProfileId` (created if needed and marked as belonging to
   * `userId`), then sets `traits` (`null` removes one) and reads the user profile back.
   * Idempotent: events are keyed by id, so a retried merge counts nothing twice; the user's own
   * traits win over the merged profile's, and the user's consent stands if the profile existed.
   * Bounds: `traits` past a trait bound throw `ProfileLimitError` (nothing stored); the merged
   * profile's traits are copied only if they all fit beside the user's; context keys the policy
   * does not keep are not copied; `seen` is trimmed to `limits.maxSeenIds`.
   */
  absorb(
    userProfileId: string,
    userId: string,
    source: ProfileExport | null,
    traits: JsonObject,
    context: StoreContext,
  ): Promise<ProfileRecord>;
  /**
   * Deletes the merged profile's data and leaves an alias pointing at `intoId`, in one atomic
   * step, if its version is still `expectedVersion` (0 = nothing stored). `false` means events
   * arrived since the export: export and absorb again (harmless, idempotent), then retry.
   */
  retire(profileId: string, intoId: string, expectedVersion: number): Promise<boolean>;
  /** Deletes every key of the profile and of its aliases (its membership index entries too). */
  erase(profileId: string): Promise<EraseResult>;
  /**
   * How many live profiles (not expired, erased or merged away) have a stored membership of each
   * of `segmentKeys` at `now`: exact, read from an index the writes above keep current, never by
   * scanning profiles on Redis. Only the keys asked for are reported.
   */
  countMembers(segmentKeys: readonly string[], now: EpochMs): Promise<Record<string, number>>;
  /**
   * Records `nonce` as used until `until` (epoch ms) and answers `true` the first time, `false`
   * while it is remembered (single-use identity assertions: a `jti` is accepted once). Atomic
   * across processes on Redis (`SET NX PXAT`).
   */
  useOnce(nonce: string, until: EpochMs): Promise<boolean>;
  close(): Promise<void>;
}
