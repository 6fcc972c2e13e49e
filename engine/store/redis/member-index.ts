/**
 * The membership index on Redis: who is a member of each segment, so the editors' Segments page
 * can show live counts without scanning profiles.
 *
 * A profile's keys live on its own slot, so a cross-profile index cannot: it is split into
 * `MEMBER_PARTITIONS` partitions (`<prefix>:members:{p<n>}:<segment>`, a sorted set of profile ids
 * per segment and partition, the partition chosen from the profile id like the due-set's). Every
 * key of one partition shares its hash tag, so a profile's index writes are one script on one
 * slot, and a count is one script per partition, all sent at once.
 *
 * An entry's score is the time by which it must be re-checked: the profile's expiry when it was
 * written (an anonymous profile that expires silently drops out of `ZCOUNT` from then on), never
 * later than `RECHECK_MS` ahead. A profile's expiry only moves later (each write refreshes it), so
 * an entry scored after `now` belongs to a live profile; an entry whose time has come ("lapsed")
 * is re-checked against the profile when counting: still a member, it is counted and scored
 * again from its current expiry; gone or no longer a member, it leaves the index. This is how an
 * active member's index entry follows its refreshed TTL without costing any write on ingest, and
 * how an entry a crash left stale (the index is written just after the profile) heals.
 */
import type { Clock, EpochMs } from '../../types';
import { duePartition } from '../../time/partition';
import type { RedisKeys } from './keys';
import type { Reply, Scripts } from './scripts';

/** The number of index partitions. Changing it strands entries: keep it fixed. */
export const MEMBER_PARTITIONS = 16;

/** The longest an entry goes without a re-check (profiles that never expire included). */
export const RECHECK_MS = 7 * 24 * 60 * 60 * 1000;

/** Most lapsed entries re-checked per index key in one pass of a count (the count loops if more). */
const LAPSED_PER_PASS = 500;

/** PEXPIRETIME's answer for a key that does not exist. */
const NO_SUCH_KEY = -2;

interface Lapsed {
  partition: number;
  segment: string;
  profileId: string;
  score: string;
}

/** One write of the index script: `[key, profileId, expected score or '', new score or '']`. */
type IndexWrite = [key: string, profileId: string, expected: string, score: string];

export class RedisMemberIndex {
  constructor(
    private readonly scripts: Scripts,
    private readonly keys: RedisKeys,
    private readonly clock: Clock,
  ) {}

  /**
   * Records that `profileId` is a member of `members` (its profile expiring at `expiresAt`, as
   * PEXPIRETIME gives it: -1 = never) and no longer of `removed`: one script on the partition.
   */
  async update(
    profileId: string,
    members: readonly string[],
    removed: readonly string[],
    expiresAt = -1,
  ): Promise<void> {
    if (members.length === 0 && removed.length === 0) return;
    const partition = memberPartition(profileId);
    const score = String(recheckAt(expiresAt, this.clock.now()));
    const writes: IndexWrite[] = [
      ...members.map((segment): IndexWrite => [this.keys.members(partition, segment), profileId, '', score]),
      ...removed.map((segment): IndexWrite => [this.keys.members(partition, segment), profileId, '', '']),
    ];
    await this.write(writes);
  }

  /** The members of each of `segmentKeys` at `now`, lapsed entries re-checked on the way. */
  async count(segmentKeys: readonly string[], now: EpochMs): Promise<Record<string, number>> {
    if (segmentKeys.length === 0) return {};
    const totals = new Map(segmentKeys.map((segment) => [segment, 0]));
    // Each pass re-scores after `now` or removes every lapsed entry it saw (or a concurrent
    // write did), so with `now` fixed the lapsed entries only run out: the loop ends.
    for (let more = true; more;) {
      more = false;
      for (const segment of segmentKeys) totals.set(segment, 0);
      const replies = await Promise.all(
        Array.from({ length: MEMBER_PARTITIONS }, (_, partition) =>
          this.scripts.run(
            'count',
            segmentKeys.map((segment) => this.keys.members(partition, segment)),
            [Math.floor(now), LAPSED_PER_PASS],
          ),
        ),
      );
      const lapsed: Lapsed[] = [];
      replies.forEach((reply, partition) => {
        asList(reply).forEach((perKey, index) => {
          const segment = segmentKeys[index]!;
          const [live, entries] = asList(perKey);
          totals.set(segment, totals.get(segment)! + Number(live));
          const flat = asList(entries).map(String);
          if (flat.length / 2 >= LAPSED_PER_PASS) more = true;
          for (let i = 0; i < flat.length; i += 2) {
            lapsed.push({ partition, segment, profileId: flat[i]!, score: flat[i + 1]! });
          }
        });
      });
      for (const entry of await this.recheck(lapsed, now)) {
        totals.set(entry.segment, totals.get(entry.segment)! + 1);
      }
    }
    return Object.fromEntries(totals);
  }

  /**
   * Re-checks lapsed entries against their profiles (one read each, sent at once), re-scores the
   * live members' entries and removes the others, and returns the entries of live members.
   */
  private async recheck(lapsed: readonly Lapsed[], now: EpochMs): Promise<Lapsed[]> {
    if (lapsed.length === 0) return [];
    const byProfile = new Map<string, Lapsed[]>();
    for (const entry of lapsed) {
      const list = byProfile.get(entry.profileId);
      if (list) list.push(entry);
      else byProfile.set(entry.profileId, [entry]);
    }
    const alive: Lapsed[] = [];
    const writes = new Map<number, IndexWrite[]>();
    await Promise.all(
      [...byProfile].map(async ([profileId, entries]) => {
        const reply = asList(
          await this.scripts.run(
            'probe',
            [this.keys.hash(profileId)],
            entries.map((entry) => entry.segment),
          ),
        );
        const expiresAt = Number(reply[0]);
        const member = asList(reply[1]);
        entries.forEach((entry, index) => {
          const live = expiresAt !== NO_SUCH_KEY && Number(member[index]) === 1;
          if (live) alive.push(entry);
          // A live profile Redis has not expired yet is counted even if `now` passed its expiry
          // (clocks differ a little): its entry moves past `now` so this count does not meet it again.
          const score = live ? String(Math.max(recheckAt(expiresAt, now), Math.floor(now) + 1)) : '';
          const key = this.keys.members(entry.partition, entry.segment);
          const list = writes.get(entry.partition) ?? [];
          list.push([key, profileId, entry.score, score]);
          writes.set(entry.partition, list);
        });
      }),
    );
    await Promise.all([...writes.values()].map((list) => this.write(list)));
    return alive;
  }

  /** Applies writes that all fall in one partition (one slot): one script. */
  private async write(writes: readonly IndexWrite[]): Promise<void> {
    const keys = writes.map(([key]) => key);
    const args = writes.flatMap(([, profileId, expected, score]) => [profileId, expected, score]);
    await this.scripts.run('index', keys, args);
  }
}

/** The index partition of a profile id (spread like the due-set's). */
export function memberPartition(profileId: string): number {
  return duePartition(profileId, MEMBER_PARTITIONS);
}

/** When an entry written at `now` for a profile expiring at `expiresAt` (-1 = never) is re-checked. */
function recheckAt(expiresAt: number, now: EpochMs): number {
  const latest = Math.floor(now) + RECHECK_MS;
  return expiresAt < 0 ? latest : Math.min(expiresAt, latest);
}

function asList(reply: Reply | undefined): Reply[] {
  return Array.isArray(reply) ? reply : [];
}
