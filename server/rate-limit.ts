/**
 * A token bucket per key (profile id, client address), in this process. Buckets that refilled
 * completely are forgotten, and the map is capped, so memory stays bounded however many callers
 * come and go; when the cap is reached the oldest entries are dropped (a full bucket is what a
 * dropped caller would have had anyway, after a pause).
 */
import type { Clock, EpochMs } from '../engine/types';

interface Bucket {
  tokens: number;
  updatedAt: EpochMs;
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes `cost` tokens for `key` if it has them. */
  take(key: string, cost = 1): Admission {
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < cost) {
      this.remember(key, bucket);
      return { ok: false, retryAfterMs: Math.ceil(((cost - bucket.tokens) / this.perSecond) * 1000) };
    }
    bucket.tokens -= cost;
    this.remember(key, bucket);
    return { ok: true };
  }

  private remember(key: string, bucket: Bucket): void {
    // Re-insert so iteration order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.sweep(bucket.updatedAt);
  }

  private sweep(now: EpochMs): void {
    const fullAfterMs = (this.burst / this.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size <= this.maxKeys / 2) break;
      if (now - bucket.updatedAt >= fullAfterMs || this.buckets.size > this.maxKeys) this.buckets.delete(key);
    }
  }
}
