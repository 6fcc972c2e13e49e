/**
 * The write protocol: every path of the facade ends here. `plan` evaluates the rules on what the
 * store returned and says what to write; `settle` writes it under the store's version check,
 * atomically announcing the change; `afterSchedule` puts the next due time on the due-set before
 * the write it belongs to; `storedView` re-reads and settles again when a concurrent write won.
 *
 * Concurrency: nothing here does read-modify-write across round trips except through the
 * store's version check. A commit that loses to a newer write is dropped: the newer writer read
 * strictly more data and decides (see `engine/store/types.ts`).
 */
import { decide, profileView, type Decision } from './store/decide';
import { withFields } from './store/record';
import type { CommitRequest, ProfileRecord, ProfileStore, StoreContext } from './store/types';
import type { DueSet } from './time/due-set';
import type {
  ChangeCause,
  Clock,
  CompiledRuleSet,
  EngineObserver,
  EpochMs,
  ProfileView,
  SegmentChange,
} from './types';

/** How often a read re-reads a profile whose evaluation lost to a concurrent write. */
const MAX_READ_ATTEMPTS = 5;

/** What an evaluation asks to write, before it is written. */
export interface Plan {
  decision: Decision;
  /** The outcome to commit, or `null` when nothing changed that needs writing. */
  outcome: Omit<CommitRequest, 'expectedVersion'> | null;
  /** The time to put on the due-set first (earlier than the one scheduled), or `null`. */
  scheduleAt: EpochMs | null;
}

export interface Settled {
  decision: Decision;
  change: SegmentChange | null;
  /** True when a concurrent write won the commit: the profile holds that writer's outcome, not `decision`. */
  raced: boolean;
}

/** This process's copies of profiles as last stored (the recent-profile fast path keeps them). */
export interface ProfileCopies {
  remember(record: ProfileRecord, now: EpochMs): void;
  forget(profileId: string): void;
}

export interface WriteProtocolParts {
  store: ProfileStore;
  dueSet: DueSet;
  /** See `PersonalizerParts.sendTogether`. */
  sendTogether: (<T>(send: () => T) => T) | undefined;
  clock: Clock;
  observer: EngineObserver;
  /** The rules in force. */
  rules(): CompiledRuleSet;
  /** What the store needs to read and write a profile, now. */
  storeContext(): StoreContext;
  /** Tells the due-set poller that an entry is due at `at` (it may sleep until then otherwise). */
  wake(at: EpochMs): void;
  copies: ProfileCopies;
}

export class WriteProtocol {
  constructor(private readonly parts: WriteProtocolParts) {}

  /**
   * Evaluates a record and writes what changed (see `plan`), announcing the change in the same
   * atomic step; remembers what is then stored as this process's copy of the profile.
   */
  async settle(record: ProfileRecord, cause: ChangeCause, force = false): Promise<Settled> {
    const { decision, outcome, scheduleAt } = this.plan(record, cause, force);
    const now = this.parts.clock.now();
    if (!outcome) {
      this.parts.copies.remember(record, now);
      return { decision, change: null, raced: false };
    }
    const written = await this.afterSchedule(record.id, scheduleAt, () =>
      this.parts.store.commit(record.id, { expectedVersion: record.version, ...outcome }),
    );
    const { change } = outcome;
    if (!written) {
      this.parts.copies.forget(record.id);
      return { decision, change: null, raced: true };
    }
    // Counted here, where the change is committed: once per cluster, not once per listener.
    if (change) this.parts.observer.onMembershipChange?.(change);
    const { rulesVersion, memberships, dueAt } = outcome;
    this.parts.copies.remember(
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
  plan(record: ProfileRecord, cause: ChangeCause, force: boolean): Plan {
    const rules = this.parts.rules();
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
  async afterSchedule<T>(profileId: string, at: EpochMs | null, write: () => Promise<T>): Promise<T> {
    if (at === null) return write();
    this.parts.wake(at);
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

  /**
   * Settles a record just read or written and returns the profile as stored. When a concurrent
   * write wins the commit, this evaluation's outcome was not stored (its entry times in
   * particular differ from the winner's), so the profile is read and settled again: a caller
   * holding the view (a subscription's catch-up) must recognise the winner's change as the state
   * it already has, not as a new one.
   */
  async storedView(
    record: ProfileRecord,
    causeOf: (record: ProfileRecord) => ChangeCause,
  ): Promise<ProfileView> {
    let current = record;
    for (let attempt = 1; ; attempt += 1) {
      const settled = await this.settle(current, causeOf(current));
      if (!settled.raced || attempt >= MAX_READ_ATTEMPTS) {
        return profileView(current, settled.decision, this.parts.rules());
      }
      current = await this.parts.store.load(current.id, this.parts.storeContext());
    }
  }
}
