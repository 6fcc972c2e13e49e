/**
 * The due-set in process memory, for the embedded store: the same protocol as the Redis one
 * (see `due-set.ts`). A map holds each profile's current time; a binary min-heap orders
 * (time, profile) pairs so a claim only looks at what is due. Heap entries whose time no longer
 * matches the map are stale (rescheduled or removed) and are skipped when they surface; when
 * they outnumber the live ones the heap is rebuilt from the map, so its size stays within a
 * small multiple of the profiles scheduled.
 */
import type { EpochMs } from '../types';
import {
  leaseToken,
  retryDelay,
  type ClaimBatch,
  type DueClaim,
  type DueFailure,
  type DueRetryPolicy,
  type DueSet,
} from './due-set';

type HeapEntry = [at: number, profileId: string];

/** Stale entries tolerated beyond one per scheduled profile before the heap is rebuilt. */
const COMPACT_SLACK = 1024;

export class MemoryDueSet implements DueSet {
  private readonly scheduled = new Map<string, number>();
  private readonly heap: HeapEntry[] = [];
  /** Consecutive failed re-evaluations per profile (see `fail`). */
  private readonly failures = new Map<string, number>();

  async schedule(profileId: string, at: EpochMs): Promise<void> {
    const current = this.scheduled.get(profileId);
    const next = Math.ceil(at);
    if (current === undefined || next < current) this.set(profileId, next);
  }

  async claim(now: EpochMs, leaseMs: number, limit: number): Promise<ClaimBatch> {
    const token = leaseToken(now + leaseMs);
    const batch: ClaimBatch = { claims: [], nextAt: null, more: false };
    const claimed: string[] = [];
    for (let top = this.peek(); top !== undefined && top[0] <= now; top = this.peek()) {
      if (claimed.length === limit) {
        batch.more = true;
        break;
      }
      this.pop();
      claimed.push(top[1]);
    }
    // The earliest future time is read before the new leases go in (as the Redis script does),
    // and leases are set after the loop so it never meets them.
    const upcoming = this.peek();
    if (!batch.more && upcoming !== undefined) batch.nextAt = upcoming[0];
    for (const profileId of claimed) {
      this.set(profileId, token);
      batch.claims.push({ profileId, token });
    }
    return batch;
  }

  async finish(claim: DueClaim, nextAt: EpochMs | null): Promise<boolean> {
    this.failures.delete(claim.profileId);
    if (this.scheduled.get(claim.profileId) !== claim.token) return false;
    if (nextAt === null) this.scheduled.delete(claim.profileId);
    else this.set(claim.profileId, Math.ceil(nextAt));
    return true;
  }

  async fail(claim: DueClaim, now: EpochMs, retry: DueRetryPolicy): Promise<DueFailure> {
    const { profileId } = claim;
    const ours = this.scheduled.get(profileId) === claim.token;
    const attempt = (this.failures.get(profileId) ?? 0) + 1;
    if (attempt >= retry.maxAttempts) {
      this.failures.delete(profileId);
      if (ours) this.scheduled.delete(profileId);
      return { attempt, outcome: 'gave_up' };
    }
    this.failures.set(profileId, attempt);
    if (!ours) return { attempt, outcome: 'superseded' };
    const retryAt = Math.floor(now + retryDelay(attempt, retry));
    this.set(profileId, retryAt);
    return { attempt, outcome: 'retry', retryAt };
  }

  async remove(profileId: string): Promise<void> {
    this.scheduled.delete(profileId);
    this.failures.delete(profileId);
  }

  /** The scheduled time of a profile (a lease token while claimed), for tests. */
  scheduledAt(profileId: string): number | undefined {
    return this.scheduled.get(profileId);
  }

  private set(profileId: string, at: number): void {
    this.scheduled.set(profileId, at);
    if (this.heap.length >= 2 * this.scheduled.size + COMPACT_SLACK) this.rebuild();
    else this.push([at, profileId]);
  }

  /** Drops every stale entry: the heap again holds one entry per scheduled profile. */
  private rebuild(): void {
    this.heap.length = 0;
    for (const [profileId, at] of this.scheduled) this.push([at, profileId]);
  }

  /** The earliest live entry, dropping stale ones on the way. */
  private peek(): HeapEntry | undefined {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || this.scheduled.get(top[1]) === top[0]) return top;
      this.pop();
    }
  }

  private push(entry: HeapEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (heap[parent]![0] <= entry[0]) break;
      heap[child] = heap[parent]!;
      child = parent;
    }
    heap[child] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let parent = 0;
    for (;;) {
      let child = 2 * parent + 1;
      if (child >= heap.length) break;
      if (child + 1 < heap.length && heap[child + 1]![0] < heap[child]![0]) child += 1;
      if (heap[child]![0] >= last[0]) break;
      heap[parent] = heap[child]!;
      parent = child;
    }
    heap[parent] = last;
  }
}
