/**
 * Copies of the profiles someone listens to in this process, as last stored: what an event's
 * outcome is predicted from (predict.ts), so that the change it pushes to those listeners is
 * stored and announced in one round trip. A profile nobody listens to here gets no copy: its
 * changes are read on the next query, where a round trip more makes no difference, and keeping
 * it would only hold visitor data (and work for the garbage collector) for nothing.
 *
 * Only a hint: a copy that another process made stale fails the store's check and costs one
 * extra round trip, never a wrong write. Bounded in count, in age and in size per profile, since
 * it holds visitor data in memory; dropped once nobody listens any more, at once when the profile
 * is erased, merged or its consent withdrawn, and entirely when the rules change (their streams
 * and retention change what a record holds) and when the bus link comes back after a drop (a
 * notice of an erasure may have been missed).
 */
import type { EpochMs } from '../types';
import type { ProfileRecord } from './types';

export interface RecentProfilesOptions {
  /** Most profiles kept; the one remembered longest ago goes first. 0 keeps none. */
  maxProfiles: number;
  /** A copy older than this (ms) is not used, and is dropped when met. */
  maxAgeMs: number;
  /** A profile with more stream entries than this in all is not kept (its copy would be large). */
  maxEntries: number;
  /** Whether someone listens to the profile in this process (only those are kept). */
  isListened(profileId: string): boolean;
}

interface Copy {
  record: ProfileRecord;
  at: EpochMs;
}

export class RecentProfiles {
  /**
   * Map order is insertion order, and a copy is re-inserted whenever it is replaced: the first
   * key is always the copy remembered longest ago, so eviction and sweeping start there.
   */
  private readonly copies = new Map<string, Copy>();

  constructor(private readonly options: RecentProfilesOptions) {}

  /** The stored state of `profileId` as last seen here, if recent enough. */
  get(profileId: string, now: EpochMs): ProfileRecord | undefined {
    const copy = this.copies.get(profileId);
    if (!copy) return undefined;
    if (now - copy.at <= this.options.maxAgeMs && this.options.isListened(profileId)) return copy.record;
    this.copies.delete(profileId);
    return undefined;
  }

  /** Remembers `record` as what is stored now for its id (or forgets the id if it is not kept). */
  remember(record: ProfileRecord, now: EpochMs): void {
    this.copies.delete(record.id);
    const kept =
      record.exists &&
      this.options.maxProfiles > 0 &&
      entryCount(record) <= this.options.maxEntries &&
      this.options.isListened(record.id);
    if (!kept) return;
    this.copies.set(record.id, { record, at: now });
    if (this.copies.size > this.options.maxProfiles) {
      this.copies.delete(this.copies.keys().next().value!);
    }
  }

  /**
   * Drops every copy older than `maxAgeMs` or nobody listens to any more (so visitor data does
   * not outstay its use in an idle process).
   */
  sweep(now: EpochMs): void {
    for (const [profileId, copy] of this.copies) {
      if (now - copy.at > this.options.maxAgeMs || !this.options.isListened(profileId)) {
        this.copies.delete(profileId);
      }
    }
  }

  forget(profileId: string): void {
    this.copies.delete(profileId);
  }

  clear(): void {
    this.copies.clear();
  }

  get size(): number {
    return this.copies.size;
  }
}

function entryCount(record: ProfileRecord): number {
  let count = 0;
  for (const facts of Object.values(record.streams)) count += facts.times.length;
  return count;
}
