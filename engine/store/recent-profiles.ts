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
 *
 * Each copy is kept as one JSON string, and `get` returns a record of its own. A copy is made per
 * event and lives past several young-generation collections, so the collector copies it twice
 * (within the young generation, then into the old one) and marks it while it lives: one string of
 * about 370 bytes costs it less than the dozen small objects of a record (about 700 bytes). At
 * 1,000 events/s (`npm run bench -- ingest`) that took each scavenge from 2.3 ms to 1.9 ms. The
 * price, a `JSON.stringify` per copy and a `JSON.parse` per prediction, is a few microseconds;
 * and no caller can change a copy by changing the record it was given or got.
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
  /** The record as JSON (see the class comment). */
  json: string;
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
    if (now - copy.at <= this.options.maxAgeMs && this.options.isListened(profileId)) {
      return JSON.parse(copy.json) as ProfileRecord;
    }
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
    this.copies.set(record.id, { json: JSON.stringify(record), at: now });
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
