/**
 * The due-set: when each profile must be re-evaluated with no new event (its `nextChangeAt`).
 *
 * Protocol (the same for the Redis and the in-process implementation):
 * - `schedule(id, at)` keeps the EARLIER of the stored time and `at` (Redis `ZADD LT`). Writers
 *   never postpone or remove an entry: an entry that fires too early is harmless (the profile is
 *   re-evaluated, nothing changes, the next time is scheduled), a late one would miss an exit.
 * - `claim(now)` atomically moves every due entry's time to the end of a lease and hands it to
 *   this poller, so several processes can poll and each due profile is evaluated once; if the
 *   claimer dies, the lease ends and another poller claims the profile again.
 * - `finish(id, token, next)` sets the next time (or removes the entry) only if the claim still
 *   holds; an earlier time scheduled meanwhile by a new event stands.
 */
import type { EpochMs } from '../types';

/** One claimed profile; `token` proves the claim when finishing it. */
export interface DueClaim {
  profileId: string;
  token: number;
}

export interface ClaimBatch {
  claims: DueClaim[];
  /** The earliest scheduled time after `now` (over the partitions polled), if any. */
  nextAt: EpochMs | null;
  /** True when some partition had more due entries than the claim limit (poll again at once). */
  more: boolean;
}

export interface DueSet {
  schedule(profileId: string, at: EpochMs): Promise<void>;
  claim(now: EpochMs, leaseMs: number, limit: number): Promise<ClaimBatch>;
  finish(claim: DueClaim, nextAt: EpochMs | null): Promise<boolean>;
  /** Drops a profile's entry whatever its state (erasure). */
  remove(profileId: string): Promise<void>;
}

/** The token of a lease ending at `leaseEnd`: a `.5` fraction no real schedule (whole ms) has. */
export function leaseToken(leaseEnd: EpochMs): number {
  return Math.floor(leaseEnd) + 0.5;
}
