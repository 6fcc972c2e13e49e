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
 * - `fail(claim, now, retry)` records a failed re-evaluation: the entry is retried after an
 *   exponential back-off (`firstDelayMs`, doubled per consecutive failure, at most `maxDelayMs`),
 *   and removed after `maxAttempts` failures in a row (the profile is re-evaluated on its next
 *   event or read, which schedules it again). A successful `finish` resets the count.
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

/** How a failing re-evaluation is retried. */
export interface DueRetryPolicy {
  /** Delay before the first retry (ms); doubled after each further failure. */
  firstDelayMs: number;
  /** Longest delay between two attempts (ms). */
  maxDelayMs: number;
  /** Failed attempts in a row after which the entry is dropped. */
  maxAttempts: number;
}

/** What `fail` did: retry at `retryAt`, gave up, or left a time scheduled meanwhile in place. */
export type DueFailure =
  | { attempt: number; outcome: 'retry'; retryAt: EpochMs }
  | { attempt: number; outcome: 'gave_up' | 'superseded' };

export interface DueSet {
  schedule(profileId: string, at: EpochMs): Promise<void>;
  claim(now: EpochMs, leaseMs: number, limit: number): Promise<ClaimBatch>;
  finish(claim: DueClaim, nextAt: EpochMs | null): Promise<boolean>;
  fail(claim: DueClaim, now: EpochMs, retry: DueRetryPolicy): Promise<DueFailure>;
  /** Drops a profile's entry whatever its state (erasure). */
  remove(profileId: string): Promise<void>;
}

/** The token of a lease ending at `leaseEnd`: a `.5` fraction no real schedule (whole ms) has. */
export function leaseToken(leaseEnd: EpochMs): number {
  return Math.floor(leaseEnd) + 0.5;
}

/** The delay before the retry that follows failed attempt number `attempt` (1-based). */
export function retryDelay(attempt: number, retry: DueRetryPolicy): number {
  return Math.min(retry.firstDelayMs * 2 ** (attempt - 1), retry.maxDelayMs);
}
