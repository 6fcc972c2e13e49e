/**
 * The due-set in Redis: `DUE_PARTITIONS` sorted sets `<prefix>:due:{<n>}` (profile id -> time),
 * claimed, finished and failed by Lua scripts (`engine/store/redis/lua/claim.lua`, `finish.lua`,
 * `fail.lua`); each partition's failure counts live in the hash `<prefix>:due-failures:{<n>}`.
 */
import type { Cluster, Redis } from 'ioredis';
import { scriptsFor, type Reply, type Scripts } from '../store/redis/scripts';
import type { EpochMs } from '../types';
import {
  leaseToken,
  type ClaimBatch,
  type DueClaim,
  type DueFailure,
  type DueRetryPolicy,
  type DueSet,
} from './due-set';
import { DUE_PARTITIONS, duePartition } from './partition';

export class RedisDueSet implements DueSet {
  private readonly scripts: Scripts;
  private readonly keys: string[];
  private readonly failureKeys: string[];

  constructor(
    private readonly client: Redis | Cluster,
    keyPrefix: string,
  ) {
    this.scripts = scriptsFor(client);
    this.keys = Array.from({ length: DUE_PARTITIONS }, (_, n) => `${keyPrefix}:due:{${n}}`);
    this.failureKeys = Array.from({ length: DUE_PARTITIONS }, (_, n) => `${keyPrefix}:due-failures:{${n}}`);
  }

  /** The partition key of a profile (for tests and tools). */
  keyOf(profileId: string): string {
    return this.keys[duePartition(profileId)]!;
  }

  async schedule(profileId: string, at: EpochMs): Promise<void> {
    await this.client.zadd(this.keyOf(profileId), 'LT', Math.ceil(at), profileId);
  }

  async claim(now: EpochMs, leaseMs: number, limit: number): Promise<ClaimBatch> {
    const token = leaseToken(now + leaseMs);
    // One script per partition, all sent at once (one flush on a single node, one per owner on a cluster).
    const replies = await Promise.all(
      this.keys.map((key) => this.scripts.run('claim', [key], [Math.floor(now), token, limit])),
    );
    const batch: ClaimBatch = { claims: [], nextAt: null, more: false };
    for (const reply of replies) {
      const [members, upcoming] = reply as [Reply[], string | null];
      for (const member of members) batch.claims.push({ profileId: String(member), token });
      if (members.length >= limit) batch.more = true;
      if (upcoming !== null && upcoming !== undefined) {
        const at = Number(upcoming);
        if (batch.nextAt === null || at < batch.nextAt) batch.nextAt = at;
      }
    }
    return batch;
  }

  async finish(claim: DueClaim, nextAt: EpochMs | null): Promise<boolean> {
    const next = nextAt === null ? '' : Math.ceil(nextAt);
    return (
      (await this.scripts.run('finish', this.keysOf(claim.profileId), [
        claim.profileId,
        claim.token,
        next,
      ])) === 1
    );
  }

  async fail(claim: DueClaim, now: EpochMs, retry: DueRetryPolicy): Promise<DueFailure> {
    const reply = (await this.scripts.run('fail', this.keysOf(claim.profileId), [
      claim.profileId,
      claim.token,
      Math.floor(now),
      retry.firstDelayMs,
      retry.maxDelayMs,
      retry.maxAttempts,
    ])) as [number, 'retry' | 'gave_up' | 'superseded', number?];
    const [attempt, outcome, retryAt] = reply;
    return outcome === 'retry' ? { attempt, outcome, retryAt: Number(retryAt) } : { attempt, outcome };
  }

  async remove(profileId: string): Promise<void> {
    const [due, failures] = this.keysOf(profileId);
    // Two plain deletes, not a MULTI: Redis refuses EXEC when out of memory, and erasure, which
    // calls this, must still free memory then. Neither needs the other to be atomic.
    await Promise.all([this.client.zrem(due!, profileId), this.client.hdel(failures!, profileId)]);
  }

  private keysOf(profileId: string): [string, string] {
    const partition = duePartition(profileId);
    return [this.keys[partition]!, this.failureKeys[partition]!];
  }
}
