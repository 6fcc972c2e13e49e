/**
 * The recent-profile fast path: this process keeps copies of the profiles listened to here
 * (`RecentProfiles`), and an event on one is evaluated on its copy before it is stored
 * (`predictIngest`), so the change it causes is written and announced in the same round trip as
 * the event. Only a hint: a wrong guess or a stale copy fails the store's check and costs a second
 * round trip, never a wrong write. Whether it earns its keep: "Recent profiles" in
 * engine/store/README.md.
 */
import type { ChangeBus } from './bus/types';
import { TOPICS } from './bus/topics';
import { predictIngest } from './store/predict';
import { RecentProfiles } from './store/recent-profiles';
import { emptyRecord } from './store/record';
import type { IngestProposal, ProfileRecord, RoutedEvent, StoreContext } from './store/types';
import type { ChangeCause, Clock, CompiledRuleSet, EpochMs } from './types';
import type { Plan, ProfileCopies } from './write-protocol';

/** How long a profile's copy in `RecentProfiles` is used to predict its next event's outcome. */
const RECENT_PROFILE_MAX_AGE_MS = 5 * 60 * 1000;
/** Memory the copies in `RecentProfiles` may take, outside the JavaScript heap (16 MiB). */
const RECENT_PROFILES_BYTES = 16 * 1024 * 1024;
/** Profiles with more stream entries than this are not copied (see `RecentProfiles`). */
const RECENT_PROFILE_MAX_ENTRIES = 1000;
/** How often copies that are too old or nobody listens to any more are dropped. */
const RECENT_PROFILE_SWEEP_MS = 60 * 1000;

export interface FastPathParts {
  bus: ChangeBus;
  clock: Clock;
  /** How many profiles' copies are kept; 0 = none (every event takes the settle path). */
  maxProfiles: number;
  /** The rules in force. */
  rules(): CompiledRuleSet;
  /** The write protocol's `plan`. */
  plan(record: ProfileRecord, cause: ChangeCause, force: boolean): Plan;
}

/** What `track` asks of the fast path: a proposal to write with the events, and the copies. */
export class RecentProfileFastPath implements ProfileCopies {
  private readonly recent: RecentProfiles;
  private sweep: NodeJS.Timeout | undefined;
  private readonly stopHearingForgets: () => void;
  private readonly stopHearingResubscribes: () => void;

  constructor(private readonly parts: FastPathParts) {
    this.recent = new RecentProfiles({
      maxProfiles: parts.maxProfiles,
      maxBytes: RECENT_PROFILES_BYTES,
      maxAgeMs: RECENT_PROFILE_MAX_AGE_MS,
      maxEntries: RECENT_PROFILE_MAX_ENTRIES,
      isListened: (profileId) => parts.bus.isSubscribed(profileId),
    });
    this.stopHearingForgets = parts.bus.onBroadcast(TOPICS.forgotten, (payload) => {
      const profileId = (payload as { profileId?: unknown } | null)?.profileId;
      if (typeof profileId === 'string') this.recent.forget(profileId);
    });
    // A forget announced while the bus was away was missed: every copy goes (they are only hints).
    this.stopHearingResubscribes = parts.bus.onResubscribed(() => this.recent.clear());
  }

  remember(record: ProfileRecord, now: EpochMs): void {
    this.recent.remember(record, now);
  }

  forget(profileId: string): void {
    this.recent.forget(profileId);
  }

  /** Drops every copy (the rules changed: their streams and retention change what a record holds). */
  clear(): void {
    this.recent.clear();
  }

  /**
   * The outcome of `events` evaluated on the profile they are expected to produce (from this
   * process's copy of it, or a new profile when there is none), for `ingest` to write in the same
   * round trip, with the due time to schedule first (as `settle` does; a schedule whose proposal
   * is not written only makes the poller look early). None when the outcome cannot be predicted
   * or announces nothing, and for a profile nobody listens to here: no push waits on its round
   * trips, and most such events come from returning visitors, whom a guess of "new" would miss.
   */
  propose(
    profileId: string,
    events: RoutedEvent[],
    context: StoreContext,
  ): { proposal?: IngestProposal; scheduleAt: EpochMs | null } {
    const none = { scheduleAt: null };
    if (!this.parts.bus.isSubscribed(profileId)) return none;
    const base = this.recent.get(profileId, context.now) ?? emptyRecord(profileId);
    if (base.exists && base.rulesVersion !== this.parts.rules().version) return none;
    const predicted = predictIngest(base, events, context);
    if (!predicted) return none;
    const { outcome, scheduleAt } = this.parts.plan(predicted, 'event', false);
    if (!outcome?.change) return none;
    const expected = base.exists ? { firstSeenAt: base.firstSeenAt!, version: base.version } : 'new';
    return { proposal: { expected, outcome }, scheduleAt };
  }

  /** Drops this and every other process's copy of these profiles. */
  async dropCopies(...profileIds: string[]): Promise<void> {
    for (const profileId of new Set(profileIds)) {
      this.recent.forget(profileId);
      await this.parts.bus.broadcast(TOPICS.forgotten, { profileId });
    }
  }

  /** Starts dropping, once a minute, the copies too old or nobody listens to any more. */
  start(): void {
    this.sweep ??= setInterval(
      () => this.recent.sweep(this.parts.clock.now()),
      RECENT_PROFILE_SWEEP_MS,
    ).unref();
  }

  close(): void {
    clearInterval(this.sweep);
    this.stopHearingForgets();
    this.stopHearingResubscribes();
    this.recent.clear();
  }
}
