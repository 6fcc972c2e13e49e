/**
 * Copies of the profiles someone listens to in this process, as last stored: what an event's
 * outcome is predicted from (predict.ts), so that the change it pushes to those listeners is
 * stored and announced in one round trip. A profile nobody listens to here gets no copy: its
 * changes are read on the next query, where a round trip more makes no difference, and keeping
 * it would only hold visitor data in memory for nothing.
 *
 * Only a hint: a copy that another process made stale fails the store's check and costs one
 * extra round trip, never a wrong write. Bounded in count, in bytes, in age and in size per
 * profile, since it holds visitor data in memory; dropped once nobody listens any more, at once
 * when the profile is erased, merged or its consent withdrawn, and entirely when the rules change
 * (their streams and retention change what a record holds) and when the bus link comes back after
 * a drop (a notice of an erasure may have been missed). A dropped copy's bytes are zeroed.
 *
 * Why the copies live outside the JavaScript heap, in one buffer written as a ring: a copy is
 * made per event and kept for minutes, and on the heap every copy cost young-generation copying
 * and old-generation growth, most of the event-to-announce p99 (figures: bench/README.md,
 * "ingest"). Per copy, the heap holds only the map entry from profile id to the copy's offset.
 */
import type { EpochMs } from '../types';
import type { ProfileRecord } from './types';

export interface RecentProfilesOptions {
  /** Most profiles kept; the one remembered longest ago goes first. 0 keeps none. */
  maxProfiles: number;
  /**
   * Size of the buffer the copies are written to, in bytes, taken at the first copy kept. When it
   * is full the copies remembered longest ago make room; a copy larger than an eighth of it is
   * not kept.
   */
  maxBytes: number;
  /** A copy older than this (ms) is not used, and is dropped when met. */
  maxAgeMs: number;
  /** A profile with more stream entries than this in all is not kept (its copy would be large). */
  maxEntries: number;
  /** Whether someone listens to the profile in this process (only those are kept). */
  isListened(profileId: string): boolean;
}

/** Each copy in the buffer: when it was remembered (float64), its JSON's length (uint32), the JSON. */
const AT = 0;
const LENGTH = 8;
const HEADER_BYTES = 12;

export class RecentProfiles {
  /**
   * Profile id to the offset of its copy. Map order is insertion order and a replaced copy is
   * re-inserted, written at the ring's head: the first key is always the copy remembered longest
   * ago, and the copies lie in the buffer in the map's order, from the first key's offset to
   * `head` (wrapping at the end). Eviction and sweeping start there; dropped copies in between
   * leave holes that the head reclaims when it comes round.
   */
  private readonly offsets = new Map<string, number>();
  /** Allocated at the first copy kept: a process nobody listens to never holds one. */
  private buffer: Buffer | undefined;
  /** Where the next copy is written. */
  private head = 0;

  constructor(private readonly options: RecentProfilesOptions) {}

  /** The stored state of `profileId` as last seen here, if recent enough (a record of its own). */
  get(profileId: string, now: EpochMs): ProfileRecord | undefined {
    const offset = this.offsets.get(profileId);
    if (offset === undefined) return undefined;
    const buffer = this.buffer!;
    const at = buffer.readDoubleLE(offset + AT);
    if (now - at <= this.options.maxAgeMs && this.options.isListened(profileId)) {
      const start = offset + HEADER_BYTES;
      const json = buffer.toString('utf8', start, start + buffer.readUInt32LE(offset + LENGTH));
      return JSON.parse(json) as ProfileRecord;
    }
    this.drop(profileId, offset);
    return undefined;
  }

  /** Remembers `record` as what is stored now for its id (or forgets the id if it is not kept). */
  remember(record: ProfileRecord, now: EpochMs): void {
    this.forget(record.id);
    const kept =
      record.exists &&
      this.options.maxProfiles > 0 &&
      entryCount(record) <= this.options.maxEntries &&
      this.options.isListened(record.id);
    if (!kept) return;
    const json = JSON.stringify(record);
    const length = Buffer.byteLength(json);
    if (HEADER_BYTES + length > this.options.maxBytes / 8) return;
    // Not zero-filled: nothing is read from the buffer that was not written there first, and the
    // pages it leaves untouched take no memory until the ring reaches them.
    this.buffer ??= Buffer.allocUnsafeSlow(this.options.maxBytes);
    const offset = this.reserve(HEADER_BYTES + length);
    this.buffer.writeDoubleLE(now, offset + AT);
    this.buffer.writeUInt32LE(length, offset + LENGTH);
    this.buffer.write(json, offset + HEADER_BYTES);
    this.offsets.set(record.id, offset);
    if (this.offsets.size > this.options.maxProfiles) this.dropOldest();
  }

  /**
   * Drops every copy older than `maxAgeMs` or nobody listens to any more (so visitor data does
   * not outstay its use in an idle process).
   */
  sweep(now: EpochMs): void {
    for (const [profileId, offset] of this.offsets) {
      const at = this.buffer!.readDoubleLE(offset + AT);
      if (now - at > this.options.maxAgeMs || !this.options.isListened(profileId)) {
        this.drop(profileId, offset);
      }
    }
  }

  forget(profileId: string): void {
    const offset = this.offsets.get(profileId);
    if (offset !== undefined) this.drop(profileId, offset);
  }

  clear(): void {
    for (const [profileId, offset] of this.offsets) this.drop(profileId, offset);
  }

  get size(): number {
    return this.offsets.size;
  }

  /**
   * The offset of `bytes` free bytes at the ring's head, dropping the copies remembered longest
   * ago until there is room (`bytes` is at most an eighth of the buffer, so there always is).
   */
  private reserve(bytes: number): number {
    const capacity = this.options.maxBytes;
    for (;;) {
      const oldest = this.offsets.values().next();
      if (oldest.done) {
        this.head = 0;
        break;
      }
      const start = oldest.value;
      if (start < this.head) {
        // The copies lie in [start, head): the rest of the buffer after head, or before start.
        if (capacity - this.head >= bytes) break;
        if (start >= bytes) {
          this.head = 0;
          break;
        }
      } else if (start - this.head >= bytes) {
        // The copies wrap round the end: what is free lies in [head, start).
        break;
      }
      this.dropOldest();
    }
    const offset = this.head;
    this.head += bytes;
    return offset;
  }

  private dropOldest(): void {
    const [profileId, offset] = this.offsets.entries().next().value!;
    this.drop(profileId, offset);
  }

  /** Forgets the copy at `offset` and zeroes its bytes: an erased visitor's data does not linger. */
  private drop(profileId: string, offset: number): void {
    this.offsets.delete(profileId);
    const buffer = this.buffer!;
    buffer.fill(0, offset, offset + HEADER_BYTES + buffer.readUInt32LE(offset + LENGTH));
  }
}

function entryCount(record: ProfileRecord): number {
  let count = 0;
  for (const facts of Object.values(record.streams)) count += facts.times.length;
  return count;
}
