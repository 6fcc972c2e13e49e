/**
 * Token buckets per key (profile id, client address), in this process. Buckets that refilled
 * completely are forgotten, and the map is capped, so memory stays bounded however many callers
 * come and go; when the cap is reached the oldest entries are dropped (a full bucket is what a
 * dropped caller would have had anyway, after a pause).
 *
 * `OperationLimits` holds the buckets of every rate in `Limits` (server/limits.ts) and admits or
 * refuses one call of an operation, per profile and per address at once.
 */
import type { Clock, EpochMs } from '../engine/types';
import { refusal } from '../resolvers/errors';
import { ErrorCode } from './protocol';
import { RATE_NAMES, type Limits, type RateLimitedOperation, type RateName } from './limits';

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
    const admission = this.check(key, cost);
    if (admission.ok) this.buckets.get(key)!.tokens -= cost;
    return admission;
  }

  /** Whether `key` has `cost` tokens now (refilled), taking none. */
  check(key: string, cost = 1): Admission {
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    this.remember(key, bucket);
    if (bucket.tokens >= cost) return { ok: true };
    return { ok: false, retryAfterMs: Math.ceil(((cost - bucket.tokens) / this.perSecond) * 1000) };
  }

  private remember(key: string, bucket: Bucket): void {
    // Re-insert so iteration order is least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.sweep(bucket.updatedAt, key);
  }

  private sweep(now: EpochMs, keep: string): void {
    const fullAfterMs = (this.burst / this.perSecond) * 1000;
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size <= this.maxKeys / 2) break;
      if (key === keep) continue;
      if (now - bucket.updatedAt >= fullAfterMs || this.buckets.size > this.maxKeys) this.buckets.delete(key);
    }
  }
}

/** Who is calling: the verified profile (if any) and the client address key. */
export interface Caller {
  profileId?: string | undefined;
  address: string;
}

/** The rate limits of every operation, and the refusal when one is exceeded. */
export class OperationLimits {
  private readonly buckets = new Map<RateName, TokenBuckets>();

  constructor(
    limits: Limits,
    clock: Clock,
    /** Told of each refused call (metrics: `personalize_operations_refused_total`). */
    private readonly onRefused?: (operation: RateLimitedOperation, reason: 'rate_limited') => void,
  ) {
    for (const name of RATE_NAMES)
      this.buckets.set(name, new TokenBuckets(limits[name].burst, limits[name].perSecond, clock));
  }

  /**
   * Charges `cost` tokens to the caller's address and profile buckets of `operation`, or throws
   * `RATE_LIMITED` with `retryAfterMs`, taking nothing from any bucket (a refused call costs
   * nothing, so the retry after `retryAfterMs` is admitted).
   */
  admit(operation: RateLimitedOperation, caller: Caller, cost = 1): void {
    const charged: Array<[TokenBuckets, string]> = [];
    const perIp = this.buckets.get(`${operation}PerIp` as RateName);
    if (perIp) charged.push([perIp, caller.address]);
    const perProfile = this.buckets.get(`${operation}PerProfile` as RateName);
    if (perProfile && caller.profileId) charged.push([perProfile, caller.profileId]);
    let refused: { who: string; retryAfterMs: number; limit: string } | null = null;
    for (const [buckets, key] of charged) {
      const admission = buckets.check(key, cost);
      if (!admission.ok && (!refused || admission.retryAfterMs > refused.retryAfterMs)) {
        const byAddress = buckets === perIp;
        refused = {
          who: byAddress ? 'this address' : 'this profile',
          retryAfterMs: admission.retryAfterMs,
          limit: `${operation}Per${byAddress ? 'Ip' : 'Profile'}`,
        };
      }
    }
    if (refused) {
      this.onRefused?.(operation, 'rate_limited');
      throw refusal(
        ErrorCode.RateLimited,
        `too many ${operation === 'track' ? 'track events' : `${operation} calls`} from ${refused.who}; retry in ${refused.retryAfterMs} ms`,
        { retryAfterMs: refused.retryAfterMs, limit: refused.limit },
      );
    }
    for (const [buckets, key] of charged) buckets.take(key, cost);
  }
}
